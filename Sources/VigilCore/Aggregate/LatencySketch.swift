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

    @inline(__always)
    public mutating func record(_ ms: Double) {
        counts[LatencySketch.bucket(ms)] &+= 1
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
