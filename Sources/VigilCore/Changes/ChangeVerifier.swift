/// Every change gets a verdict (Kayenta-style canary analysis of one service, before vs after):
/// when a change is recorded, the service's baselines are taken as "before" (its error-ratio and
/// latency detectors' history, steps inside incidents left out); the `change_verify` span of steps
/// after the change's own step is gathered as "after"; then a `change` record with event `verified`
/// says healthy, degraded or inconclusive, with both sides' figures. The tests are the detectors'
/// own (evidence plus a material effect), over the longer after-span, so a regression too small
/// for a 5-minute window still shows here, and any incident of the service opened since the
/// change makes it degraded.
final class ChangeVerifier {
    struct Pending: Codable {
        var change: ChangeEvent
        /// The step holding the change (not judged: partly before, partly after it).
        var changeStep: Int64
        var dueStep: Int64
        var beforeErrors: Double
        var beforeRequests: Int
        var beforeSteps: Int
        var beforeDispersion: Double
        /// The latency detector's baseline percentile (ms), nil without one.
        var beforeLatency: Double?
        var afterRequests = 0
        var afterErrors = 0
        var afterNovel = 0
        var afterLatency: LatencySketch? = nil
        /// Incidents of the service opened since the change (not folded).
        var incidents: [String] = []
    }

    private(set) var pending: [Pending] = []
    private let rules: RuleSet

    init(rules: RuleSet) { self.rules = rules }

    private var afterSteps: Int { max(1, Int(rules.window.changeVerify / rules.window.step)) }

    private func detector(_ type: DetectorType, _ service: String) -> (index: Int, params: DetectorParams)? {
        guard let i = rules.detectors.firstIndex(where: { $0.type == type && rules.isEnabled($0, service: service) }) else { return nil }
        return (i, rules.params(rules.detectors[i], service: service))
    }

    /// A change was recorded at `step`; `service` is its service's window when vigil has seen it.
    func add(_ change: ChangeEvent, service: ServiceWindow?, step: Int64) {
        guard rules.window.changeVerify > 0 else { return }
        var p = Pending(change: change, changeStep: step, dueStep: step + Int64(afterSteps), beforeErrors: 0, beforeRequests: 0,
                        beforeSteps: 0, beforeDispersion: 1, beforeLatency: nil)
        if let service, let e = detector(.errorRatio, service.name), e.index < service.detectors.count {
            let history = service.detectors[e.index].history
            let totals = history.totals(at: step - 1)
            (p.beforeErrors, p.beforeRequests, p.beforeSteps) = (totals.value, totals.weight, totals.steps)
            if totals.weight > 0 { p.beforeDispersion = history.overdispersion(at: step - 1, ratio: totals.value / Double(totals.weight)) }
        }
        if let service, let l = detector(.latency, service.name), l.index < service.detectors.count {
            p.beforeLatency = service.detectors[l.index].history.median(at: step - 1)
        }
        pending.append(p)
    }

    /// An incident record was written: an opening of a service with a pending change is counted.
    func noted(_ record: Record) {
        guard record.kind == .incident, record.event == .opened, let service = record.labels["service"], let id = record.incidentId else { return }
        for i in pending.indices where pending[i].change.service == service && record.startedAt >= pending[i].change.time - rules.window.step {
            pending[i].incidents.append(id)
        }
    }

    /// Step `step` closed: the after-spans take its counts; the changes due are verified.
    /// `escalate` opens (or folds into an open one) the incident of a degraded verdict that no
    /// incident of the service covers yet: the detector type that failed, the change, its
    /// after-span's first step; it returns the incident's id.
    func stepClosed(_ step: Int64, lookup: (String) -> ServiceWindow?, emit: (Record) -> Void,
                    escalate: (DetectorType, Pending) -> String? = { _, _ in nil }) {
        guard !pending.isEmpty else { return }
        var due: [Pending] = [], kept: [Pending] = []
        for var p in pending {
            if step > p.changeStep, step <= p.dueStep, let bucket = lookup(p.change.service)?.bucket(at: step) {
                p.afterRequests += bucket.requests
                p.afterErrors += bucket.errors
                p.afterNovel += bucket.novel
                if let sketch = bucket.latency {
                    if p.afterLatency == nil { p.afterLatency = sketch } else { p.afterLatency!.merge(sketch) }
                }
            }
            if step >= p.dueStep { due.append(p) } else { kept.append(p) }
        }
        pending = kept
        for p in due { emit(verdict(p, escalate: { escalate($0, p) })) }
    }

    /// The `verified` record of a change whose after-span is complete.
    func verdict(_ p: Pending, escalate: (DetectorType) -> String? = { _ in nil }) -> Record {
        let stepMs = rules.window.step
        var degraded: [String] = []
        var failed: [DetectorType] = []
        var judged = false
        var metrics: [(name: String, value: Double?)] = []
        var pValue: Double?
        let service = p.change.service
        let beforeRatio = p.beforeRequests > 0 ? p.beforeErrors / Double(p.beforeRequests) : nil
        let afterRatio = p.afterRequests > 0 ? Double(p.afterErrors) / Double(p.afterRequests) : nil
        if let e = detector(.errorRatio, service)?.params, let p0 = beforeRatio, p.afterRequests >= e.minEvents {
            judged = true
            let expected = Double(p.afterRequests) * Significance.upperRate(events: p.beforeErrors, exposure: Double(p.beforeRequests))
            let z = Significance.poissonZ(observed: Double(p.afterErrors), expected: expected) / p.beforeDispersion.squareRoot()
            let bar = max(e.floor, p0 * e.factor, p0 + e.minDelta)
            pValue = Significance.upperTail(z)
            if z >= e.zThreshold, p.afterErrors >= e.minErrors, (afterRatio ?? 0) >= bar {
                degraded.append("error ratio \(Format.percent(afterRatio ?? 0)) after vs \(Format.percent(p0)) before")
                failed.append(.errorRatio)
            }
        }
        metrics += [("error_ratio_before", beforeRatio), ("error_ratio_after", afterRatio),
                    ("errors_after", Double(p.afterErrors)), ("requests_after", Double(p.afterRequests))]
        if let l = detector(.latency, service)?.params {
            let q = l.percentile / 100
            let name = "latency_p\(Int(l.percentile))_ms"
            let after = p.afterLatency?.quantile(q)
            metrics += [(name + "_before", p.beforeLatency), (name + "_after", after)]
            if let b = p.beforeLatency, let sketch = p.afterLatency, let v = after, sketch.total >= l.minEvents {
                judged = true
                let z = Significance.binomialZ(successes: Double(sketch.count(aboveBucketOf: b)), trials: Double(sketch.total), p: 1 - q)
                let tail = Significance.upperTail(z)
                pValue = min(pValue ?? 1, tail)
                if z >= l.zThreshold, v >= max(l.floorMs, b * l.factor, b + l.minDeltaMs) {
                    degraded.append("p\(Int(l.percentile)) latency \(Format.milliseconds(v)) after vs \(Format.milliseconds(b)) before")
                    failed.append(.latency)
                }
            }
        }
        // A degradation no incident covers yet is one now (SPEC: a degraded verdict opens the
        // incident or is folded into it).
        var incidents = p.incidents
        if incidents.isEmpty, let kind = failed.first, let id = escalate(kind) {
            incidents.append(id)
            degraded.append("incident \(id) opened for it")
        } else if !incidents.isEmpty {
            degraded.append("\(incidents.count) incident\(incidents.count == 1 ? "" : "s") opened since")
        }
        let perStepBefore = p.beforeSteps > 0 ? Double(p.beforeRequests) / Double(p.beforeSteps) : nil
        metrics += [("events_per_step_before", perStepBefore), ("events_per_step_after", Double(p.afterRequests) / Double(afterSteps)),
                    ("new_template_lines_after", Double(p.afterNovel)), ("incidents_after", Double(incidents.count)),
                    ("p_value", pValue)]
        let verdict: Record.Verdict = !degraded.isEmpty ? .degraded : (judged ? .healthy : .inconclusive)
        let span = Format.duration(rules.window.changeVerify)
        var r = p.change.record
        r.event = .verified
        r.seq = 1
        r.verdict = verdict
        r.severity = verdict == .degraded ? .warning : .info
        r.detectedAt = (p.dueStep + 1) * stepMs
        r.window = ((p.changeStep + 1) * stepMs, (p.dueStep + 1) * stepMs)
        r.metrics = metrics
        r.relatedIncidentIds = incidents
        r.evidence = []
        switch verdict {
        case .degraded:
            r.summary = "\(p.change.summary): degraded — " + degraded.joined(separator: ", ") + " (\(span) after)"
        case .healthy:
            r.summary = "\(p.change.summary): healthy — \(span) after it, no rise in errors or latency"
                + (afterRatio.map { " (error ratio \(Format.percent($0))" + (beforeRatio.map { " vs \(Format.percent($0)) before)" } ?? ")") } ?? "")
        case .inconclusive:
            r.summary = "\(p.change.summary): inconclusive — too little traffic of \(service) before or after it to compare"
        }
        r.description = "\(service) was compared over the \(span) after the change against its own baseline before it "
            + "(the error-ratio and latency detectors' history, steps inside incidents left out), with the detectors' tests: "
            + "evidence beyond chance (significance) and a material change (factor and minimum rise)."
        return r
    }
}

extension ChangeVerifier {
    var snapshot: [Pending] { pending }
    func restore(_ saved: [Pending]) { pending = saved }
}
