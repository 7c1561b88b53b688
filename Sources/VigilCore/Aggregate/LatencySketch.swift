import Foundation

/// Log-bucketed latency histogram (DDSketch-style) with a fixed relative error.
///
/// Bucket `i` holds values in `(m·γ^(i-1), m·γ^i]` with `γ = 1.02` and `m = 0.01 ms`; a quantile is
/// answered with the bucket's midpoint `2·m·γ^i / (γ + 1)`, so its relative error is at most
/// `(γ − 1)/(γ + 1)` ≈ **1 %** for any value in [0.01 ms, 10⁷ ms] (values outside are clamped).
/// Quantiles use the nearest-rank definition. Merging is adding bucket counts, so window
/// percentiles are exact merges of per-step sketches: no error accumulates across steps.
public struct LatencySketch: Sendable, Equatable {
    public static let gamma = 1.02
    public static let minimumMs = 0.01
    public static let bucketCount = 1048
    /// Upper bound of the relative error of any quantile answered (for values inside the range).
    public static let relativeError = (gamma - 1) / (gamma + 1)
    private static let inverseLogGamma = 1 / log(gamma)

    public private(set) var counts: [UInt32]
    public private(set) var total: Int = 0

    public init() { counts = [UInt32](repeating: 0, count: LatencySketch.bucketCount) }

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
        counts[LatencySketch.fastBucket(ms)] &+= 1
        total += 1
    }

    public mutating func merge(_ other: LatencySketch) {
        guard other.total > 0 else { return }
        for i in 0..<LatencySketch.bucketCount { counts[i] &+= other.counts[i] }
        total += other.total
    }

    /// The `q`-quantile (0 < q ≤ 1) in milliseconds, nil when empty.
    public func quantile(_ q: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for i in 0..<LatencySketch.bucketCount {
            seen += Int(counts[i])
            if seen >= rank { return LatencySketch.value(ofBucket: i) }
        }
        return LatencySketch.value(ofBucket: LatencySketch.bucketCount - 1)
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
        for (k, i) in buckets.enumerated() { counts[i] = n[k]; total += Int(n[k]) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let used = counts.indices.filter { counts[$0] != 0 }
        try c.encode(used, forKey: .buckets)
        try c.encode(used.map { counts[$0] }, forKey: .counts)
    }
}
