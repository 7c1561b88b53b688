/// Good and bad events per step of one service with an SLO objective, kept for the longest
/// burn-rate window (3 days). Indexed by step, so entries expire by event time and steps skipped
/// while the service was idle read as empty.
///
/// Memory: two 32-bit counters and a step index per step of the span, 16 bytes × 3 d ÷ `step`
/// (69 KB per service at the default 1-minute step), and only for services with an objective.
struct SLOHistory {
    private var steps: [Int64]
    private var requests: [Int32]
    private var errors: [Int32]
    /// The first step recorded: a window is only judged once the history covers it.
    private(set) var firstStep: Int64 = .max

    /// The span kept: the longest window of `BurnRateWindows`.
    static let span: EventTime = 3 * 86_400_000

    init(stepMs: EventTime) {
        let size = Int(max(1, (Self.span + stepMs - 1) / stepMs))
        steps = Array(repeating: .min, count: size)
        requests = Array(repeating: 0, count: size)
        errors = Array(repeating: 0, count: size)
    }

    mutating func add(step: Int64, requests r: Int, errors e: Int) {
        let i = Int(((step % Int64(steps.count)) + Int64(steps.count)) % Int64(steps.count))
        steps[i] = step
        requests[i] = Int32(clamping: r)
        errors[i] = Int32(clamping: e)
        if step < firstStep { firstStep = step }
    }

    /// Events and errors of steps `last - count + 1 … last` (at most the span).
    func sums(endingAt last: Int64, count: Int) -> (requests: Int, errors: Int) {
        var r = 0, e = 0
        let n = min(count, steps.count)
        for step in (last - Int64(n) + 1)...last {
            let i = Int(((step % Int64(steps.count)) + Int64(steps.count)) % Int64(steps.count))
            if steps[i] == step { r += Int(requests[i]); e += Int(errors[i]) }
        }
        return (r, e)
    }

    /// Steps from the first recorded one to `last`, inclusive.
    func covered(at last: Int64) -> Int { firstStep == .max || last < firstStep ? 0 : Int(last - firstStep + 1) }
}

/// One alerting pair of the SRE workbook's multi-window multi-burn-rate scheme: an incident when the
/// burn rate over both the long and the short window is at least `factor`.
struct BurnRateWindow {
    let long: EventTime
    let short: EventTime
    let factor: Double
    let severity: Severity
    /// `labels.burn_window`, e.g. `1h/5m`.
    var label: String { Format.duration(long) + "/" + Format.duration(short) }

    /// 2 % of a 30-day budget in 1 h (page), 5 % in 6 h, 10 % in 3 d (ticket).
    static let all: [BurnRateWindow] = [
        BurnRateWindow(long: 3_600_000, short: 300_000, factor: 14.4, severity: .critical),
        BurnRateWindow(long: 6 * 3_600_000, short: 1_800_000, factor: 6, severity: .error),
        BurnRateWindow(long: 3 * 86_400_000, short: 6 * 3_600_000, factor: 1, severity: .warning),
    ]
}

/// Checkpoints keep only the steps that hold data (most of a 3-day span is empty for a new service).
extension SLOHistory: Codable {
    private enum CodingKeys: String, CodingKey { case size, steps, requests, errors, firstStep = "first_step" }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let size = try c.decode(Int.self, forKey: .size)
        let used = try c.decode([Int64].self, forKey: .steps)
        let r = try c.decode([Int32].self, forKey: .requests)
        let e = try c.decode([Int32].self, forKey: .errors)
        guard size > 0, size <= 1 << 24, used.count == r.count, used.count == e.count else {
            throw DecodingError.dataCorruptedError(forKey: .steps, in: c, debugDescription: "inconsistent SLO history")
        }
        steps = Array(repeating: .min, count: size)
        requests = Array(repeating: 0, count: size)
        errors = Array(repeating: 0, count: size)
        for (k, step) in used.enumerated() {
            let i = Int(((step % Int64(size)) + Int64(size)) % Int64(size))
            steps[i] = step; requests[i] = r[k]; errors[i] = e[k]
        }
        firstStep = try c.decode(Int64.self, forKey: .firstStep)
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let used = steps.indices.filter { steps[$0] != .min }
        try c.encode(steps.count, forKey: .size)
        try c.encode(used.map { steps[$0] }, forKey: .steps)
        try c.encode(used.map { requests[$0] }, forKey: .requests)
        try c.encode(used.map { errors[$0] }, forKey: .errors)
        try c.encode(firstStep, forKey: .firstStep)
    }
}
