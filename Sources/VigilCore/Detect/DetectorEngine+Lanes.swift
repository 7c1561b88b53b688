import Foundation

extension DetectorEngine {
    /// volume: lane 0 spike, lane 1 drop. Counts are divided by the fleet's load factor `load`
    /// (see `loadFactor`) before anything is compared or kept: a wave of load that every service
    /// rides leaves them unchanged, and the baseline does not drift with it. Value: the step's
    /// load-adjusted events. Baseline: their median over `baseline`, with a robust spread
    /// σ = max(1.4826 × MAD, √median) (the square root is the Poisson spread, which keeps a very
    /// regular service from firing on a handful of lines). A spike needs at least
    /// `max(median × factor, median + deviations × σ, min_events)`; a drop at most
    /// `min(median ÷ factor, median − deviations × σ)` from a service whose median is at least
    /// `min_events`, and no silence that absence already reports.
    func measureVolume(_ p: DetectorParams, _ service: ServiceWindow, step: Int64, history: BaselineHistory,
                       resolveSteps: Int, silent: Bool, severity: Severity, load: Double) -> [Measurement?] {
        let warm = history.coverage(at: step - 1) >= Int(p.warmup / rules.window.step)
        let median = warm ? history.median(at: step - 1) : nil
        let own = service.sums(endingAt: step, count: 1)
        let value = Double(own.requests) / load
        let recent = service.sums(endingAt: step, count: resolveSteps)
        let recentMean = Double(recent.requests) / Double(resolveSteps) / load
        let sums = service.sums(endingAt: step, count: windowSteps)
        var spike: Measurement?, drop: Measurement?
        let center = median ?? 0
        let mad = median.flatMap { history.medianAbsoluteDeviation(at: step - 1, around: $0) } ?? 0
        let sigma = max(1.4826 * mad, center.squareRoot())
        let extra: [(name: String, value: Double?)] = [("baseline_mad", median == nil ? nil : mad), ("load_factor", load),
                                                       ("expected_events", median.map { $0 * load })]
        if p.direction != .drop {
            let threshold = max(center * p.factor, center + p.deviations * sigma, Double(p.minEvents))
            spike = Measurement(value: value, baseline: median, threshold: threshold,
                                holds: median != nil && value >= threshold,
                                clear: recentMean < threshold * p.resolveBelow, severity: severity,
                                historyValue: value, historyWeight: silent ? 0 : 1, sums: sums,
                                recentValue: recentMean, recentSums: recent, recentSteps: resolveSteps, extra: extra)
        }
        if p.direction != .spike {
            let threshold = max(0, min(center / p.factor, center - p.deviations * sigma))
            drop = Measurement(value: value, baseline: median, threshold: threshold,
                               holds: median != nil && center >= Double(p.minEvents) && value <= threshold && !silent,
                               clear: recentMean >= threshold / max(p.resolveBelow, 0.01), severity: severity,
                               historyValue: value, historyWeight: silent ? 0 : 1, sums: sums,
                               recentValue: recentMean, recentSums: recent, recentSteps: resolveSteps, extra: extra)
        }
        return [spike, drop]
    }

    /// The fleet's load on `step` against its usual level: the median, over the services logging
    /// lately whose usual load-adjusted count (the first volume detector's median) is at least 5
    /// events, of their count on the step ÷ that usual count. The median is robust: one service
    /// spiking or falling silent does not move it. nil with fewer than three such services (each
    /// service then follows its own season, see `SeasonalProfile`) or without a volume detector.
    func loadFactor(_ services: [ServiceWindow], step: Int64) -> Double? {
        guard let r = rules.detectors.firstIndex(where: { $0.type == .volume }) else { return nil }
        var ratios: [Double] = []
        for service in services where service.lastEventStep != .min && step - service.lastEventStep < Int64(windowSteps) {
            let history = service.detectors[r].history
            let p = rules.params(rules.detectors[r], service: service.name)
            guard history.coverage(at: step - 1) >= Int(p.warmup / rules.window.step),
                  let usual = history.median(at: step - 1), usual >= 5 else { continue }
            ratios.append(Double(service.bucket(at: step)?.requests ?? 0) / usual)
        }
        guard ratios.count >= 3 else { return nil }
        ratios.sort()
        let mid = ratios.count / 2
        let median = ratios.count % 2 == 1 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2
        // A fleet-wide outage (median 0) is not load: leave the counts as they are.
        return median > 0.05 ? median : 1
    }

    /// The load a service's step is judged at: the fleet's when there is one, else the phase of its
    /// own season once a whole cycle was watched, else 1.
    func load(of service: ServiceWindow, step: Int64, fleet: Double?) -> Double {
        if let fleet { return fleet }
        let seasonSteps = rules.window.season / rules.window.step
        guard seasonSteps > 0, let factor = service.seasonal?.factor(at: step, seasonSteps: seasonSteps) else { return 1 }
        return factor
    }

    /// Adds the step's events to the service's season, unless absence finds the service silent in a
    /// phase already learned (an outage is not the usual shape of the day; a phase never learned is,
    /// or a lull read as silence before its first cycle would never become usual). A volume change
    /// does count: one that lasts cycle after cycle is the new shape (the profile follows the trend).
    func learnSeason(_ service: ServiceWindow, step: Int64) {
        let seasonSteps = rules.window.season / rules.window.step
        guard seasonSteps > 0 else { return }
        if silenceActive(service), service.seasonal?.learned(at: step, seasonSteps: seasonSteps) == true { return }
        if service.seasonal == nil { service.seasonal = SeasonalProfile() }
        service.seasonal!.add(step: step, count: Double(service.bucket(at: step)?.requests ?? 0), seasonSteps: seasonSteps)
    }

    /// burn_rate, one window pair: burn rate = error ratio ÷ (1 − objective) over the long and the
    /// short window; it holds when both reach `factor`, once the history covers the short window
    /// and the short window holds `min_events` events. It clears when either falls below
    /// `factor × resolve_below`.
    func measureBurn(_ window: BurnRateWindow, _ p: DetectorParams, objective: Double, slo: SLOHistory,
                     _ service: ServiceWindow, step: Int64) -> Measurement {
        let stepMs = rules.window.step
        let longSteps = max(1, Int((window.long + stepMs - 1) / stepMs))
        let shortSteps = max(1, Int((window.short + stepMs - 1) / stepMs))
        let budget = 1 - objective
        let long = slo.sums(endingAt: step, count: longSteps)
        let short = slo.sums(endingAt: step, count: shortSteps)
        let span = slo.sums(endingAt: step, count: Int((SLOHistory.span + stepMs - 1) / stepMs))
        func burn(_ s: (requests: Int, errors: Int)) -> Double? {
            s.requests > 0 ? Double(s.errors) / Double(s.requests) / budget : nil
        }
        let longBurn = burn(long), shortBurn = burn(short)
        let judged = slo.covered(at: step) >= shortSteps && short.requests >= p.minEvents
        let both = min(longBurn ?? 0, shortBurn ?? 0)
        let remaining = span.requests > 0 ? 1 - Double(span.errors) / (Double(span.requests) * budget) : nil
        let sums = service.sums(endingAt: step, count: windowSteps)
        return Measurement(value: both, baseline: objective, threshold: window.factor,
                           holds: judged && both >= window.factor,
                           clear: both < window.factor * p.resolveBelow, severity: window.severity,
                           historyValue: 0, historyWeight: 0, sums: sums,
                           recentValue: both, recentSums: sums, recentSteps: windowSteps,
                           extra: [("burn_rate", longBurn), ("burn_rate_short", shortBurn),
                                   ("error_ratio", long.requests > 0 ? Double(long.errors) / Double(long.requests) : nil),
                                   ("errors", Double(long.errors)), ("requests", Double(long.requests)),
                                   ("errors_short", Double(short.errors)), ("requests_short", Double(short.requests)),
                                   ("budget_remaining", remaining), ("objective", objective), ("threshold", window.factor)])
    }
}
