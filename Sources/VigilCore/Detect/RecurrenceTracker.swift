/// Problem management for recurring incidents: incidents of one service, rule and alertname whose
/// windows share the same dominant warning-or-worse template (or have none) form one problem
/// candidate. It is written once `minIncidents` distinct incidents have that signature, and again
/// (`updated`) at each further one; with `--state` the count carries across runs. An incident is
/// counted once, so replaying the same archive does not count its incidents twice.
final class RecurrenceTracker {
    private let minIncidents: Int
    /// By service + rule + alertname + template id.
    private(set) var problems: [String: ProblemCandidate] = [:]
    /// Open incidents and the key of their problem, so that a resolution marks it as seen.
    private var open: [String: String] = [:]
    /// The most incident ids and samples a problem keeps.
    static let keptIncidents = 50
    static let keptChanges = 10

    init(minIncidents: Int, persisted: [ProblemCandidate]) {
        self.minIncidents = max(1, minIncidents)
        for p in persisted { if let o = p.origin { problems[Self.key(p.service, o, p.templateId)] = p } }
    }

    private static func key(_ service: String, _ origin: ProblemCandidate.Origin, _ templateId: String) -> String {
        service + "\n" + origin.ruleId + "\n" + origin.alertname + "\n" + origin.detail + "\n" + templateId
    }

    /// An incident opened: count it under its signature, and write the problem once it recurs.
    func opened(_ incident: Record, rule: DetectorRule, alertname: String, service: ServiceWindow, step: Int64,
                windowSteps: Int, template: (id: String, text: String)?, detectedAt: EventTime, emit: (Record) -> Void) {
        guard let incidentId = incident.incidentId else { return }
        let detail = incident.labels["burn_window"] ?? ""
        let origin = ProblemCandidate.Origin(ruleId: rule.id, alertname: alertname, detail: detail)
        let key = Self.key(service.name, origin, template?.id ?? "")
        let problem: ProblemCandidate
        if let known = problems[key] {
            problem = known
        } else {
            let signature = "\(alertname)\(detail.isEmpty ? "" : " " + detail) [\(rule.id)]" + (template.map { ": " + $0.text } ?? "")
            problem = ProblemCandidate(service: service.name, signature: signature, templateId: template?.id ?? "",
                                       firstSeen: incident.startedAt, origin: origin)
            problems[key] = problem
        }
        open[incidentId] = key
        guard !problem.relatedIncidents.contains(incidentId) else { return }
        problem.relatedIncidents.append(incidentId)
        if problem.relatedIncidents.count > Self.keptIncidents { problem.relatedIncidents.removeFirst() }
        problem.count += 1
        problem.firstSeen = min(problem.firstSeen, incident.startedAt)
        problem.lastSeen = max(problem.lastSeen, incident.startedAt)
        // Suspected changes: the newest incident's first, then earlier ones not yet listed.
        var changes = incident.changeIds
        for id in problem.changeIds where !changes.contains(id) { changes.append(id) }
        problem.changeIds = Array(changes.prefix(Self.keptChanges))
        if !incident.evidence.isEmpty { problem.samples = Array(incident.evidence.prefix(5)) }
        problem.expired = false
        guard problem.count >= minIncidents else { return }
        emit(problem.record(at: detectedAt))
        problem.reported()
    }

    /// An incident resolved: its problem was last seen when it ended (expiry counts from there).
    func resolved(_ incident: Record) {
        guard let id = incident.incidentId, let key = open.removeValue(forKey: id), let problem = problems[key] else { return }
        problem.lastSeen = max(problem.lastSeen, incident.endedAt ?? incident.startedAt)
    }

    /// Drops signatures seen once and never reported whose incident is older than `time` and
    /// closed: they expired before they recurred, so the state does not grow with every incident.
    func forget(seenBefore time: EventTime) {
        let open = Set(self.open.values)
        problems = problems.filter { key, p in p.seq > 0 || p.lastSeen > time || open.contains(key) }
    }
}

extension RecurrenceTracker {
    /// A checkpoint's copy: problems by signature key (positions in the checkpoint's problem list)
    /// and the open incidents.
    struct Snapshot: Codable {
        var problems: [String: Int]
        var open: [String: String]
    }

    func snapshot(_ registry: ProblemRegistry) -> Snapshot {
        Snapshot(problems: problems.mapValues(registry.reference), open: open)
    }

    func restore(_ s: Snapshot, registry: ProblemRegistry) throws(CheckpointError) {
        problems = [:]
        for (key, position) in s.problems { problems[key] = try registry.problem(position) }
        open = s.open
    }
}
