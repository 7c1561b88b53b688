extension DetectorEngine {
    /// Builds the record of a transition. Text is written for the on-call reader: what, how much,
    /// against what, over which span.
    func record(_ event: Record.Event, _ rule: DetectorRule, _ p: DetectorParams, _ service: ServiceWindow,
                step: Int64, open: IncidentStateMachine.Open, m: Measurement, alertname: String, labels: [String: String]) -> Record {
        let stepMs = rules.window.step
        let windowEnd = (step + 1) * stepMs
        // A resolved record describes the quiet span that resolved it; the others, the window.
        let windowStart = windowEnd - (event == .resolved ? EventTime(m.recentSteps) * stepMs : rules.window.window)
        let sums = event == .resolved ? m.recentSums : m.sums
        let windowText = Format.duration(rules.window.window)
        var r = Record(kind: .incident, event: event, seq: open.seq, incidentId: open.incidentId, dedupKey: open.dedupKey,
                       status: event == .resolved ? "resolved" : "firing",
                       // A resolution keeps the severity the incident last had: the quiet span that
                       // resolved it says nothing about how bad it was (and Alertmanager keys on it).
                       severity: event == .resolved ? open.severity : maxSeverity(m.severity, open.foldedSeverity), summary: "",
                       rule: .init(id: rule.id, alertname: alertname, detector: rule.type.rawValue, threshold: open.threshold),
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
                let (quoted, over) = spanQuoted(m, window: ratio ?? 0, windowText: windowText)
                r.summary = "\(name): error ratio \(Format.percent(quoted)) over \(over) (baseline \(Format.percent(open.baseline)), threshold \(Format.percent(open.threshold)))"
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
                let (quoted, over) = spanQuoted(m, window: value, windowText: windowText)
                r.summary = "\(name): \(pName) latency \(Format.milliseconds(quoted)) over \(over) (baseline \(Format.milliseconds(open.baseline)), threshold \(Format.milliseconds(open.threshold)))"
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
        case .volume:
            recordVolume(&r, event, p, service, step: step, open: open, m: m, spike: alertname == rule.alertname)
        case .burnRate:
            recordBurn(&r, event, service, step: step, open: open, m: m, window: labels["burn_window"] ?? "")
        }
        if rule.type == .errorRatio || rule.type == .latency, event != .resolved { r.metrics += m.extra }
        r.changeIds = open.changeIds
        if open.signals.count > 1 { r.signals = open.signals }
        if event != .resolved, let note = open.changeNote { r.summary += " — " + note }
        return r
    }
}

extension DetectorEngine {
    /// The value a summary quotes and the span it covers: the deciding span's when it is shorter or
    /// longer than the window (a window value below the bar beside "threshold" misleads), else the window's.
    private func spanQuoted(_ m: Measurement, window: Double, windowText: String) -> (Double, String) {
        guard let shift = m.shift, shift.steps != windowSteps else { return (window, windowText) }
        return (shift.value, "the last " + Format.duration(EventTime(shift.steps) * rules.window.step))
    }

    private func recordVolume(_ r: inout Record, _ event: Record.Event, _ p: DetectorParams, _ service: ServiceWindow, step: Int64,
                              open: IncidentStateMachine.Open, m: Measurement, spike: Bool) {
        let stepMs = rules.window.step
        let name = service.name
        let own = service.sums(endingAt: step, count: 1)
        let load: Double = (m.extra.first { $0.name == "load_factor" }?.value ?? 1) ?? 1
        let usual = Format.decimal(open.baseline, digits: 1)
        let expected = Format.decimal(open.baseline * load, digits: 1)
        r.metrics = [("events", Double(own.requests)), ("baseline_events_per_step", open.baseline)] + m.extra
            + [("threshold", open.threshold), ("ratio", open.baseline > 0 ? (m.value ?? 0) / open.baseline : nil)]
        let perStep = "per \(Format.duration(stepMs))"
        switch event {
        case .resolved:
            r.summary = "\(name): volume back to \(Format.decimal(m.recentValue ?? 0, digits: 1)) load-adjusted events \(perStep) over the last \(Format.duration(p.resolveFor)) (usually \(usual))"
        default:
            r.summary = spike
                ? "\(name): volume spike, \(own.requests) events in the last \(Format.duration(stepMs)) (expected \(expected) at the current load)"
                : "\(name): volume drop, \(own.requests) events in the last \(Format.duration(stepMs)) (expected \(expected) at the current load)"
        }
        r.description = "\(name) usually logs \(usual) events \(perStep) at its usual load (median over the preceding \(Format.duration(p.baseline)) "
            + "of its counts divided by the load factor — the fleet's, or its own season's — now \(Format.decimal(load, digits: 2))); an incident opens after "
            + "\(Format.duration(p.holdFor)) of load-adjusted steps \(spike ? "at or above" : "at or below") \(Format.decimal(open.threshold, digits: 1)) events "
            + "(factor \(Format.decimal(p.factor, digits: 1)) and \(Format.decimal(p.deviations, digits: 1)) robust deviations from the median)."
        if event != .resolved, spike { r.evidence = service.evidence(endingAt: step, count: 1, slow: false) }
    }

    private func recordBurn(_ r: inout Record, _ event: Record.Event, _ service: ServiceWindow, step: Int64,
                            open: IncidentStateMachine.Open, m: Measurement, window: String) {
        let name = service.name
        r.metrics = m.extra
        let value = { (key: String) in m.extra.first { $0.name == key }?.value ?? nil }
        let objective = Format.objective(open.baseline)
        let long = Format.decimal(value("burn_rate") ?? 0, digits: 1), short = Format.decimal(value("burn_rate_short") ?? 0, digits: 1)
        let parts = window.split(separator: "/").map(String.init)
        let (longText, shortText) = (parts.first ?? window, parts.count > 1 ? parts[1] : window)
        switch event {
        case .resolved:
            r.summary = "\(name): SLO \(objective) burn rate back to \(long)× over \(longText), \(short)× over \(shortText) (alert at \(Format.decimal(open.threshold, digits: 1))×)"
        default:
            r.summary = "\(name): SLO \(objective) error budget burning \(long)× over \(longText) and \(short)× over \(shortText) (alert at \(Format.decimal(open.threshold, digits: 1))×)"
        }
        let remaining = value("budget_remaining").map { Format.percent($0) } ?? "unknown"
        r.description = "\(Int(value("errors") ?? 0)) of \(Int(value("requests") ?? 0)) events of \(name) over the last \(longText) were errors "
            + "(level error or worse, or HTTP 5xx) against an objective of \(objective) good events. A burn rate of 1 spends exactly the "
            + "error budget; both the \(longText) and the \(shortText) window must reach \(Format.decimal(open.threshold, digits: 1)). "
            + "Budget remaining over the last 3 days: \(remaining)."
        if event != .resolved { r.evidence = service.evidence(endingAt: step, count: windowSteps, slow: false) }
    }
}

/// Deterministic number and time formatting for summaries (no locale, no Foundation formatters).
enum Format {
    static func percent(_ ratio: Double) -> String {
        let tenths = Int((ratio * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// `99.9%`, `99%`, `99.95%`: an objective with the digits it needs (up to three decimals).
    static func objective(_ ratio: Double) -> String {
        let thousandths = Int((ratio * 100_000).rounded())
        var text = "\(thousandths / 1000)"
        var fraction = thousandths % 1000
        if fraction > 0 {
            var digits = String(fraction + 1000).dropFirst()
            while digits.hasSuffix("0") { digits = digits.dropLast() }
            text += "." + digits
            fraction = 0
        }
        return text + "%"
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

    /// `5m`, `1h`, `3d`, `90s`, `1h30m`.
    static func duration(_ ms: EventTime) -> String {
        let s = ms / 1000
        if s % 86_400 == 0 && s >= 86_400 { return "\(s / 86_400)d" }
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
