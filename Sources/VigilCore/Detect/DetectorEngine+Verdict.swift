extension DetectorEngine {
    /// A change's verdict found its service degraded (the detector type `type` failed over the
    /// after-span) and no incident of the service covers it: the degradation becomes one. If an
    /// incident of another detector fires on the service, it is folded into that one as a signal
    /// (reported with the host's next evaluation); otherwise the detector's lane opens here, started
    /// at the after-span's first step and linked to the change, and from then on lives like any
    /// incident of that detector (it resolves once the detector's own resolve condition holds).
    /// Returns the incident's id, nil when the detector is off for the service or already firing.
    func openForVerdict(_ type: DetectorType, change: ChangeEvent, startedStep: Int64, _ service: ServiceWindow, step: Int64,
                        emit: (Record) -> Void) -> String? {
        guard let r = rules.detectors.firstIndex(where: { $0.type == type && rules.isEnabled($0, service: service.name) }) else { return nil }
        let rule = rules.detectors[r]
        let p = rules.params(rule, service: service.name)
        let stepMs = rules.window.step
        var state = service.detectors[r]
        guard !state.machines[0].isFiring else { return nil }
        let m = measure(rule, p, service, step: step, history: state.history, resolveSteps: max(1, Int(p.resolveFor / stepMs)),
                        firing: false, load: 1)
        let (alertname, labels) = identity(rule, lane: 0, service: service.name)
        let startedAt = startedStep * stepMs
        var open = opening(rule, labels: labels, startedStep: startedStep, step: step, m: m)
        var linked = [change]
        for other in changes.linked(to: service.name, startingAt: startedAt) where other.id != change.id { linked.append(other) }
        open.changeIds = linked.map(\.id)
        open.changeNote = "found by the verification of \(change.summary)"
        let opened = record(.opened, rule, p, service, step: step, open: open, m: m, alertname: alertname, labels: labels)
        let signal = Record.Signal(opened, rule: rule)
        if let host = host(for: LaneKey(rule: r, lane: 0), service, current: r, state: state) {
            open.foldedInto = fold(signal, severity: m.severity, changeIds: open.changeIds, into: host, service, current: r, state: &state,
                                   step: step, decided: [:], emit: emit)
            state.machines[0].phase = .firing(open)
            service.detectors[r] = state
            return open.foldedInto
        }
        open.signals = [signal]
        state.machines[0].phase = .firing(open)
        service.detectors[r] = state
        emit(opened)
        return open.incidentId
    }
}
