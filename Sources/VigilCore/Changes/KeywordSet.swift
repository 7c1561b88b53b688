#if canImport(Glibc)
import Glibc
#endif

/// The keywords of the change rules, found in one pass over a message. The parser runs it (on the
/// parse thread with `--jobs`) and leaves the result in `ParsedLine.changeKeywords`, so the change
/// recogniser on the aggregating thread only looks at lines that hold a keyword.
public final class KeywordSet: @unchecked Sendable {
    // Immutable after init.
    /// Per byte value, the keywords (bit = index of a distinct keyword) that start with it.
    private var startsWith = [UInt64](repeating: 0, count: 256)
    private let bytes: UnsafeMutablePointer<UInt8>
    private var start: [Int] = []
    private var length: [Int] = []
    private var second: [UInt8] = []
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
            startsWith[Int(word[0])] |= 1 << UInt64(index)
            ruleBits.append(1 << UInt64(index))
        }
        bytes = .allocate(capacity: max(1, distinct.reduce(0) { $0 + $1.count }))
        var at = 0
        for word in distinct {
            start.append(at)
            length.append(word.count)
            second.append(word.count > 1 ? word[1] : 0)
            (bytes + at).initialize(from: word, count: word.count)
            at += word.count
        }
    }

    deinit { bytes.deallocate() }

    public var isEmpty: Bool { ruleBits.isEmpty }

    /// The keywords found in `n` bytes at `p`, as bits.
    @inline(__always)
    public func scan(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var found: UInt64 = 0
        for i in 0..<n {
            var candidates = startsWith[Int(p[i])] & ~found
            while candidates != 0 {
                let k = candidates.trailingZeroBitCount
                candidates &= candidates - 1
                let m = length[k]
                // The second byte rules out almost every position before any call.
                guard m <= n - i, m < 2 || p[i + 1] == second[k] else { continue }
                if m <= 2 || memcmp(p + i + 2, bytes + start[k] + 2, m - 2) == 0 { found |= 1 << UInt64(k) }
            }
        }
        return found
    }
}
