/// Error ratio and latency: a shift from the service's own baseline that is both beyond chance and
/// material. Each trailing span of 1 … `window` steps ending at the step just closed is judged, and
/// the strongest one that is material decides: a sharp rise on a busy service shows in its first
/// step, a rise on a quiet service only once several steps have gathered enough events.
extension DetectorEngine {
    /// The strongest material span: its z score, length in steps and value (error ratio or
    /// percentile), which the record quotes when it is not the whole window.
    struct Shift {
        var z: Double
        var steps: Int
        var value: Double
    }

    /// error_ratio. Baseline: Σ errors ÷ Σ requests over `baseline` (steps inside an incident left
    /// out). Bar: `max(floor, baseline × factor, baseline + min_delta)`. Evidence: the span's errors
    /// against its requests × an upper bound of the baseline ratio (a baseline of few requests is
    /// uncertain), as a Poisson deviance z divided by the square root of the history's
    /// overdispersion; it must reach the z of `significance`, with `min_events` and `min_errors`.
    func measureErrorRatio(_ rule: DetectorRule, _ p: DetectorParams, _ service: ServiceWindow, step: Int64, history: BaselineHistory,
                           resolveSteps: Int) -> Measurement {
        let sums = service.sums(endingAt: step, count: windowSteps)
        // The baseline ends where the window begins: the steps judged (pending ones are in the
        // history) must not raise their own bar. Older steps of a longer span are in both, which
        // only makes the test more conservative.
        let spanSteps = Self.errorSpanFactor * windowSteps
        // The baseline (ratio and overdispersion) ends where the window begins: the steps judged
        // are in the history while pending, and must not raise their own bar. Older steps of a
        // longer span are in both, which only makes the test more conservative. A history too
        // short to leave the window out is used whole, so warm-up stays `warmup`.
        let warmupSteps = max(1, Int(p.warmup / rules.window.step))
        let full = history.totals(at: step - 1)
        let lagged = history.totals(at: step - Int64(windowSteps))
        let baselineEnd = lagged.steps >= warmupSteps && lagged.weight > 0 ? step - Int64(windowSteps) : step - 1
        let totals = baselineEnd == step - 1 ? full : lagged
        let baseline: Double? = full.steps >= warmupSteps && totals.weight > 0 ? totals.value / Double(totals.weight) : nil
        let threshold = max(p.floor, (baseline ?? 0) * p.factor, (baseline ?? 0) + p.minDelta)
        let ratio = sums.requests >= p.minEvents ? sums.errorRatio : nil
        var shift: Shift?
        if let baseline {
            let expectedRate = Significance.upperRate(events: totals.value, exposure: Double(totals.weight))
            let spread = history.overdispersion(at: baselineEnd, ratio: baseline).squareRoot()
            var requests = 0, errors = 0
            for k in 1...spanSteps {
                // The ring holds the window; older steps of the span come from the history.
                if k <= windowSteps {
                    if let b = service.bucket(at: step - Int64(k) + 1) { requests += b.requests; errors += b.errors }
                } else {
                    // Older evidence only supports a window that is itself material: an ended burst
                    // in the history must not keep (or reopen) an incident.
                    guard let window = ratio, window >= threshold else { break }
                    if let e = history.entry(step - Int64(k) + 1) { requests += e.weight; errors += Int(e.value) }
                }
                guard requests >= p.minEvents, errors >= p.minErrors,
                      Double(errors) >= threshold * Double(requests) else { continue }
                let z = Significance.poissonZ(observed: Double(errors), expected: Double(requests) * expectedRate) / spread
                if z > (shift?.z ?? -.infinity) { shift = Shift(z: z, steps: k, value: Double(errors) / Double(requests)) }
            }
        }
        let recent = service.sums(endingAt: step, count: resolveSteps)
        let clear = recent.requests > 0 && (recent.errorRatio ?? 0) < threshold * p.resolveBelow
        let own = service.sums(endingAt: step, count: 1)
        return Measurement(value: ratio, baseline: baseline, threshold: threshold,
                           holds: ratio != nil && (shift?.z ?? 0) >= p.zThreshold, clear: clear,
                           severity: severity(rule, p, value: ratio ?? 0, baseline: baseline ?? 0), historyValue: Double(own.errors), historyWeight: own.requests, sums: sums,
                           recentValue: recent.errorRatio, recentSums: recent, recentSteps: resolveSteps,
                           extra: Self.evidenceMetrics(shift, stepMs: rules.window.step), shift: shift)
    }

    /// latency. Baseline: the median of the per-step percentiles over `baseline`. Bar:
    /// `max(floor_ms, baseline × factor, baseline + min_delta_ms)`. Evidence: the share of the span's
    /// values above the baseline percentile's bucket against the share an unchanged distribution
    /// leaves there (5 % for p95), as a binomial deviance z — a shift of the whole distribution,
    /// not one noisy quantile — at the z of `significance`, with `min_events` values.
    func measureLatency(_ rule: DetectorRule, _ p: DetectorParams, _ service: ServiceWindow, step: Int64, history: BaselineHistory,
                        resolveSteps: Int, warm: Bool, firing: Bool) -> Measurement {
        let q = p.percentile / 100
        let sums = service.sums(endingAt: step, count: windowSteps, latencyAtLeast: p.minEvents)
        let baseline = warm ? history.median(at: step - 1) : nil
        let threshold = max(p.floorMs, (baseline ?? 0) * p.factor, (baseline ?? 0) + p.minDeltaMs)
        let value = sums.latencyCount >= p.minEvents ? sums.latency?.quantile(q) : nil
        var shift: Shift?
        if let baseline, value != nil {
            var merged: LatencySketch?
            for k in 1...windowSteps {
                guard let sketch = service.bucket(at: step - Int64(k) + 1)?.latency else { continue }
                if merged == nil { merged = sketch } else { merged!.merge(sketch) }
                let n = merged!.total
                guard n >= p.minEvents, let v = merged!.quantile(q), v >= threshold else { continue }
                let above = merged!.count(aboveBucketOf: baseline)
                let z = Significance.binomialZ(successes: Double(above), trials: Double(n), p: 1 - q)
                if z > (shift?.z ?? -.infinity) { shift = Shift(z: z, steps: k, value: v) }
            }
        }
        // Only a firing incident asks whether the recent steps are clear.
        let recent = service.sums(endingAt: step, count: resolveSteps, latencyAtLeast: firing ? 1 : .max)
        let recentValue = recent.latency?.quantile(q)
        let clear = recentValue.map { $0 < threshold * p.resolveBelow } ?? false
        // History: this step's own percentile, when the step has enough values to mean something.
        let minimumOwn = max(5, p.minEvents / max(1, windowSteps))
        let own = service.sums(endingAt: step, count: 1, latencyAtLeast: minimumOwn)
        let enough = own.latencyCount >= minimumOwn
        return Measurement(value: value, baseline: baseline, threshold: threshold,
                           holds: (shift?.z ?? 0) >= p.zThreshold, clear: clear,
                           severity: severity(rule, p, value: value ?? 0, baseline: baseline ?? 0), historyValue: enough ? own.latency!.quantile(q)! : 0, historyWeight: enough ? 1 : 0,
                           sums: sums, recentValue: recentValue, recentSums: recent, recentSteps: resolveSteps,
                           extra: Self.evidenceMetrics(shift, stepMs: rules.window.step), shift: shift)
    }

    /// Error-ratio spans reach back this many windows: a 2× rise on a few hundred events a minute
    /// needs more than one window of evidence, and the per-step counts are kept anyway.
    static let errorSpanFactor = 3

    /// `z_score`, `p_value` and `evidence_span_s` of the deciding span, for the record.
    static func evidenceMetrics(_ shift: Shift?, stepMs: EventTime) -> [(name: String, value: Double?)] {
        guard let shift else { return [] }
        let z = min(shift.z, 99)
        return [("z_score", (z * 100).rounded() / 100), ("p_value", Significance.upperTail(z)),
                ("evidence_span_s", Double(Int64(shift.steps) * stepMs / 1000))]
    }
}
