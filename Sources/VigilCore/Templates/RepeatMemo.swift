/// Masked-line hash → template index, with open addressing: the miner's fast path for lines it
/// has seen before. Keys are already well-mixed 64-bit hashes, so they index the table directly
/// (Swift's `Dictionary` would hash them again with SipHash on every line).
struct RepeatMemo {
    private var keys: [UInt64]
    private var values: [Int32]
    private let mask: Int
    private let limit: Int
    private(set) var count = 0

    /// A memo holding up to `entries` lines; it empties itself when full. 0 disables it.
    init(entries: Int) {
        limit = max(entries, 0)
        var capacity = 16
        while capacity < limit * 2 { capacity <<= 1 }
        keys = [UInt64](repeating: 0, count: capacity)
        values = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    // 0 marks an empty slot, so a key of 0 is stored as 1 (a collision of 2⁻⁶⁴).
    @inline(__always) private static func slotKey(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

    func get(_ key: UInt64) -> Int32? {
        guard limit > 0 else { return nil }
        let k = Self.slotKey(key)
        var slot = Int(truncatingIfNeeded: k) & mask
        while true {
            let stored = keys[slot]
            if stored == k { return values[slot] }
            if stored == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }

    mutating func set(_ key: UInt64, _ value: Int32) {
        guard limit > 0 else { return }
        if count >= limit { clear() }
        let k = Self.slotKey(key)
        var slot = Int(truncatingIfNeeded: k) & mask
        while keys[slot] != 0 && keys[slot] != k { slot = (slot + 1) & mask }
        if keys[slot] == 0 { count += 1 }
        keys[slot] = k
        values[slot] = value
    }

    mutating func clear() {
        for i in keys.indices { keys[i] = 0 }
        count = 0
    }
}
