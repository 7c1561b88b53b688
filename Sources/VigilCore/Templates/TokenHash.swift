/// Deterministic 64-bit hashing of tokens and token sequences.
///
/// Swift's `Hasher` is seeded per process, so anything derived from it (tree paths, the repeat
/// memo) would differ between runs; these functions do not, and they are cheaper.
/// Tokens are compared by hash alone: with 64 bits, a false match needs about 4 × 10⁹ distinct
/// tokens to reach a one-in-a-billion chance, far beyond what one miner holds.
public enum TokenHash {
    /// The hash of `<*>`: a wildcard position in a template, a masked variable in a line.
    public static let wildcard: UInt64 = 0

    /// A hash of `n` bytes at `p`, never equal to `wildcard`: eight bytes per multiply, the tail
    /// assembled byte by byte (no read past the end), then a splitmix finaliser.
    @inline(__always)
    public static func bytes(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x243f_6a88_85a3_08d3 ^ UInt64(truncatingIfNeeded: n)
        var i = 0
        while i + 8 <= n {
            let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            h = (h ^ word) &* 0x9e37_79b9_7f4a_7c15
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0x9e37_79b9_7f4a_7c15
        }
        h = (h ^ (h >> 31)) &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 27
        return h == wildcard ? 1 : h
    }

    /// The hash a template token's text has: `wildcard` for `<*>`, else FNV-1a of its bytes.
    public static func token<C: Collection>(_ text: C) -> UInt64 where C.Element == UInt8 {
        if text.count == 3, text.elementsEqual(wildcardText) { return wildcard }
        let bytes = Array(text)
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return TokenHash.bytes(emptyByte, 0) }
            return TokenHash.bytes(base, buffer.count)
        }
    }

    /// Combines `value` into the running hash `h`; order matters, so `[a, b]` and `[b, a]` differ.
    @inline(__always)
    public static func mix(_ h: UInt64, _ value: UInt64) -> UInt64 {
        var x = (h &* 0x9e37_79b9_7f4a_7c15) ^ value
        x = (x ^ (x >> 30)) &* 0xbf58_476d_1ce4_e5b9
        x = (x ^ (x >> 27)) &* 0x94d0_49bb_1331_11eb
        return x ^ (x >> 31)
    }

    /// `<*>` as bytes.
    public static let wildcardText: [UInt8] = Array("<*>".utf8)
    nonisolated(unsafe) private static let emptyByte = UnsafePointer<UInt8>(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
}
