import Foundation

/// What novelty detection keeps under `--state DIR` between runs: the template miner
/// (`templates.jsonl`), the templates each service learned (`known-templates.jsonl`) and the
/// problem candidates reported (`problems.jsonl`). Replaying the same archive again then gives
/// the same template ids and grows the same problem candidates.
public struct NoveltyState {
    var miner: TemplateMiner?
    var known: [String: Set<String>] = [:]
    var problems: [ProblemCandidate] = []

    public init() {}
    init(miner: TemplateMiner?, known: [String: Set<String>], problems: [ProblemCandidate]) {
        self.miner = miner
        self.known = known
        self.problems = problems
    }

    static let knownName = "known-templates.jsonl"
    static let problemsName = "problems.jsonl"

    /// Loads the state kept in `directory`; an empty state when there is none yet.
    public static func load(directory: String) throws(TemplateStateError) -> NoveltyState {
        var state = NoveltyState()
        state.miner = try TemplateStateFile.load(directory: directory)
        for (line, object) in try objects(directory + "/" + knownName) {
            guard let service = object["service"] as? String, let ids = object["template_ids"] as? [String] else {
                throw TemplateStateError(path: directory + "/" + knownName, line: line, message: "expected {\"service\",\"template_ids\"}")
            }
            state.known[service, default: []].formUnion(ids)
        }
        let path = directory + "/" + problemsName
        for (line, o) in try objects(path) {
            guard let service = o["service"] as? String, let signature = o["signature"] as? String,
                  let templateId = o["template_id"] as? String, let count = o["count"] as? Int, let seq = o["seq"] as? Int,
                  let first = (o["first_seen"] as? String).flatMap(TimestampParser().parse),
                  let last = (o["last_seen"] as? String).flatMap(TimestampParser().parse) else {
                throw TemplateStateError(path: path, line: line, message: "not a problem candidate record")
            }
            var origin: ProblemCandidate.Origin?
            if let rule = o["rule_id"] as? String, let alertname = o["alertname"] as? String { origin = .init(ruleId: rule, alertname: alertname, detail: o["detail"] as? String ?? "") }
            let p = ProblemCandidate(service: service, signature: signature, templateId: templateId, firstSeen: first, origin: origin)
            p.expired = o["expired"] as? Bool ?? false
            p.lastSeen = last
            p.count = count
            p.seq = seq
            p.reportedCount = count
            p.relatedIncidents = o["related_incident_ids"] as? [String] ?? []
            p.changeIds = o["change_ids"] as? [String] ?? []
            state.problems.append(p)
        }
        return state
    }

    /// Saves every file atomically (each is replaced whole or not at all).
    public func save(directory: String) throws(TemplateStateError) {
        if let miner { try TemplateStateFile.save(miner, directory: directory) }
        var known: [UInt8] = []
        for service in self.known.keys.sorted() {
            var w = JSONWriter()
            w.beginObject()
            w.key("service"); w.string(service)
            w.key("template_ids"); w.beginArray(); for id in self.known[service]!.sorted() { w.string(id) }; w.endArray()
            w.endObject(); w.newline()
            known += w.bytes
        }
        try TemplateStateFile.writeAtomically(known, directory: directory, name: Self.knownName)
        var problems: [UInt8] = []
        for p in self.problems {
            var w = JSONWriter()
            w.beginObject()
            w.key("problem_id"); w.string(p.id)
            w.key("service"); w.string(p.service)
            w.key("template_id"); w.string(p.templateId)
            w.key("signature"); w.string(p.signature)
            w.key("count"); w.int(p.count)
            w.key("seq"); w.int(p.seq)
            w.key("first_seen"); w.string(CivilTime.format(p.firstSeen))
            w.key("last_seen"); w.string(CivilTime.format(p.lastSeen))
            w.key("related_incident_ids"); w.beginArray(); for id in p.relatedIncidents { w.string(id) }; w.endArray()
            w.key("change_ids"); w.beginArray(); for id in p.changeIds { w.string(id) }; w.endArray()
            if let origin = p.origin { w.key("rule_id"); w.string(origin.ruleId); w.key("alertname"); w.string(origin.alertname); w.key("detail"); w.string(origin.detail) }
            if p.expired { w.key("expired"); w.bool(true) }
            w.endObject(); w.newline()
            problems += w.bytes
        }
        try TemplateStateFile.writeAtomically(problems, directory: directory, name: Self.problemsName)
    }

    private static func objects(_ path: String) throws(TemplateStateError) -> [(Int, [String: Any])] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var out: [(Int, [String: Any])] = []
        for (i, line) in data.split(separator: 10).enumerated() {
            guard let o = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                throw TemplateStateError(path: path, line: i + 1, message: "not a JSON object")
            }
            out.append((i + 1, o))
        }
        return out
    }
}
