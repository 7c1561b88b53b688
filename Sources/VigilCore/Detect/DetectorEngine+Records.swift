extension DetectorEngine {
    /// Builds the record of a transition. Text is written for the on-call reader: what, how much,
    /// against what, over which span.
    func record(_ event: Record.Event, _ rule: DetectorRule, _ p: DetectorParams, _ service: ServiceWindow,
                step: Int64, open: IncidentStateMachine.Open, m: Measurement) -> Record {
        let stepMs = rules.window.step
        let windowEnd = (step + 1) * stepMs
        // A resolved record describes the quiet span that resolved it; the others, the window.
        let windowStart = windowEnd - (event == .resolved ? EventTime(m.recentSteps) * stepMs : rules.window.window)
        let sums = event == .resolved ? m.recentSums : m.sums
        let labels = ["alertname": rule.alertname, "service": service.name]
        let windowText = Format.duration(rules.window.window)
        var r = Record(kind: .incident, event: event, seq: open.seq, incidentId: open.incidentId, dedupKey: open.dedupKey,
                       status: event == .resolved ? "resolved" : "firing",
                       // A resolution keeps the severity the incident last had: the quiet span that
                       // resolved it says nothing about how bad it was (and Alertmanager keys on it).
                       severity: event == .resolved ? open.severity : m.severity, summary: "",
                       rule: .init(id: rule.id, alertname: rule.alertname, detector: rule.type.rawValue, threshold: open.threshold),
                       labels: labels, startedAt: open.startedStep * stepMs, detectedAt: (open.detectedStep + 1) * stepMs,
                       tier: rule.tier)
        if event != .opened { r.lastSeenAt = windowEnd }
        r.window = (windowStart, windowEnd)
        let name = service.name
        switch rule.type {
        case .errorRatio:
            let ratio = sums.errorRatio
            r.metrics = [("error_ratio", ratio), ("errors", Double(sums.errors)), ("requests", Double(sums.requests)),
                         ("baseline_error_ratio", open.baseline), ("threshold", open.threshold)]
            switch event {
            case .resolved:
                r.summary = "\(name): error ratio back to \(Format.percent(m.recentValue ?? 0)) over the last \(Format.duration(p.resolveFor)) (peak \(Format.percent(open.peak)), threshold \(Format.percent(open.threshold)))"
            default:
                r.summary = "\(name): error ratio \(Format.percent(ratio ?? 0)) over \(windowText) (baseline \(Format.percent(open.baseline)), threshold \(Format.percent(open.threshold)))"
            }
            r.description = "\(sums.errors) of \(sums.requests) events of \(name) were errors (level error or worse, or HTTP 5xx) "
                + "between \(Format.clock(windowStart)) and \(Format.clock(windowEnd)) UTC. The service's own error ratio over the "
                + "preceding \(Format.duration(p.baseline)) was \(Format.percent(open.baseline)); an incident opens at "
                + "\(Format.percent(open.threshold)) held for \(Format.duration(p.holdFor))."
            if event != .resolved { r.evidence = service.evidence(endingAt: step, count: windowSteps, slow: false) }
        case .latency:
            let sketch = sums.latency
            let pName = "p\(Int(p.percentile))"
            r.metrics = [("latency_p50_ms", sketch?.quantile(0.5)), ("latency_p95_ms", sketch?.quantile(0.95)),
                         ("latency_p99_ms", sketch?.quantile(0.99)), ("requests", Double(sketch?.total ?? 0)),
                         ("baseline_latency_\(pName)_ms", open.baseline), ("threshold_ms", open.threshold)]
            let value = sketch?.quantile(p.percentile / 100) ?? 0
            switch event {
            case .resolved:
                r.summary = "\(name): \(pName) latency back to \(Format.milliseconds(m.recentValue ?? value)) over the last \(Format.duration(p.resolveFor)) (peak \(Format.milliseconds(open.peak)), threshold \(Format.milliseconds(open.threshold)))"
            default:
                r.summary = "\(name): \(pName) latency \(Format.milliseconds(value)) over \(windowText) (baseline \(Format.milliseconds(open.baseline)), threshold \(Format.milliseconds(open.threshold)))"
            }
            r.description = "The \(pName) latency of \(sketch?.total ?? 0) requests of \(name) between \(Format.clock(windowStart)) and "
                + "\(Format.clock(windowEnd)) UTC was \(Format.milliseconds(value)); its own baseline over the preceding "
                + "\(Format.duration(p.baseline)) was \(Format.milliseconds(open.baseline)) and an incident opens at "
                + "\(Format.milliseconds(open.threshold)) held for \(Format.duration(p.holdFor)). Percentiles are within 1 %."
            if event != .resolved { r.evidence = service.evidence(endingAt: step, count: windowSteps, slow: true) }
        case .novelty:
            let problem = service.latestProblem
            r.metrics = [("new_template_lines", Double(sums.novel)), ("threshold", open.threshold)]
            if let problem { r.metrics.append(("problem_count", Double(problem.count))) }
            let what = problem.map { "new error template \"\(String($0.signature.prefix(80)))\"" } ?? "new error templates"
            switch event {
            case .resolved:
                r.summary = "\(name): no new error template for \(Format.duration(p.resolveFor)) (peak \(Int(open.peak)) lines over \(windowText))"
            default:
                r.summary = "\(name): \(what) logged \(sums.novel) times over \(windowText)"
            }
            r.description = "\(name) logged \(sums.novel) warning-or-worse lines between \(Format.clock(windowStart)) and \(Format.clock(windowEnd)) UTC "
                + "whose templates it never logged while its normal templates were learned"
                + (problem.map { " (problem candidate \($0.id), template \($0.templateId))" } ?? "") + "."
            if event != .resolved { r.evidence = service.evidence(endingAt: step, count: windowSteps, slow: false, novel: true) }
        case .absence:
            let own = service.sums(endingAt: step, count: 1)
            r.metrics = [("events", Double(event == .resolved ? sums.requests : own.requests)),
                         ("baseline_events_per_step", open.baseline), ("threshold", open.threshold)]
            switch event {
            case .resolved:
                r.summary = "\(name): logging again, \(sums.requests) events over the last \(Format.duration(p.resolveFor)) (usually \(Format.decimal(open.baseline, digits: 1)) per \(Format.duration(stepMs)))"
            default:
                r.summary = "\(name): fell silent, \(own.requests) events in the last \(Format.duration(stepMs)) (usually \(Format.decimal(open.baseline, digits: 1)))"
            }
            r.description = "\(name) usually logs \(Format.decimal(open.baseline, digits: 1)) events per \(Format.duration(stepMs)) (mean over the preceding "
                + "\(Format.duration(p.baseline))); an incident opens after \(Format.duration(p.holdFor)) at or below \(Format.decimal(open.threshold, digits: 1)) per step."
        }
        r.changeIds = open.changeIds
        if event != .resolved, let note = open.changeNote { r.summary += " — " + note }
        return r
    }
}

/// Deterministic number and time formatting for summaries (no locale, no Foundation formatters).
enum Format {
    static func percent(_ ratio: Double) -> String {
        let tenths = Int((ratio * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    static func milliseconds(_ ms: Double) -> String {
        if ms >= 10_000 { return "\(decimal(ms / 1000, digits: 1)) s" }
        if ms >= 100 { return "\(Int(ms.rounded())) ms" }
        return "\(decimal(ms, digits: 1)) ms"
    }

    static func decimal(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = scaled / Int(scale), fraction = scaled % Int(scale)
        let fractionText = String(fraction)
        return "\(whole)." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }

    /// `5m`, `1h`, `90s`, `1h30m`.
    static func duration(_ ms: EventTime) -> String {
        let s = ms / 1000
        if s % 3600 == 0 && s >= 3600 { return "\(s / 3600)h" }
        if s % 60 == 0 && s >= 60 { return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : "\(s / 60)m" }
        return "\(s)s"
    }

    /// `10:05` of a time (UTC).
    static func clock(_ ms: EventTime) -> String {
        let text = CivilTime.format(ms)
        let t = text.index(text.startIndex, offsetBy: 11)
        return String(text[t..<text.index(t, offsetBy: 5)])
    }
}
