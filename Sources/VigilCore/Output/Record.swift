import Foundation

/// One sample line attached to a record as evidence.
public struct Evidence: Sendable, Equatable {
    public var ts: EventTime
    /// Logical source name (see `Source.name`).
    public var source: String
    public var lineNumber: Int
    public var offset: Int64
    public var line: [UInt8]
    public var cursor: String?
}

/// One output record (SPEC "Output records"): an immutable event about an incident, a problem
/// candidate or a change. Optional fields are omitted from the JSON when nil or empty.
public struct Record: Sendable, Equatable {
    public enum Kind: String, Sendable { case incident, problemCandidate = "problem_candidate", change }
    public enum Event: String, Sendable { case opened, updated, resolved, detected, expired, verified }

    /// One symptom of an incident's cause (SPEC "one cause, one incident"): the detector that
    /// opened it, or one folded into it.
    public struct Signal: Sendable, Equatable, Codable {
        public var detector: String
        public var ruleId: String
        public var startedAt: EventTime
        public var endedAt: EventTime?
        public var summary: String
        public var metricNames: [String] = []
        public var metricValues: [Double?] = []
    }

    public enum Verdict: String, Sendable { case healthy, degraded, inconclusive }

    public struct Rule: Sendable, Equatable {
        public var id: String
        public var alertname: String?
        public var detector: String
        public var threshold: Double?
    }

    public var kind: Kind
    public var event: Event
    public var seq: Int?
    public var incidentId: String?
    public var dedupKey: String
    public var status: String?
    public var severity: Severity
    public var summary: String
    public var description: String?
    public var rule: Rule?
    /// Identity only, sorted by name when encoded.
    public var labels: [String: String]
    public var startedAt: EventTime
    public var detectedAt: EventTime?
    public var endedAt: EventTime?
    public var lastSeenAt: EventTime?
    public var window: (start: EventTime, end: EventTime)?
    /// Values that justify the record, in the order given.
    public var metrics: [(name: String, value: Double?)] = []
    public var evidence: [Evidence] = []
    public var tier: Tier?
    public var changeIds: [String] = []
    /// Change records: `chg_…`.
    public var changeId: String?
    /// Problem candidates: `prb_…`, the template text, and the occurrences so far (across runs).
    public var problemId: String?
    public var signature: String?
    public var count: Int?
    public var relatedIncidentIds: [String] = []
    /// Incidents: every symptom folded into this one cause, the opening detector first (written
    /// once a second detector was folded in).
    public var signals: [Signal] = []
    /// Changes, event `verified`.
    public var verdict: Verdict?
    /// Wall-clock time the record was written; live mode only (replay output stays deterministic).
    public var emittedAt: EventTime?

    /// `rec_` + h(id + "\n" + seq)[:16].
    public var recordId: String {
        let id = incidentId ?? problemId ?? changeId ?? ""
        return "rec_" + String(SHA256.hex(id + "\n" + String(seq ?? 0)).prefix(16))
    }

    public static func == (a: Record, b: Record) -> Bool {
        RecordEncoder.encode(a) == RecordEncoder.encode(b)
    }
}

/// The deterministic ids of SPEC.
public enum RecordIds {
    /// `canon(labels)`: compact JSON, keys sorted.
    public static func canonical(_ labels: [String: String]) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        for key in labels.keys.sorted() { writer.key(key); writer.string(labels[key]!) }
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// `vigil:` + rule id + `:` + h(canon(labels))[:32].
    public static func dedupKey(ruleId: String, labels: [String: String]) -> String {
        "vigil:\(ruleId):" + SHA256.hex(canonical(labels)).prefix(32)
    }

    /// `inc_` + h(dedup_key + "\n" + started_at)[:16].
    public static func incidentId(dedupKey: String, startedAt: EventTime) -> String {
        "inc_" + SHA256.hex(dedupKey + "\n" + CivilTime.format(startedAt)).prefix(16)
    }
}

/// Checkpoints keep evidence lines as base64: they are raw bytes, not necessarily UTF-8.
extension Evidence: Codable {
    private enum CodingKeys: String, CodingKey { case ts, source, lineNumber = "line_number", offset, line, cursor }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ts = try c.decode(EventTime.self, forKey: .ts)
        source = try c.decode(String.self, forKey: .source)
        lineNumber = try c.decode(Int.self, forKey: .lineNumber)
        offset = try c.decode(Int64.self, forKey: .offset)
        line = [UInt8](try c.decode(Data.self, forKey: .line))
        cursor = try c.decodeIfPresent(String.self, forKey: .cursor)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ts, forKey: .ts)
        try c.encode(source, forKey: .source)
        try c.encode(lineNumber, forKey: .lineNumber)
        try c.encode(offset, forKey: .offset)
        try c.encode(Data(line), forKey: .line)
        try c.encodeIfPresent(cursor, forKey: .cursor)
    }
}
