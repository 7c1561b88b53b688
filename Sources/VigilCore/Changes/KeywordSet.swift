import CSIMD

/// The keywords of the change rules, found in one pass over a message. The parser runs it (on the
/// parse thread with `--jobs`) and leaves the result in `ParsedLine.changeKeywords`, so the change
/// recogniser on the aggregating thread only looks at lines that hold a keyword.
///
/// The scan itself is C (`vigil_keyword_scan` in Sources/CSIMD): it filters sixteen positions at a
/// time with byte shuffles, which Swift's SIMD types do not offer. This type builds its tables.
public final class KeywordSet: @unchecked Sendable {
    // Immutable after init.
    private let tables: UnsafeMutablePointer<vigil_keywords>
    private let bytes: UnsafeMutablePointer<UInt8>
    private let start: UnsafeMutablePointer<Int32>
    private let length: UnsafeMutablePointer<Int32>
    /// Per rule, the bit of its keyword; 0 when it has none (such a rule is always tried).
    public private(set) var ruleBits: [UInt64] = []
    /// Some rule has no keyword: every line must go to the recogniser.
    public private(set) var hasUnconditional = false

    public init(_ keywords: [[UInt8]]) {
        var distinct: [[UInt8]] = []
        for word in keywords {
            guard !word.isEmpty else { ruleBits.append(0); hasUnconditional = true; continue }
            if !distinct.contains(word) { distinct.append(word) }
            let index = distinct.firstIndex(of: word)!
            // Past 64 distinct keywords a rule is always tried: correct, just slower.
            guard index < 64 else { ruleBits.append(0); hasUnconditional = true; continue }
            ruleBits.append(1 << UInt64(index))
        }
        let used = Array(distinct.prefix(64))
        tables = .allocate(capacity: 1)
        tables.initialize(to: vigil_keywords())
        bytes = .allocate(capacity: max(1, used.reduce(0) { $0 + $1.count }))
        start = .allocate(capacity: max(1, used.count))
        length = .allocate(capacity: max(1, used.count))
        var at = 0
        var pairs: [[UInt8]] = []
        var hasOneByte = false
        withUnsafeMutableBytes(of: &tables.pointee.starts_with) { startsWith in
            withUnsafeMutableBytes(of: &tables.pointee.second_is) { secondIs in
                let first = startsWith.bindMemory(to: UInt64.self), second = secondIs.bindMemory(to: UInt64.self)
                for (k, word) in used.enumerated() {
                    let bit: UInt64 = 1 << UInt64(k)
                    first[Int(word[0])] |= bit
                    if word.count == 1 {
                        hasOneByte = true
                        tables.pointee.one_byte |= bit
                        for b in 0..<256 { second[b] |= bit }
                    } else {
                        second[Int(word[1])] |= bit
                        if !pairs.contains(Array(word.prefix(2))) { pairs.append(Array(word.prefix(2))) }
                    }
                    (bytes + at).initialize(from: word, count: word.count)
                    start[k] = Int32(at)
                    length[k] = Int32(word.count)
                    at += word.count
                }
            }
        }
        // The block filter: each distinct pair of first bytes in one of eight buckets (pairs sharing a
        // bucket only let more positions through to the exact check).
        withUnsafeMutableBytes(of: &tables.pointee.nibbles) { raw in
            let nibbles = raw.bindMemory(to: UInt8.self)
            for (i, pair) in pairs.enumerated() {
                let bucket = UInt8(1) << UInt8(i % 8)
                nibbles[0 * 16 + Int(pair[0] & 15)] |= bucket
                nibbles[1 * 16 + Int(pair[0] >> 4)] |= bucket
                nibbles[2 * 16 + Int(pair[1] & 15)] |= bucket
                nibbles[3 * 16 + Int(pair[1] >> 4)] |= bucket
            }
        }
        tables.pointee.filtered = hasOneByte ? 0 : 1
        tables.pointee.bytes = UnsafePointer(bytes)
        tables.pointee.start = UnsafePointer(start)
        tables.pointee.length = UnsafePointer(length)
    }

    deinit {
        tables.deallocate()
        bytes.deallocate()
        start.deallocate()
        length.deallocate()
    }

    public var isEmpty: Bool { ruleBits.isEmpty }

    /// The keywords found in `n` bytes at `p`, as bits (bit = index of a distinct keyword).
    @inline(__always)
    public func scan(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        vigil_keyword_scan(tables, p, n)
    }

    /// The same without the block filter (tests compare the two).
    func scanPortably(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        vigil_keyword_scan_portable(tables, p, n)
    }
}
