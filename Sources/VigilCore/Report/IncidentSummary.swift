/// One incident as a report shows it: its history reduced to the times, durations and SLA outcomes.
public struct IncidentSummary: Sendable {
    public var history: RecordHistory
    public var id: String { history.id }
    public var service: String { history.first.service }
    public var ruleId: String? { history.latest.ruleId }
    public var detector: String? { history.latest.detector }
    /// The highest severity the incident reached; its SLA targets are those of this severity.
    public var severity: Severity
    public var tier: Tier?
    /// The summary of the first record: what the incident looked like when it was detected.
    public var summary: String { history.first.summary }
    public var startedAt: EventTime { history.first.startedAt }
    public var detectedAt: EventTime
    /// When it ended, if that was within the period.
    public var endedAt: EventTime?
    /// `detected_at − started_at`.
    public var timeToDetect: EventTime { detectedAt - startedAt }
    /// `ended_at − started_at`, for incidents that ended within the period.
    public var timeToResolve: EventTime? { endedAt.map { $0 - startedAt } }
    /// For incidents open at the end of the period, how long they had been open by then.
    public var openFor: EventTime?
    /// The changes that preceded it (`change_ids`), nearest first.
    public var changeIds: [String]
    public var response: SLAOutcome
    public var resolution: SLAOutcome

    /// Reduces `history` as of `periodEnd` against the targets of `sla`.
    init(_ history: RecordHistory, periodEnd: EventTime, sla: [Severity: SLATarget]) {
        self.history = history
        severity = history.records.map(\.severity).max { $0.rank < $1.rank }!
        tier = history.latest.tier ?? history.records.compactMap(\.tier).last
        detectedAt = history.records.compactMap(\.detectedAt).first ?? history.first.startedAt
        let ended = history.latest.endedAt
        endedAt = ended.flatMap { $0 <= periodEnd ? $0 : nil }
        openFor = endedAt == nil ? periodEnd - history.first.startedAt : nil
        changeIds = history.latest.changeIds.isEmpty
            ? (history.records.first { !$0.changeIds.isEmpty }?.changeIds ?? []) : history.latest.changeIds
        let target = sla[severity] ?? SLATarget.defaults[severity]!
        response = detectedAt - history.first.startedAt <= target.response ? .met : .breached
        if let endedAt {
            resolution = endedAt - history.first.startedAt <= target.resolution ? .met : .breached
        } else {
            resolution = (openFor ?? 0) > target.resolution ? .breached : .pending
        }
    }

    /// The evaluations the records carry: window end → metrics, one point per record, in `seq` order.
    public var points: [(time: EventTime, metrics: [String: Double], event: String)] {
        history.records.compactMap { record in
            guard let time = record.windowEnd ?? record.lastSeenAt ?? record.detectedAt, !record.metrics.isEmpty else { return nil }
            return (time, record.metrics, record.event)
        }
    }

    /// The threshold the detector compared against (frozen for the incident's lifetime).
    public var threshold: Double? {
        history.latest.threshold ?? history.latest.metrics["threshold"] ?? history.latest.metrics["threshold_ms"]
    }
}
