/// One record as `vigil report` reads it back from JSONL: the fields a report needs, already typed.
///
/// This is the input side of `Record` (which is the output side): it keeps problem candidate and
/// change fields that the detector does not write yet, and where the record came from.
public struct ReportRecord: Sendable, Equatable {
    /// `kind` of SPEC: incident, problem_candidate or change.
    public enum Kind: String, Sendable { case incident, problemCandidate = "problem_candidate", change }

    public var kind: Kind
    /// `opened`, `updated`, `resolved`, `detected`, `expired` or `verified`.
    public var event: String
    /// Per incident/problem counter; 0 for a change.
    public var seq: Int
    /// `incident_id`, `problem_id` or `change_id`, whichever the kind carries.
    public var id: String
    public var severity: Severity
    public var tier: Tier?
    public var summary: String
    public var ruleId: String?
    /// `rule.detector`: `error_ratio`, `latency`, …
    public var detector: String?
    /// `rule.threshold`, in the unit of the detector's metric (a ratio, or milliseconds).
    public var threshold: Double?
    public var labels: [String: String]
    public var startedAt: EventTime
    public var detectedAt: EventTime?
    public var endedAt: EventTime?
    public var lastSeenAt: EventTime?
    public var windowStart: EventTime?
    public var windowEnd: EventTime?
    /// `metrics`, null values left out.
    public var metrics: [String: Double]
    /// Problem candidates: the normalized message template.
    public var signature: String?
    /// Problem candidates: how often the signature was seen.
    public var count: Int?
    public var changeIds: [String]
    public var relatedIncidentIds: [String]
    /// Changes, event `verified`: healthy, degraded or inconclusive.
    public var verdict: String? = nil
    /// Where the line came from, for messages: `FILE:LINE`.
    public var origin: String

    /// `labels.service`, or `-` when the record names none.
    public var service: String { labels["service"] ?? "-" }

    /// The latest event time the record speaks about, used to derive the period of a report.
    public var latestTime: EventTime {
        [startedAt, detectedAt, endedAt, lastSeenAt, windowEnd].compactMap { $0 }.max()!
    }
}

extension Severity {
    /// Higher is worse: critical 3 … info 0.
    public var rank: Int {
        switch self { case .critical: 3; case .error: 2; case .warning: 1; case .info: 0 }
    }
}
