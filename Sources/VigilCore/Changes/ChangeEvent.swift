/// One change: a deploy, restart, config reload, version change or package upgrade, found in a log
/// line or given by a `--changes` feed.
public struct ChangeEvent: Sendable, Equatable, Codable {
    /// The service the change is about (not the program that logged it).
    public var service: String
    public var kind: ChangeKind
    public var summary: String
    /// Event time of the change line (or the feed record's `time`).
    public var time: EventTime
    /// `chg_` + h(service + "\n" + summary + "\n" + started_at)[:16] (SPEC).
    public var id: String
    /// The line that announced it; nil for feed records.
    public var evidence: Evidence?

    public init(service: String, kind: ChangeKind, summary: String, time: EventTime, evidence: Evidence? = nil) {
        self.service = service
        self.kind = kind
        self.summary = summary
        self.time = time
        self.evidence = evidence
        id = "chg_" + SHA256.hex(service + "\n" + summary + "\n" + CivilTime.format(time)).prefix(16)
    }

    /// The `kind: change`, `event: detected` record.
    public var record: Record {
        var r = Record(kind: .change, event: .detected, seq: nil, incidentId: nil,
                       dedupKey: "vigil:change:" + SHA256.hex(id).prefix(32), status: nil, severity: .info,
                       summary: summary, rule: nil, labels: ["service": service, "change_kind": kind.rawValue],
                       startedAt: time, detectedAt: nil, tier: nil)
        r.changeId = id
        if let evidence { r.evidence = [evidence] }
        return r
    }
}
