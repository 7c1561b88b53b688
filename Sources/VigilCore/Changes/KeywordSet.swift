#if canImport(Glibc)
import Glibc
#endif

/// The keywords of the change rules, found in one pass over a message. The parser runs it (on the
/// parse thread with `--jobs`) and leaves the result in `ParsedLine.changeKeywords`, so the change
/// recogniser on the aggregating thread only looks at lines that hold a keyword.
public final class KeywordSet: @unchecked Sendable {
    // Immutable after init.
    /// Per byte value, the keywords (bit = index of a distinct keyword) that start with it, and
    /// those whose second byte it is (one-byte keywords: every byte value). A position is a
    /// candidate only when both tables agree, so the scan almost never branches away from its
    /// straight path (common letters start keywords; common pairs of letters rarely do).
    private let startsWith: UnsafeMutablePointer<UInt64>
    private let secondIs: UnsafeMutablePointer<UInt64>
    /// The one-byte keywords (the only ones that fit at a message's last byte).
    private var oneByte: UInt64 = 0
    /// The distinct first two bytes of the keywords, each as sixteen copies, for the block scan:
    /// sixteen positions are compared with every pair at once. None (the block scan is skipped)
    /// with a one-byte keyword or more than `maxPairs` pairs, where it would not pay.
    private let pairFirst: UnsafeMutablePointer<SIMD16<UInt8>>
    private let pairSecond: UnsafeMutablePointer<SIMD16<UInt8>>
    private var pairCount = 0
    private static let maxPairs = 12
    private let bytes: UnsafeMutablePointer<UInt8>
    private var start: [Int] = []
    private var length: [Int] = []
    /// Per rule, the bit of its keyword; 0 when it has none (such a rule is always tried).
    public private(set) var ruleBits: [UInt64] = []
    /// Some rule has no keyword: every line must go to the recogniser.
    public private(set) var hasUnconditional = false

    public init(_ keywords: [[UInt8]]) {
        pairFirst = .allocate(capacity: Self.maxPairs)
        pairSecond = .allocate(capacity: Self.maxPairs)
        startsWith = .allocate(capacity: 256)
        startsWith.initialize(repeating: 0, count: 256)
        secondIs = .allocate(capacity: 256)
        secondIs.initialize(repeating: 0, count: 256)
        var distinct: [[UInt8]] = []
        for word in keywords {
            guard !word.isEmpty else { ruleBits.append(0); hasUnconditional = true; continue }
            if !distinct.contains(word) { distinct.append(word) }
            let index = distinct.firstIndex(of: word)!
            // Past 64 distinct keywords a rule is always tried: correct, just slower.
            guard index < 64 else { ruleBits.append(0); hasUnconditional = true; continue }
            startsWith[Int(word[0])] |= 1 << UInt64(index)
            if word.count == 1 {
                oneByte |= 1 << UInt64(index)
                for b in 0..<256 { secondIs[b] |= 1 << UInt64(index) }
            } else {
                secondIs[Int(word[1])] |= 1 << UInt64(index)
            }
            ruleBits.append(1 << UInt64(index))
        }
        bytes = .allocate(capacity: max(1, distinct.reduce(0) { $0 + $1.count }))
        var at = 0
        for word in distinct {
            start.append(at)
            length.append(word.count)
            (bytes + at).initialize(from: word, count: word.count)
            at += word.count
        }
        var pairs: [SIMD2<UInt8>] = []
        for word in distinct.prefix(64) where word.count >= 2 && !pairs.contains(SIMD2(word[0], word[1])) {
            pairs.append(SIMD2(word[0], word[1]))
        }
        if oneByte == 0, pairs.count <= Self.maxPairs {
            for (k, pair) in pairs.enumerated() {
                (pairFirst + k).initialize(to: SIMD16(repeating: pair[0]))
                (pairSecond + k).initialize(to: SIMD16(repeating: pair[1]))
            }
            pairCount = pairs.count
        }
    }

    deinit {
        bytes.deallocate()
        startsWith.deallocate()
        secondIs.deallocate()
        pairFirst.deallocate()
        pairSecond.deallocate()
    }

    public var isEmpty: Bool { ruleBits.isEmpty }

    /// The keywords found in `n` bytes at `p`, as bits. Not inlined: in a small function of its
    /// own the loop keeps everything in registers.
    @inline(never)
    public func scan(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        guard n > 0 else { return 0 }
        let first = startsWith, second = secondIs
        var found: UInt64 = 0
        var i = 0
        if pairCount > 0, n >= 17 {
            // Sixteen positions at a time (each with its next byte); a block where some pair shows up
            // is looked at position by position. The last block ends at the last pair, overlapping
            // the one before: positions seen twice cost nothing (`found` is a set), and no message
            // of 17 bytes or more is left to the byte-by-byte loop below.
            let raw = UnsafeRawPointer(p)
            while true {
                let here = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
                let next = raw.loadUnaligned(fromByteOffset: i + 1, as: SIMD16<UInt8>.self)
                var hit = (here .== pairFirst[0]) .& (next .== pairSecond[0])
                var k = 1
                while k < pairCount {
                    hit = hit .| ((here .== pairFirst[k]) .& (next .== pairSecond[k]))
                    k += 1
                }
                // Each position where a pair shows up is 0xFF in `hit`: only those are looked at
                // (two words tested; `any(hit)` compiles to a chain of byte maxima).
                let words = unsafeBitCast(hit, to: SIMD2<UInt64>.self)
                for half in 0..<2 {
                    var w = words[half] & 0x8080_8080_8080_8080
                    while w != 0 {
                        let j = i + half * 8 + w.trailingZeroBitCount >> 3
                        w &= w &- 1
                        let candidates = first[Int(p[j])] & second[Int(p[j + 1])] & ~found
                        if candidates != 0 { found |= confirm(candidates, at: j, p, n) }
                    }
                }
                if i == n - 17 { break }
                i = min(i + 16, n - 17)
            }
            i = n - 1
        }
        // Each position is judged by its byte and the next, independently of the others, so the
        // loads of consecutive positions overlap.
        while i < n - 1 {
            let candidates = first[Int(p[i])] & second[Int(p[i + 1])] & ~found
            if candidates != 0 { found |= confirm(candidates, at: i, p, n) }
            i += 1
        }
        return found | (first[Int(p[n - 1])] & oneByte & ~found)
    }

    /// Which of the `candidates` (their first two bytes seen at `i`) are there in full.
    @inline(never)
    private func confirm(_ candidates: UInt64, at i: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var found: UInt64 = 0
        var candidates = candidates
        while candidates != 0 {
            let k = candidates.trailingZeroBitCount
            candidates &= candidates - 1
            let m = length[k]
            guard m <= n - i else { continue }
            if m <= 2 || memcmp(p + i + 2, bytes + start[k] + 2, m - 2) == 0 { found |= 1 << UInt64(k) }
        }
        return found
    }
}
