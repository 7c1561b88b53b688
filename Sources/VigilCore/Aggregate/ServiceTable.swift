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

    @inline(__always)
    private static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x100000001b3 }
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
