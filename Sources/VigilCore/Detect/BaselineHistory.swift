/// A service's own recent past for one detector: one entry per step over the baseline span, indexed
/// by step so entries expire by event time, not by count. Steps inside an incident are not added,
/// so an incident does not raise the bar for detecting itself.
struct BaselineHistory {
    private var steps: [Int64]
    private var values: [Double]
    private var weights: [Int]

    init(spanSteps: Int) {
        let size = max(1, spanSteps)
        steps = Array(repeating: .min, count: size)
        values = Array(repeating: 0, count: size)
        weights = Array(repeating: 0, count: size)
    }

    mutating func add(step: Int64, value: Double, weight: Int) {
        let i = Int(step % Int64(steps.count))
        steps[i] = step
        values[i] = value
        weights[i] = weight
    }

    private func live(at current: Int64) -> [Int] {
        steps.indices.filter { steps[$0] != .min && steps[$0] > current - Int64(steps.count) && steps[$0] <= current && weights[$0] > 0 }
    }

    /// Steps with data inside the span (for the warm-up requirement).
    func coverage(at current: Int64) -> Int { live(at: current).count }

    /// Σ value and Σ weight over the span (errors and requests of an error-ratio baseline), and
    /// the steps they come from, in one pass without allocating.
    func totals(at current: Int64) -> (value: Double, weight: Int, steps: Int) {
        var value = 0.0, weight = 0, n = 0
        for i in steps.indices where steps[i] != .min && steps[i] > current - Int64(steps.count) && steps[i] <= current && weights[i] > 0 {
            value += values[i]; weight += weights[i]; n += 1
        }
        return (value, weight, n)
    }

    /// The entry of `step`, when kept: (value, weight).
    func entry(_ step: Int64) -> (value: Double, weight: Int)? {
        let i = Int(((step % Int64(steps.count)) + Int64(steps.count)) % Int64(steps.count))
        return steps[i] == step ? (values[i], weights[i]) : nil
    }

    /// How much more the per-step counts vary than a binomial with ratio `p` would (Pearson χ² per
    /// degree of freedom, at least 1): real errors come in clumps, and a test that assumes they
    /// do not would page on every clump. 1 until the span holds ten steps.
    func overdispersion(at current: Int64, ratio p: Double) -> Double {
        guard p > 0, p < 1 else { return 1 }
        var chi2 = 0.0, n = 0
        for i in steps.indices where steps[i] != .min && steps[i] > current - Int64(steps.count) && steps[i] <= current && weights[i] > 0 {
            let expected = Double(weights[i]) * p
            let d = values[i] - expected
            chi2 += d * d / (expected * (1 - p))
            n += 1
        }
        guard n >= 10 else { return 1 }
        return min(50, max(1, chi2 / Double(n - 1)))
    }

    /// Σ value / Σ weight (an error ratio when value = errors and weight = requests).
    func ratio(at current: Int64) -> Double? {
        let idx = live(at: current)
        let weight = idx.reduce(0) { $0 + weights[$1] }
        guard weight > 0 else { return nil }
        return idx.reduce(0.0) { $0 + values[$1] } / Double(weight)
    }

    /// The median of the values (a latency percentile per step).
    func median(at current: Int64) -> Double? {
        let sorted = live(at: current).map { values[$0] }.sorted()
        guard !sorted.isEmpty else { return nil }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// The median absolute deviation from `center` (a robust spread: 1.4826 × MAD estimates σ).
    func medianAbsoluteDeviation(at current: Int64, around center: Double) -> Double? {
        let sorted = live(at: current).map { abs(values[$0] - center) }.sorted()
        guard !sorted.isEmpty else { return nil }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// Checkpoints keep only the steps that hold data.
extension BaselineHistory: Codable {
    private enum CodingKeys: String, CodingKey { case size, steps, values, weights }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let size = try c.decode(Int.self, forKey: .size)
        let used = try c.decode([Int64].self, forKey: .steps)
        let v = try c.decode([Double].self, forKey: .values)
        let w = try c.decode([Int].self, forKey: .weights)
        guard size > 0, size <= 1 << 24, used.count == v.count, used.count == w.count else {
            throw DecodingError.dataCorruptedError(forKey: .steps, in: c, debugDescription: "inconsistent baseline history")
        }
        self.init(spanSteps: size)
        for (k, step) in used.enumerated() { add(step: step, value: v[k], weight: w[k]) }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let used = steps.indices.filter { steps[$0] != .min }
        try c.encode(steps.count, forKey: .size)
        try c.encode(used.map { steps[$0] }, forKey: .steps)
        try c.encode(used.map { values[$0] }, forKey: .values)
        try c.encode(used.map { weights[$0] }, forKey: .weights)
    }
}
