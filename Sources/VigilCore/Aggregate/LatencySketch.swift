import Foundation

/// Log-bucketed latency histogram (DDSketch-style) with a fixed relative error.
///
/// Bucket `i` holds values in `(m·γ^(i-1), m·γ^i]` with `γ = 1.02` and `m = 0.01 ms`; a quantile is
/// answered with the bucket's midpoint `2·m·γ^i / (γ + 1)`, so its relative error is at most
/// `(γ − 1)/(γ + 1)` ≈ **1 %** for any value in [0.01 ms, 10⁷ ms] (values outside are clamped).
/// Quantiles use the nearest-rank definition. Merging is adding bucket counts, so window
/// percentiles are exact merges of per-step sketches: no error accumulates across steps.
///
/// Only the buckets from the lowest to the highest value seen are stored (a service's latencies in
/// one step span a few dozen of the 1,048): every service keeps a sketch per step of its window, so
/// with thousands of services the dense array was most of the memory.
public struct LatencySketch: Sendable {
    public static let gamma = 1.02
    public static let minimumMs = 0.01
    public static let bucketCount = 1048
    /// Upper bound of the relative error of any quantile answered (for values inside the range).
    public static let relativeError = (gamma - 1) / (gamma + 1)
    private static let inverseLogGamma = 1 / log(gamma)

    /// Counts of buckets `low ..< low + counts.count`.
    private var counts: [UInt32] = []
    private var low = 0
    public private(set) var total: Int = 0

    public init() {}

    /// The count of bucket `i`.
    public func count(ofBucket i: Int) -> UInt32 {
        let k = i - low
        return k >= 0 && k < counts.count ? counts[k] : 0
    }

    @inline(__always)
    static func bucket(_ ms: Double) -> Int {
        guard ms > minimumMs else { return 0 }
        let i = Int((log(ms / minimumMs) * inverseLogGamma).rounded(.up))
        return min(max(i, 0), bucketCount - 1)
    }

    /// The buckets of the whole milliseconds below 16384, computed once with `bucket` itself: most
    /// latencies are logged as whole milliseconds, and a table lookup spares them the logarithm.
    private static let wholeMsBuckets: [UInt16] = (0..<16384).map { UInt16(bucket(Double($0))) }

    /// Latencies logged in seconds with three decimals (nginx `rt=0.057`) are not whole milliseconds
    /// once converted: per whole millisecond below 16384, the value the parser makes of its text in
    /// seconds, and that value's bucket. A latency equal to the value takes the bucket, exactly.
    private static let secondsMs: [(ms: Double, bucket: UInt16)] = (0..<16384).map { k in
        // "s.mmm" (k < 16384: seconds are at most two digits).
        let f = k % 1000
        var text: [UInt8] = k >= 10_000 ? [UInt8(48 + k / 10_000)] : []
        text += [UInt8(48 + k / 1000 % 10), 46, UInt8(48 + f / 100), UInt8(48 + f / 10 % 10), UInt8(48 + f % 10)]
        let ms = text.withUnsafeBufferPointer { ByteNumber.latencyMs($0.baseAddress!, $0.count, bareUnitMs: 1000) } ?? -1
        return (ms, UInt16(bucket(ms)))
    }

    /// `bucket(ms)`, from a table when `ms` is a whole number in it or a value in `secondsMs`.
    @inline(__always)
    static func fastBucket(_ ms: Double) -> Int {
        if ms >= 0, ms < 16383 {
            let whole = Int(ms)
            if Double(whole) == ms { return Int(wholeMsBuckets[whole]) }
            let nearest = secondsMs[Int(ms + 0.5)]
            if nearest.ms == ms { return Int(nearest.bucket) }
        }
        return bucket(ms)
    }

    @inline(__always)
    public mutating func record(_ ms: Double) {
        let k = LatencySketch.fastBucket(ms) - low
        if k >= 0, k < counts.count { counts[k] &+= 1 } else { add(1, toBucket: k + low) }
        total += 1
    }

    /// Adds `n` to bucket `i`, first widening the stored range to it. The range grows by at least
    /// eight buckets at a time, so values creeping outward do not reallocate at every step.
    private mutating func add(_ n: UInt32, toBucket i: Int) {
        if counts.isEmpty {
            low = i
            counts = [UInt32](repeating: 0, count: 1)
        } else if i < low {
            let newLow = max(0, min(i, low - 8))
            counts.insert(contentsOf: repeatElement(0, count: low - newLow), at: 0)
            low = newLow
        } else if i >= low + counts.count {
            let newEnd = min(LatencySketch.bucketCount, max(i + 1, low + counts.count + 8))
            counts.append(contentsOf: repeatElement(0, count: newEnd - low - counts.count))
        }
        counts[i - low] &+= n
    }

    public mutating func merge(_ other: LatencySketch) {
        guard let first = other.counts.firstIndex(where: { $0 != 0 }), let last = other.counts.lastIndex(where: { $0 != 0 }) else {
            total += other.total
            return
        }
        // Widen once to the other's range, then add bucket by bucket.
        add(0, toBucket: other.low + first)
        add(0, toBucket: other.low + last)
        let offset = other.low - low
        for k in first...last { counts[k + offset] &+= other.counts[k] }
        total += other.total
    }

    /// The `q`-quantile (0 < q ≤ 1) in milliseconds, nil when empty.
    public func quantile(_ q: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for k in counts.indices {
            seen += Int(counts[k])
            if seen >= rank { return LatencySketch.value(ofBucket: low + k) }
        }
        return LatencySketch.value(ofBucket: LatencySketch.bucketCount - 1)
    }

    /// Values in buckets above the one holding `ms`: the latency detector's exceedance count.
    /// Under an unchanged distribution at most `1 − q` of the values lie above its `q`-quantile's
    /// bucket, whatever the distribution's shape.
    public func count(aboveBucketOf ms: Double) -> Int {
        let first = LatencySketch.bucket(ms) + 1 - low
        guard first < counts.count else { return 0 }
        var n = 0
        for k in max(0, first)..<counts.count { n += Int(counts[k]) }
        return n
    }

    /// Buckets stored (the range from the lowest to the highest value seen, plus slack).
    var storedBuckets: Int { counts.count }

    /// The buckets that hold values, in order, with their counts.
    var nonEmptyBuckets: [(bucket: Int, count: UInt32)] {
        counts.indices.compactMap { k in counts[k] == 0 ? nil : (low + k, counts[k]) }
    }

    static func value(ofBucket i: Int) -> Double {
        guard i > 0 else { return minimumMs }
        return 2 * minimumMs * pow(gamma, Double(i)) / (gamma + 1)
    }
}

/// Checkpoints keep the non-empty buckets only (a step's sketch touches a few dozen of 1,048).
extension LatencySketch: Codable {
    private enum CodingKeys: String, CodingKey { case buckets, counts }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let buckets = try c.decode([Int].self, forKey: .buckets)
        let n = try c.decode([UInt32].self, forKey: .counts)
        guard buckets.count == n.count, buckets.allSatisfy({ $0 >= 0 && $0 < LatencySketch.bucketCount }) else {
            throw DecodingError.dataCorruptedError(forKey: .buckets, in: c, debugDescription: "bad latency sketch")
        }
        self.init()
        for (k, i) in buckets.enumerated() where n[k] > 0 { add(n[k], toBucket: i); total += Int(n[k]) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let used = nonEmptyBuckets
        try c.encode(used.map(\.bucket), forKey: .buckets)
        try c.encode(used.map(\.count), forKey: .counts)
    }
}

/// Equal when they hold the same values, however wide the stored ranges.
extension LatencySketch: Equatable {
    public static func == (a: LatencySketch, b: LatencySketch) -> Bool {
        a.total == b.total && a.nonEmptyBuckets.elementsEqual(b.nonEmptyBuckets) { $0.bucket == $1.bucket && $0.count == $1.count }
    }
}
