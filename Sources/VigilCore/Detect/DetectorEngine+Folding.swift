/// One cause, one incident (SPEC): when a detector's condition opens on a service that already has
/// an incident firing, it is folded into that incident as a signal (an `updated` record) instead of
/// paging a second time. The folded lane keeps its own state machine, so it still knows when its
/// condition ends, but writes no records; the host incident stays open while a folded signal lasts.
/// Informational incidents (volume by default) neither host nor fold: a page must not hide in one.
struct LaneKey: Hashable {
    var rule: Int
    var lane: Int
}

extension Record.Signal {
    /// The signal of an incident's `opened` record (its own, or one folded into another incident).
    init(_ opened: Record, rule: DetectorRule) {
        self.init(detector: rule.type.rawValue, ruleId: rule.id, startedAt: opened.startedAt, endedAt: nil, summary: opened.summary,
                  metricNames: opened.metrics.map(\.name), metricValues: opened.metrics.map(\.value))
    }
}

extension DetectorEngine {
    /// The lane's machine, read from `state` for the rule being evaluated (not yet written back).
    private func machine(_ key: LaneKey, _ service: ServiceWindow, current: Int, state: DetectorState) -> IncidentStateMachine {
        key.rule == current ? state.machines[key.lane] : service.detectors[key.rule].machines[key.lane]
    }

    private func update(_ key: LaneKey, _ service: ServiceWindow, current: Int, state: inout DetectorState,
                        _ change: (inout IncidentStateMachine) -> Void) {
        if key.rule == current { change(&state.machines[key.lane]) } else { change(&service.detectors[key.rule].machines[key.lane]) }
    }

    /// Every lane of the service, in evaluation order (lazily: asked on every firing lane's step).
    private func allLanes(_ service: ServiceWindow) -> some Sequence<LaneKey> {
        order.lazy.flatMap { r in service.detectors[r].machines.indices.lazy.map { LaneKey(rule: r, lane: $0) } }
    }

    /// The lane of the (unfolded) incident `hostId`, if it is still firing.
    private func lane(of hostId: String, _ service: ServiceWindow, current: Int, state: DetectorState) -> LaneKey? {
        allLanes(service).first { key in
            if case .firing(let open) = machine(key, service, current: current, state: state).phase { return open.incidentId == hostId && open.foldedInto == nil }
            return false
        }
    }

    /// The incident a lane opening now folds into: the earliest-started firing incident of another
    /// detector of the service that is not itself folded and not informational. Lanes of one
    /// detector (burn-rate window pairs, spike and drop) are separate alerts by design, not symptoms.
    func host(for key: LaneKey, _ service: ServiceWindow, current: Int, state: DetectorState) -> LaneKey? {
        var best: (key: LaneKey, started: Int64)?
        for other in allLanes(service) where other.rule != key.rule {
            guard case .firing(let open) = machine(other, service, current: current, state: state).phase,
                  open.foldedInto == nil, open.severity != .info else { continue }
            if best == nil || open.startedStep < best!.started { best = (other, open.startedStep) }
        }
        return best?.key
    }

    /// Some lane folded into `hostId` is still firing.
    func foldedLaneFiring(into hostId: String, _ service: ServiceWindow, current: Int, state: DetectorState) -> Bool {
        allLanes(service).contains { key in
            if case .firing(let open) = machine(key, service, current: current, state: state).phase { return open.foldedInto == hostId }
            return false
        }
    }

    /// Adds `signal` to the host's incident and reports it: at once when the host was already
    /// evaluated on this step, else by the host's own evaluation later in the step. Returns the
    /// host's incident id.
    func fold(_ signal: Record.Signal, severity: Severity, changeIds: [String], into host: LaneKey, _ service: ServiceWindow,
              current: Int, state: inout DetectorState, step: Int64,
              decided: [LaneKey: (rule: DetectorRule, p: DetectorParams, m: Measurement)], emit: (Record) -> Void) -> String {
        var hostId = ""
        update(host, service, current: current, state: &state) { machine in
            guard case .firing(var open) = machine.phase else { return }
            hostId = open.incidentId
            if open.signals.count < 16 { open.signals.append(signal) }
            open.foldedSeverity = maxSeverity(severity, open.foldedSeverity)
            open.severity = maxSeverity(open.severity, severity)
            for id in changeIds where !open.changeIds.contains(id) { open.changeIds.append(id) }
            open.signalsChanged = true
            machine.phase = .firing(open)
        }
        reportNow(host, service, current: current, state: &state, step: step, decided: decided, emit: emit)
        return hostId
    }

    /// A folded lane grew worse than its host: the host's severity follows.
    func raiseHost(_ hostId: String, to severity: Severity, _ service: ServiceWindow, current: Int, state: inout DetectorState,
                   step: Int64, decided: [LaneKey: (rule: DetectorRule, p: DetectorParams, m: Measurement)], emit: (Record) -> Void) {
        guard let key = lane(of: hostId, service, current: current, state: state) else { return }
        var raised = false
        update(key, service, current: current, state: &state) { machine in
            guard case .firing(var open) = machine.phase, rank(severity) > rank(open.severity) else { return }
            open.foldedSeverity = maxSeverity(severity, open.foldedSeverity)
            open.severity = severity
            open.signalsChanged = true
            machine.phase = .firing(open)
            raised = true
        }
        if raised { reportNow(key, service, current: current, state: &state, step: step, decided: decided, emit: emit) }
    }

    /// A folded lane's condition ended: its signal in the host says when.
    func endSignal(in hostId: String, ruleId: String, startedAt: EventTime, endedAt: EventTime, _ service: ServiceWindow,
                   current: Int, state: inout DetectorState) {
        guard let key = lane(of: hostId, service, current: current, state: state) else { return }
        update(key, service, current: current, state: &state) { machine in
            guard case .firing(var open) = machine.phase,
                  let i = open.signals.lastIndex(where: { $0.ruleId == ruleId && $0.startedAt == startedAt }) else { return }
            open.signals[i].endedAt = endedAt
            machine.phase = .firing(open)
        }
    }

    /// Writes the host's `updated` record now if its lane was already evaluated on this step (with
    /// that evaluation's figures); otherwise its evaluation later in the step will.
    private func reportNow(_ host: LaneKey, _ service: ServiceWindow, current: Int, state: inout DetectorState, step: Int64,
                           decided: [LaneKey: (rule: DetectorRule, p: DetectorParams, m: Measurement)], emit: (Record) -> Void) {
        guard let done = decided[host] else { return }
        var written: Record?
        update(host, service, current: current, state: &state) { machine in
            guard case .firing(var open) = machine.phase, open.signalsChanged else { return }
            open.seq += 1
            open.signalsChanged = false
            machine.phase = .firing(open)
            let (alertname, labels) = identity(done.rule, lane: host.lane, service: service.name)
            written = record(.updated, done.rule, done.p, service, step: step, open: open, m: done.m, alertname: alertname, labels: labels)
        }
        if let written { emit(written) }
    }

    func maxSeverity(_ a: Severity, _ b: Severity?) -> Severity {
        guard let b else { return a }
        return rank(b) > rank(a) ? b : a
    }
}
