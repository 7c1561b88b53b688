/// Per service and detector: the lifecycle of each of its lanes and the baseline history.
struct DetectorState: Codable {
    /// One machine per lane (`DetectorEngine.laneCount`): volume has a spike and a drop lane,
    /// burn rate one lane per window pair, the others one.
    var machines: [IncidentStateMachine]
    var history: BaselineHistory
    /// burn_rate with an objective for the service: its good and bad events per step.
    var slo: SLOHistory? = nil

    var machine: IncidentStateMachine { machines[0] }
    /// Some lane is pending or firing.
    var isActive: Bool { machines.contains { $0.isActive } }
}

/// What one detector measured on one step of one service.
struct Measurement {
    /// The value compared with the threshold (error ratio, or latency percentile in ms); nil when
    /// the window holds too little data to judge.
    var value: Double?
    var baseline: Double?
    var threshold: Double
    var holds: Bool
    var clear: Bool
    var severity: Severity
    /// The history entry for this step (value, weight); weight 0 adds nothing.
    var historyValue: Double
    var historyWeight: Int
    var sums: StepSums
    /// The value over the `resolve_for` span (what resolution looks at).
    var recentValue: Double?
    /// Sums over the `resolve_for` span (a resolved record describes this span, not the window).
    var recentSums: StepSums
    var recentSteps: Int
    /// Detector-specific numbers for the record (burn rate), in order.
    var extra: [(name: String, value: Double?)] = []
    /// error_ratio, latency: the span that decided, when one was material.
    var shift: DetectorEngine.Shift? = nil
}

/// Runs every detector of the rule set on a service at the close of a step, and turns transitions
/// into records.
struct DetectorEngine {
    let rules: RuleSet
    /// Recent changes per service, for `change_ids` (shared with the aggregator, which fills it).
    let changes: ChangeLog
    /// New-template tracking; nil when the rule set has no novelty detector.
    let novelty: NoveltyTracker?
    /// Recurring incidents grouped into problem candidates; nil to keep none.
    var recurrence: RecurrenceTracker? = nil
    /// Rule indices in evaluation order: volume last, so that a drop can defer to a silence that
    /// absence has already seen on the same step.
    let order: [Int]

    init(rules: RuleSet, changes: ChangeLog, novelty: NoveltyTracker?, recurrence: RecurrenceTracker? = nil) {
        self.rules = rules
        self.changes = changes
        self.novelty = novelty
        self.recurrence = recurrence
        order = rules.detectors.indices.sorted { (rules.detectors[$0].type == .volume ? 1 : 0, $0) < (rules.detectors[$1].type == .volume ? 1 : 0, $1) }
    }

    var windowSteps: Int { Int(rules.window.window / rules.window.step) }

    /// Lanes of a detector type: independent incidents with their own alertname or labels.
    static func laneCount(_ type: DetectorType) -> Int {
        switch type {
        case .volume: 2
        case .burnRate: BurnRateWindow.all.count
        default: 1
        }
    }

    func makeStates(for service: String) -> [DetectorState] {
        rules.detectors.map { rule in
            let p = rules.params(rule, service: service)
            var state = DetectorState(machines: Array(repeating: IncidentStateMachine(), count: Self.laneCount(rule.type)),
                                      history: BaselineHistory(spanSteps: rule.type == .burnRate ? 1 : Int(p.baseline / rules.window.step)))
            if rule.type == .burnRate, p.objective != nil { state.slo = SLOHistory(stepMs: rules.window.step) }
            return state
        }
    }

    /// Alertname and labels of a lane.
    func identity(_ rule: DetectorRule, lane: Int, service: String) -> (alertname: String, labels: [String: String]) {
        switch rule.type {
        case .volume:
            let name = lane == 0 ? rule.alertname : rule.dropAlertname
            return (name, ["alertname": name, "service": service])
        case .burnRate:
            return (rule.alertname, ["alertname": rule.alertname, "burn_window": BurnRateWindow.all[lane].label, "service": service])
        default:
            return (rule.alertname, ["alertname": rule.alertname, "service": service])
        }
    }

    /// Evaluates step `step` (now closed) for `service`; records go to `emit` in rule order.
    /// `fleetLoad`: the fleet's load factor on the step (`loadFactor`), which volume and absence divide
    /// by; without one, the service's own season stands in (`load(of:)`).
    func evaluate(_ service: ServiceWindow, step: Int64, fleetLoad: Double? = nil, emit: (Record) -> Void) {
        // A service with nothing in its window and nothing open or pending has nothing to decide.
        if step - service.lastEventStep >= Int64(windowSteps), !service.anyDetectorActive { return }
        if let novelty, let rule = rules.detectors.first(where: { $0.type == .novelty && rules.isEnabled($0, service: service.name) }) {
            novelty.evaluate(service, step: step, candidateMin: rules.params(rule, service: service.name).candidateMin,
                             detectedAt: (step + 1) * rules.window.step, changes: changes, emit: emit)
        }
        // Measurements of the lanes already decided on this step, for a host incident that a later
        // lane folds into (its `updated` record is written at once, with the host's own figures).
        let load = load(of: service, step: step, fleet: fleetLoad)
        // The season is learned (and kept in memory) only by services judged without a fleet.
        defer { if fleetLoad == nil { learnSeason(service, step: step) } }
        var decided: [LaneKey: (rule: DetectorRule, p: DetectorParams, m: Measurement)] = [:]
        for r in order {
            let rule = rules.detectors[r]
            guard rules.isEnabled(rule, service: service.name) else { continue }
            let p = rules.params(rule, service: service.name)
            let stepMs = rules.window.step
            let holdSteps = max(1, Int(p.holdFor / stepMs))
            let resolveSteps = max(1, Int(p.resolveFor / stepMs))
            var state = service.detectors[r]
            if state.slo != nil {
                let own = service.sums(endingAt: step, count: 1)
                state.slo!.add(step: step, requests: own.requests, errors: own.errors)
            }
            let lanes = measureLanes(rule, p, service, step: step, state: state, resolveSteps: resolveSteps, load: load)
            for (lane, measured) in lanes.enumerated() {
                guard var m = measured else { continue }
                var machine = state.machines[lane]
                var escalated = false
                if case .firing(let open) = machine.phase {
                    // Hysteresis uses the bar frozen at opening.
                    m.threshold = open.threshold
                    m.baseline = open.baseline
                    if let value = m.value {
                        if rule.type != .burnRate { m.severity = severity(rule, p, value: value, baseline: open.baseline) }
                        // Silence, drops and burn-rate lanes have nothing that grows worth reporting;
                        // the others report growth by half.
                        let grows = rule.type != .absence && rule.type != .burnRate && !(rule.type == .volume && lane == 1)
                        escalated = grows && (value >= open.lastReported * 1.5 || rank(m.severity) > rank(open.severity))
                    }
                    // One cause, one incident: it stays open while a symptom folded into it lasts.
                    if open.foldedInto == nil, foldedLaneFiring(into: open.incidentId, service, current: r, state: state) { m.clear = false }
                }
                let previous = machine
                let transition = machine.evaluate(step: step, holds: m.holds, clear: m.clear, holdSteps: holdSteps,
                                                  resolveSteps: resolveSteps, windowSteps: windowSteps, escalated: escalated)
                let (alertname, labels) = identity(rule, lane: lane, service: service.name)
                let key = LaneKey(rule: r, lane: lane)
                switch transition {
                case .none:
                    // A symptom was folded in since the last record: say so.
                    if case .firing(var open) = machine.phase, open.foldedInto == nil, open.signalsChanged {
                        open.seq += 1
                        open.signalsChanged = false
                        machine.phase = .firing(open)
                        emit(record(.updated, rule, p, service, step: step, open: open, m: m, alertname: alertname, labels: labels))
                    }
                case .open(let startedStep):
                    var open = opening(rule, labels: labels, startedStep: startedStep, step: step, m: m)
                    let linked = changes.linked(to: service.name, startingAt: open.startedStep * stepMs)
                    open.changeIds = linked.map(\.id)
                    open.changeNote = ChangeLog.phrase(linked, start: open.startedStep * stepMs)
                    let opened = record(.opened, rule, p, service, step: step, open: open, m: m, alertname: alertname, labels: labels)
                    let signal = Record.Signal(opened, rule: rule)
                    if m.severity != .info, let host = host(for: key, service, current: r, state: state) {
                        open.foldedInto = fold(signal, severity: m.severity, changeIds: open.changeIds, into: host, service, current: r, state: &state,
                                               step: step, decided: decided, emit: emit)
                        machine.phase = .firing(open)
                        if rule.type == .novelty, let hostId = open.foldedInto {
                            novelty?.link(incident: hostId, service, detectedAt: (step + 1) * stepMs, emit: emit)
                        }
                        break
                    }
                    open.signals = [signal]
                    machine.phase = .firing(open)
                    emit(opened)
                    if rule.type == .novelty {
                        novelty?.link(incident: open.incidentId, service, detectedAt: (step + 1) * stepMs, emit: emit)
                    } else if open.severity != .info {
                        // Informational incidents (volume by default) are not problems to manage.
                        let template = service.dominantTemplate(endingAt: step, count: windowSteps).flatMap { novelty?.template($0) }
                        recurrence?.opened(opened, rule: rule, alertname: alertname, service: service, step: step, windowSteps: windowSteps,
                                           template: template, detectedAt: (step + 1) * stepMs, emit: emit)
                    }
                case .update:
                    guard case .firing(var open) = machine.phase else { break }
                    open.seq += 1
                    open.severity = maxSeverity(m.severity, open.foldedSeverity)
                    open.lastReported = m.value ?? open.lastReported
                    open.peak = max(open.peak, m.value ?? 0)
                    open.signalsChanged = false
                    machine.phase = .firing(open)
                    // A folded lane's growth is the host's business only when it raises the severity.
                    if let hostId = open.foldedInto {
                        raiseHost(hostId, to: m.severity, service, current: r, state: &state, step: step, decided: decided, emit: emit)
                        break
                    }
                    emit(record(.updated, rule, p, service, step: step, open: open, m: m, alertname: alertname, labels: labels))
                case .resolve(let endedStep):
                    // The machine has already gone inactive; the open incident is in the old phase.
                    if case .firing(var open) = previous.phase {
                        if let hostId = open.foldedInto {
                            endSignal(in: hostId, ruleId: rule.id, startedAt: open.startedStep * stepMs, endedAt: endedStep * stepMs,
                                      service, current: r, state: &state)
                            break
                        }
                        open.seq += 1
                        if !open.signals.isEmpty { open.signals[0].endedAt = endedStep * stepMs }
                        var resolved = record(.resolved, rule, p, service, step: step, open: open, m: m, alertname: alertname, labels: labels)
                        resolved.endedAt = endedStep * stepMs
                        emit(resolved)
                        recurrence?.resolved(resolved)
                    }
                }
                state.machines[lane] = machine
                // Only a firing lane can host a signal later in the step (most lanes are idle: no storage).
                if machine.isFiring { decided[key] = (rule, p, m) }
            }
            // Steps during which an incident is open are not added: it must not raise its own bar.
            if let m = lanes.first(where: { $0 != nil }) ?? nil, !state.machines.contains(where: { $0.isFiring }), m.historyWeight > 0 {
                state.history.add(step: step, value: m.historyValue, weight: m.historyWeight)
            }
            service.detectors[r] = state
        }
    }

    /// A lane's incident as it opens: its ids from the rule, labels and start, and the bar, baseline
    /// and value frozen from the measurement (changes are linked by the caller).
    func opening(_ rule: DetectorRule, labels: [String: String], startedStep: Int64, step: Int64,
                 m: Measurement) -> IncidentStateMachine.Open {
        let dedupKey = RecordIds.dedupKey(ruleId: rule.id, labels: labels)
        return IncidentStateMachine.Open(
            incidentId: RecordIds.incidentId(dedupKey: dedupKey, startedAt: startedStep * rules.window.step), dedupKey: dedupKey,
            startedStep: startedStep, detectedStep: step, seq: 0, severity: m.severity,
            threshold: m.threshold, baseline: m.baseline ?? 0, lastReported: m.value ?? 0, peak: m.value ?? 0)
    }

    /// The measurement of each lane; nil for a lane not evaluated (a volume direction turned off,
    /// a burn rate without objective).
    private func measureLanes(_ rule: DetectorRule, _ p: DetectorParams, _ service: ServiceWindow, step: Int64,
                              state: DetectorState, resolveSteps: Int, load: Double) -> [Measurement?] {
        switch rule.type {
        case .volume:
            return measureVolume(p, service, step: step, history: state.history, resolveSteps: resolveSteps,
                                 silent: silenceActive(service), severity: rule.severity, load: load)
        case .burnRate:
            guard let slo = state.slo, let objective = p.objective else { return [] }
            return BurnRateWindow.all.map { measureBurn($0, p, objective: objective, slo: slo, service, step: step) }
        default:
            return [measure(rule, p, service, step: step, history: state.history, resolveSteps: resolveSteps,
                            firing: state.machines[0].isFiring, load: load)]
        }
    }

    /// Whether an enabled absence detector of the service is pending or firing: its silence is not
    /// also a volume drop.
    func silenceActive(_ service: ServiceWindow) -> Bool {
        rules.detectors.indices.contains { i in
            rules.detectors[i].type == .absence && rules.isEnabled(rules.detectors[i], service: service.name) && service.detectors[i].isActive
        }
    }

    func measure(_ rule: DetectorRule, _ p: DetectorParams, _ service: ServiceWindow, step: Int64,
                         history: BaselineHistory, resolveSteps: Int, firing: Bool, load: Double) -> Measurement {
        let warm = history.coverage(at: step - 1) >= Int(p.warmup / rules.window.step)
        switch rule.type {
        case .errorRatio, .latency:
            return rule.type == .errorRatio
                ? measureErrorRatio(rule, p, service, step: step, history: history, resolveSteps: resolveSteps)
                : measureLatency(rule, p, service, step: step, history: history, resolveSteps: resolveSteps, warm: warm, firing: firing)
        case .novelty:
            // Value: lines of new templates in the window; it clears once none came for `resolve_for`.
            // It holds on `min_events` of them in the window, or on one new template logged that
            // often over `NoveltyTracker.sustainedWindows` windows and still in this one.
            let sums = service.sums(endingAt: step, count: windowSteps)
            let recent = service.sums(endingAt: step, count: resolveSteps)
            let span = NoveltyTracker.sustainedWindows * windowSteps
            let sustained = sums.novel > 0 && service.problems.values.contains {
                $0.occurrences(endingAt: step, steps: span) >= p.minEvents && $0.occurrences(endingAt: step, steps: windowSteps) > 0
            }
            return Measurement(value: Double(sums.novel), baseline: 0, threshold: Double(p.minEvents),
                               holds: sums.novel >= p.minEvents || sustained, clear: recent.novel == 0, severity: rule.severity,
                               historyValue: 0, historyWeight: 0, sums: sums,
                               recentValue: Double(recent.novel), recentSums: recent, recentSteps: resolveSteps)
        case .absence:
            // Value: this step's events divided by the fleet's load factor (a trough of a load wave
            // that every service rides is not silence); baseline: the mean of those per step over
            // `baseline`. Only a service expecting at least `min_events` now (baseline × load) is
            // steady enough to be judged.
            let own = service.sums(endingAt: step, count: 1)
            let baseline = warm ? history.ratio(at: step - 1) : nil
            let expected = baseline ?? 0
            let threshold = expected * p.below
            let recent = service.sums(endingAt: step, count: resolveSteps)
            let sums = service.sums(endingAt: step, count: windowSteps)
            let value = Double(own.requests) / load
            let recentMean = Double(recent.requests) / Double(resolveSteps) / load
            return Measurement(value: value, baseline: baseline, threshold: threshold,
                               holds: baseline != nil && expected * load >= Double(p.minEvents) && value <= threshold,
                               clear: recentMean >= expected * p.resolveBelow, severity: rule.severity,
                               historyValue: value, historyWeight: 1, sums: sums,
                               recentValue: recentMean, recentSums: recent, recentSteps: resolveSteps)
        case .volume, .burnRate:
            preconditionFailure("measured by measureLanes")
        }
    }

    func severity(_ rule: DetectorRule, _ p: DetectorParams, value: Double, baseline: Double) -> Severity {
        switch rule.type {
        case .errorRatio: return value >= p.criticalAt ? .critical : rule.severity
        case .latency: return baseline > 0 && value >= baseline * p.criticalFactor ? .critical : rule.severity
        case .novelty, .absence, .volume, .burnRate: return rule.severity
        }
    }

    func rank(_ s: Severity) -> Int {
        switch s { case .info: 0; case .warning: 1; case .error: 2; case .critical: 3 }
    }
}
