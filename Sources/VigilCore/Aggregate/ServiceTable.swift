#if canImport(Glibc)
import Glibc
#endif

/// Interns service names given as bytes: a lookup hashes and compares bytes and allocates nothing;
/// only a service seen for the first time becomes a `String`.
struct ServiceTable {
    private var slots: [Int32]          // index into `keys`, -1 when free
    private var hashes: [UInt64]
    private(set) var keys: [[UInt8]] = []
    private(set) var names: [String] = []

    init() {
        slots = Array(repeating: -1, count: 64)
        hashes = Array(repeating: 0, count: 64)
    }

    /// Eight bytes per multiply rather than one (service names are short: one or two words). The
    /// hash only places keys in slots; ids are given in order of first sight, so it never shows.
    @inline(__always)
    private static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        @inline(__always) func mix(_ h: UInt64, _ word: UInt64) -> UInt64 {
            let m = (h ^ word) &* 0x9e37_79b9_7f4a_7c15
            return m ^ (m >> 32)
        }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(truncatingIfNeeded: n)
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 8 <= n {
            h = mix(h, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n { tail |= UInt64(p[i]) << shift; shift += 8; i += 1 }
            h = mix(h, tail)
        }
        return h
    }

    /// The id of the service named by `n` bytes at `p`, and whether it is new; nil when it is not
    /// known and `allowNew` is false (the table is full).
    mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int, allowNew: Bool = true) -> (id: Int, isNew: Bool)? {
        let h = ServiceTable.hash(p, n)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] >= 0 {
            let k = Int(slots[i])
            if hashes[i] == h, keys[k].count == n, keys[k].withUnsafeBufferPointer({ memcmp($0.baseAddress!, p, n) == 0 }) {
                return (k, false)
            }
            i = (i + 1) & mask
        }
        guard allowNew else { return nil }
        let key = Array(UnsafeBufferPointer(start: p, count: n))
        keys.append(key)
        names.append(String(decoding: key, as: UTF8.self))
        slots[i] = Int32(keys.count - 1)
        hashes[i] = h
        if keys.count * 2 > slots.count { grow() }
        return (keys.count - 1, true)
    }

    private mutating func grow() {
        let oldSlots = slots, oldHashes = hashes
        slots = Array(repeating: -1, count: oldSlots.count * 2)
        hashes = Array(repeating: 0, count: oldSlots.count * 2)
        let mask = slots.count - 1
        for (j, slot) in oldSlots.enumerated() where slot >= 0 {
            var i = Int(truncatingIfNeeded: oldHashes[j]) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = slot
            hashes[i] = oldHashes[j]
        }
    }
}
