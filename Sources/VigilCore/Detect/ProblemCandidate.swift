/// One problem candidate (SPEC `problem_candidate`): a new error template of one service, or an
/// incident that recurs with the same signature (`origin`). It lives across incidents and, with
/// `--state`, across runs: recurrences grow its count.
final class ProblemCandidate {
    /// What made a recurring-incident problem: the rule and alertname of its incidents.
    struct Origin: Equatable, Codable {
        var ruleId: String
        var alertname: String
        /// Further identity of the incidents (a burn rate's window pair), empty for most rules.
        var detail: String = ""
    }

    /// nil for a new error template; the incidents' rule for a recurring incident.
    var origin: Origin? = nil
    /// Not seen for `[defaults] problem_expiry`: an `expired` record was written. A recurrence
    /// afterwards brings it back (`updated`).
    var expired = false
    /// `prb_` + h(service + "\n" + signature)[:16].
    let id: String
    let service: String
    /// The template text when the problem was first seen (its identity; the template may generalise).
    let signature: String
    let templateId: String
    var count = 0
    var firstSeen: EventTime
    var lastSeen: EventTime
    /// Records written so far (the next record's `seq`); 0 means none ever.
    var seq = 0
    /// The count at the last record; an `updated` record is written when it has doubled.
    var reportedCount = 0
    /// Whether a record was written in this run (a persisted problem's first recurrence is `updated`).
    var reportedThisRun = false
    var relatedIncidents: [String] = []
    var changeIds: [String] = []
    var samples: [Evidence] = []
    /// Occurrences per step over the recent window: (step, count), oldest first.
    private var recent: [(step: Int64, count: Int)] = []

    init(service: String, signature: String, templateId: String, firstSeen: EventTime, origin: Origin? = nil) {
        self.origin = origin
        self.service = service
        self.signature = signature
        self.templateId = templateId
        self.firstSeen = firstSeen
        lastSeen = firstSeen
        id = "prb_" + SHA256.hex(service + "\n" + signature).prefix(16)
    }

    func occurred(at ts: EventTime, step: Int64, keepSteps: Int, evidence: () -> Evidence) {
        count += 1
        expired = false
        firstSeen = min(firstSeen, ts)
        lastSeen = max(lastSeen, ts)
        if samples.count < 3 { samples.append(evidence()) }
        if let last = recent.last, last.step == step {
            recent[recent.count - 1].count += 1
        } else {
            recent.append((step, 1))
            recent.sort { $0.step < $1.step }
        }
        if let newest = recent.last?.step { recent.removeAll { $0.step <= newest - Int64(keepSteps) } }
    }

    /// Occurrences in steps `last - steps + 1 … last`.
    func occurrences(endingAt last: Int64, steps: Int) -> Int {
        recent.reduce(0) { $0 + ($1.step > last - Int64(steps) && $1.step <= last ? $1.count : 0) }
    }

    /// The record of this problem now (`detected` for its very first record, `expired` when asked).
    func record(at detectedAt: EventTime, expiring: Bool = false) -> Record {
        let event: Record.Event = expiring ? .expired : seq == 0 ? .detected : .updated
        let times = "\(count) time\(count == 1 ? "" : "s") since \(Format.clock(firstSeen))"
        var r = Record(kind: .problemCandidate, event: event, seq: seq, incidentId: nil,
                       dedupKey: "vigil:problem:" + SHA256.hex(id).prefix(32), status: nil, severity: .warning,
                       summary: origin == nil ? "\(service): new error template \"\(Self.cut(signature))\" seen \(times)"
                                              : "\(service): \(Self.cut(signature)) recurred, \(times)",
                       rule: nil, labels: ["service": service], startedAt: firstSeen, detectedAt: detectedAt, tier: nil)
        if let origin {
            r.labels["alertname"] = origin.alertname
            if !origin.detail.isEmpty { r.labels["burn_window"] = origin.detail }
            r.description = "\(count) incidents of rule \(origin.ruleId) (\(origin.alertname)) on \(service) with the same signature"
                + (templateId.isEmpty ? "" : ", dominant warning-or-worse template id \(templateId)") + ". First seen "
                + "\(CivilTime.format(firstSeen)), last seen \(CivilTime.format(lastSeen))."
        } else {
            r.description = "The template was not logged by \(service) while its normal templates were learned. First seen "
                + "\(CivilTime.format(firstSeen)), last seen \(CivilTime.format(lastSeen)); template id \(templateId)."
        }
        if expiring { r.summary += " — expired, not seen since \(CivilTime.format(lastSeen))" }
        r.problemId = id
        r.signature = signature
        r.count = count
        r.lastSeenAt = lastSeen
        r.relatedIncidentIds = relatedIncidents
        r.changeIds = changeIds
        r.evidence = samples
        return r
    }

    /// Marks a record as written.
    func reported() {
        seq += 1
        reportedCount = count
        reportedThisRun = true
    }

    private static func cut(_ text: String) -> String {
        text.count <= 80 ? text : String(text.prefix(77)) + "..."
    }
}

extension ProblemCandidate {
    /// Everything a checkpoint keeps of a problem candidate, so that after a restart it grows and
    /// is reported exactly as it would have been without the restart.
    struct Snapshot: Codable {
        var origin: Origin?
        var expired: Bool
        var service: String
        var signature: String
        var templateId: String
        var count: Int
        var firstSeen: EventTime
        var lastSeen: EventTime
        var seq: Int
        var reportedCount: Int
        var reportedThisRun: Bool
        var relatedIncidents: [String]
        var changeIds: [String]
        var samples: [Evidence]
        var recentSteps: [Int64]
        var recentCounts: [Int]
    }

    var snapshot: Snapshot {
        Snapshot(origin: origin, expired: expired, service: service, signature: signature, templateId: templateId,
                 count: count, firstSeen: firstSeen, lastSeen: lastSeen, seq: seq, reportedCount: reportedCount,
                 reportedThisRun: reportedThisRun, relatedIncidents: relatedIncidents, changeIds: changeIds,
                 samples: samples, recentSteps: recent.map(\.step), recentCounts: recent.map(\.count))
    }

    convenience init(snapshot s: Snapshot) {
        self.init(service: s.service, signature: s.signature, templateId: s.templateId, firstSeen: s.firstSeen, origin: s.origin)
        expired = s.expired
        count = s.count
        lastSeen = s.lastSeen
        seq = s.seq
        reportedCount = s.reportedCount
        reportedThisRun = s.reportedThisRun
        relatedIncidents = s.relatedIncidents
        changeIds = s.changeIds
        samples = s.samples
        recent = zip(s.recentSteps, s.recentCounts).map { ($0, $1) }
    }
}

/// Problem candidates are shared between a service's window, the novelty tracker and the
/// recurrence tracker; a checkpoint stores each once and refers to it by position.
final class ProblemRegistry {
    private(set) var snapshots: [ProblemCandidate.Snapshot] = []
    private var positions: [ObjectIdentifier: Int] = [:]
    private var restored: [ProblemCandidate] = []

    init() {}

    /// Restoring: the problems of a checkpoint, rebuilt once each.
    init(restoring snapshots: [ProblemCandidate.Snapshot]) {
        restored = snapshots.map(ProblemCandidate.init(snapshot:))
    }

    /// Saving: the position of `problem`, stored on first use.
    func reference(_ problem: ProblemCandidate) -> Int {
        if let known = positions[ObjectIdentifier(problem)] { return known }
        positions[ObjectIdentifier(problem)] = snapshots.count
        snapshots.append(problem.snapshot)
        return snapshots.count - 1
    }

    /// Restoring: the problem at `position`.
    func problem(_ position: Int) throws(CheckpointError) -> ProblemCandidate {
        guard restored.indices.contains(position) else { throw CheckpointError("problem reference \(position) out of range") }
        return restored[position]
    }
}
