/// A service's own cycle of traffic (`[defaults] season`, a day by default): its usual events per
/// step in each of `bucketCount` phases of the cycle, learned from earlier cycles. It stands in for
/// the fleet's load factor when there is no fleet to compare with (fewer than three busy services:
/// a sidecar beside one app), so that the app's nightly lull is not taken for silence and its
/// morning rise not for a spike. The same phase of earlier cycles is the baseline (what Datadog and
/// Elastic call seasonality), averaged over cycles with an exponential weight so that it follows a
/// trend. 96 phases (15 minutes of a day) keep it to a few hundred bytes per service.
struct SeasonalProfile: Codable, Equatable {
    static let bucketCount = 96
    /// Weight of the newest cycle in a phase's mean (older cycles fade: the profile follows a trend).
    static let newest = 0.3

    /// Mean events per step of each phase (load-adjusted, like the counts volume keeps).
    private(set) var means: [Float]
    /// Cycles that have contributed to each phase, capped.
    private(set) var cycles: [UInt8]
    /// The phase and cycle of the last step added, and the running sum of that phase in this cycle.
    private var current: (bucket: Int, cycle: Int64, sum: Double, steps: Int)?
    /// The first step added: a whole cycle after it, every phase has had its chance (a phase with no
    /// events at all, a service silent every night, stays at 0).
    private(set) var firstStep: Int64?

    init() {
        means = Array(repeating: 0, count: Self.bucketCount)
        cycles = Array(repeating: 0, count: Self.bucketCount)
    }

    /// The phase of `step` in a cycle of `seasonSteps` steps.
    static func bucket(_ step: Int64, seasonSteps: Int64) -> (bucket: Int, cycle: Int64) {
        let position = ((step % seasonSteps) + seasonSteps) % seasonSteps
        return (Int(position * Int64(bucketCount) / seasonSteps), (step - position) / seasonSteps)
    }

    /// Adds one step's (load-adjusted) count. A phase's mean takes a cycle's steps when the phase ends.
    mutating func add(step: Int64, count: Double, seasonSteps: Int64) {
        if firstStep == nil { firstStep = step }
        let (bucket, cycle) = Self.bucket(step, seasonSteps: seasonSteps)
        if let c = current, c.bucket == bucket, c.cycle == cycle {
            current = (bucket, cycle, c.sum + count, c.steps + 1)
            return
        }
        closePhase()
        current = (bucket, cycle, count, 1)
    }

    /// Whether the phase of `step` has a mean from an earlier cycle.
    func learned(at step: Int64, seasonSteps: Int64) -> Bool {
        cycles[Self.bucket(step, seasonSteps: seasonSteps).bucket] > 0
    }

    private mutating func closePhase() {
        guard let c = current, c.steps > 0 else { return }
        let mean = Float(c.sum / Double(c.steps))
        means[c.bucket] = cycles[c.bucket] == 0 ? mean : means[c.bucket] + Float(Self.newest) * (mean - means[c.bucket])
        cycles[c.bucket] = min(cycles[c.bucket] &+ 1, 200)
        current = nil
    }

    /// How the phase of `step` compares with the cycle's mean (1: a usual phase; 0.1: a lull), once
    /// a whole cycle has been watched and the phase itself was learned (it is not while the service
    /// is silent); nil otherwise.
    func factor(at step: Int64, seasonSteps: Int64) -> Double? {
        guard let firstStep, step >= firstStep + seasonSteps else { return nil }
        let bucket = Self.bucket(step, seasonSteps: seasonSteps).bucket
        guard cycles[bucket] > 0 else { return nil }
        let overall = Double(means.reduce(0, +)) / Double(Self.bucketCount)
        guard overall > 0 else { return nil }
        let here = Double(means[bucket])
        return max(0.05, here / overall)
    }
}

extension SeasonalProfile {
    private enum CodingKeys: String, CodingKey { case means, cycles, bucket, cycle, sum, steps, firstStep = "first_step" }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        means = try c.decode([Float].self, forKey: .means)
        cycles = try c.decode([UInt8].self, forKey: .cycles)
        guard means.count == Self.bucketCount, cycles.count == Self.bucketCount else {
            throw DecodingError.dataCorruptedError(forKey: .means, in: c, debugDescription: "seasonal profile of another size")
        }
        firstStep = try c.decodeIfPresent(Int64.self, forKey: .firstStep)
        if let bucket = try c.decodeIfPresent(Int.self, forKey: .bucket), (0..<Self.bucketCount).contains(bucket) {
            current = (bucket, try c.decode(Int64.self, forKey: .cycle), try c.decode(Double.self, forKey: .sum), try c.decode(Int.self, forKey: .steps))
        }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(means, forKey: .means)
        try c.encode(cycles, forKey: .cycles)
        try c.encodeIfPresent(firstStep, forKey: .firstStep)
        if let current {
            try c.encode(current.bucket, forKey: .bucket)
            try c.encode(current.cycle, forKey: .cycle)
            try c.encode(current.sum, forKey: .sum)
            try c.encode(current.steps, forKey: .steps)
        }
    }

    static func == (a: SeasonalProfile, b: SeasonalProfile) -> Bool {
        a.means == b.means && a.cycles == b.cycles && a.firstStep == b.firstStep && a.current?.bucket == b.current?.bucket && a.current?.cycle == b.current?.cycle
            && a.current?.sum == b.current?.sum && a.current?.steps == b.current?.steps
    }
}
