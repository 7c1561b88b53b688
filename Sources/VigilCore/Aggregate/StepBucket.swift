/// Everything vigil keeps about one service in one step (`[defaults] step`, 1 minute by default).
struct StepBucket {
    static let samplesPerBucket = 3

    /// The step index this slot holds (`ts / step`), `.min` when empty.
    var step: Int64 = .min
    var requests = 0
    var errors = 0
    var latency: LatencySketch? = nil
    /// The first error lines of the step.
    var errorSamples: [Evidence] = []
    /// The slowest lines of the step, slowest first.
    var slowSamples: [(ms: Double, evidence: Evidence)] = []
    /// Lines of new error templates (novelty), and the first of them.
    var novel = 0
    var novelSamples: [Evidence] = []
    /// Warning-or-worse lines per template (miner index), at most `templatesPerBucket` templates:
    /// what an incident's dominant template is taken from.
    var templates: [(index: Int, count: Int)] = []
    static let templatesPerBucket = 8

    mutating func countTemplate(_ index: Int) {
        if let i = templates.firstIndex(where: { $0.index == index }) { templates[i].count += 1 }
        else if templates.count < Self.templatesPerBucket { templates.append((index, 1)) }
    }

    mutating func reset(to step: Int64) {
        templates.removeAll(keepingCapacity: true)
        novel = 0
        novelSamples.removeAll(keepingCapacity: true)
        self.step = step
        requests = 0
        errors = 0
        latency = nil
        errorSamples.removeAll(keepingCapacity: true)
        slowSamples.removeAll(keepingCapacity: true)
    }
}

/// Sums over consecutive steps of one service.
struct StepSums {
    var requests = 0
    var errors = 0
    /// Latency values in the steps (counted even when the sketches were not merged).
    var latencyCount = 0
    var novel = 0
    var latency: LatencySketch? = nil
    var errorRatio: Double? { requests > 0 ? Double(errors) / Double(requests) : nil }

    mutating func add(_ bucket: StepBucket, withLatency: Bool) {
        requests += bucket.requests
        errors += bucket.errors
        novel += bucket.novel
        latencyCount += bucket.latency?.total ?? 0
        if withLatency, let sketch = bucket.latency {
            if latency == nil { latency = sketch } else { latency!.merge(sketch) }
        }
    }
}

/// A checkpoint's copy of one step of one service (the samples are kept: incidents quote them).
extension StepBucket: Codable {
    private enum CodingKeys: String, CodingKey {
        case step, requests, errors, latency, errorSamples = "error_samples", slowMs = "slow_ms", slowSamples = "slow_samples"
        case novel, novelSamples = "novel_samples", templateIndexes = "template_indexes", templateCounts = "template_counts"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        step = try c.decode(Int64.self, forKey: .step)
        requests = try c.decode(Int.self, forKey: .requests)
        errors = try c.decode(Int.self, forKey: .errors)
        latency = try c.decodeIfPresent(LatencySketch.self, forKey: .latency)
        errorSamples = try c.decode([Evidence].self, forKey: .errorSamples)
        let slowMs = try c.decode([Double].self, forKey: .slowMs)
        let slow = try c.decode([Evidence].self, forKey: .slowSamples)
        novel = try c.decode(Int.self, forKey: .novel)
        novelSamples = try c.decode([Evidence].self, forKey: .novelSamples)
        let indexes = try c.decode([Int].self, forKey: .templateIndexes)
        let counts = try c.decode([Int].self, forKey: .templateCounts)
        guard slowMs.count == slow.count, indexes.count == counts.count else {
            throw DecodingError.dataCorruptedError(forKey: .slowMs, in: c, debugDescription: "inconsistent step bucket")
        }
        slowSamples = zip(slowMs, slow).map { ($0, $1) }
        templates = zip(indexes, counts).map { ($0, $1) }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(step, forKey: .step)
        try c.encode(requests, forKey: .requests)
        try c.encode(errors, forKey: .errors)
        try c.encodeIfPresent(latency, forKey: .latency)
        try c.encode(errorSamples, forKey: .errorSamples)
        try c.encode(slowSamples.map(\.ms), forKey: .slowMs)
        try c.encode(slowSamples.map(\.evidence), forKey: .slowSamples)
        try c.encode(novel, forKey: .novel)
        try c.encode(novelSamples, forKey: .novelSamples)
        try c.encode(templates.map(\.index), forKey: .templateIndexes)
        try c.encode(templates.map(\.count), forKey: .templateCounts)
    }
}
