/// The lifecycle of one detector on one service: inactive → pending (hold) → firing → inactive.
///
/// Pure: it is given the step's evaluation and returns what happened; the caller builds records.
struct IncidentStateMachine: Codable {
    struct Open: Codable {
        var incidentId: String
        var dedupKey: String
        var startedStep: Int64
        var detectedStep: Int64
        var seq: Int
        var severity: Severity
        /// The threshold and baseline at opening; frozen while firing so hysteresis has a fixed bar.
        var threshold: Double
        var baseline: Double
        var lastReported: Double
        var peak: Double
        /// Changes of the service linked at opening (SPEC `change_ids`), and the phrase saying so.
        var changeIds: [String] = []
        var changeNote: String? = nil
        /// Set on a lane whose condition was folded into another lane's incident (same service,
        /// overlapping time): that incident's id. Such a lane writes no records of its own.
        var foldedInto: String? = nil
        /// The host incident's symptoms: its own opening first, then each folded lane's.
        var signals: [Record.Signal] = []
        /// A signal was added or changed since the host's last record: its next evaluation writes
        /// an `updated` record even without growth.
        var signalsChanged = false
        /// The worst severity among the folded symptoms: the host's records never say less.
        var foldedSeverity: Severity? = nil
    }

    enum Phase: Codable {
        case inactive
        /// The condition held on `steps` consecutive evaluations since `firstStep`.
        case pending(firstStep: Int64, steps: Int)
        case firing(Open)
    }

    enum Transition {
        case none
        /// Opened; the incident started at the start of `startedStep`.
        case open(startedStep: Int64)
        case update
        /// Resolved; the condition stopped holding at the start of `endedStep`.
        case resolve(endedStep: Int64)
    }

    var phase: Phase = .inactive
    /// After a resolution, no new incident opens on a window that still overlaps the old one's steps:
    /// the window's tail of the same burst must not read as a second incident.
    var quietUntil: Int64 = .min

    /// - Parameters:
    ///   - holds: the open condition holds on this step's window.
    ///   - clear: the recent steps (the `resolve_for` span) are below the resolve bar.
    ///   - holdSteps: `for` in steps (≥ 1).
    ///   - resolveSteps: `resolve_for` in steps (≥ 1).
    ///   - windowSteps: window length in steps.
    ///   - escalated: while firing, the value or severity grew enough to report.
    mutating func evaluate(step: Int64, holds: Bool, clear: Bool, holdSteps: Int, resolveSteps: Int, windowSteps: Int, escalated: Bool) -> Transition {
        switch phase {
        case .inactive:
            guard holds, step - Int64(windowSteps) + 1 > quietUntil else { return .none }
            if holdSteps <= 1 { return .open(startedStep: step) }
            phase = .pending(firstStep: step, steps: 1)
            return .none
        case .pending(let first, let steps):
            guard holds else { phase = .inactive; return .none }
            if steps + 1 >= holdSteps { return .open(startedStep: first) }
            phase = .pending(firstStep: first, steps: steps + 1)
            return .none
        case .firing(let open):
            let clearFrom = step - Int64(resolveSteps) + 1
            if clear, clearFrom > open.startedStep {
                phase = .inactive
                quietUntil = clearFrom - 1
                return .resolve(endedStep: clearFrom)
            }
            return escalated ? .update : .none
        }
    }

    var isFiring: Bool {
        if case .firing = phase { return true }
        return false
    }

    var isActive: Bool {
        if case .inactive = phase { return false }
        return true
    }
}
