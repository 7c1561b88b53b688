/// Everything a report shows, computed once from the records; the Markdown and HTML writers only
/// format it. Pure: the same records, period and targets give the same model.
public struct ReportModel: Sendable {
    /// One row of a breakdown table (by service, severity or tier).
    public struct Breakdown: Sendable, Equatable {
        public var key: String
        public var incidents = 0
        public var open = 0
        public var bySeverity: [Severity: Int] = [:]
        public var timeToDetect = DurationStats([])
        public var timeToResolve = DurationStats([])
    }

    /// The SLA row of one severity.
    public struct SLARow: Sendable, Equatable {
        public var severity: Severity
        public var target: SLATarget
        public var incidents = 0
        public var response = SLATally()
        public var resolution = SLATally()
    }

    /// A problem candidate, reduced to its latest state.
    public struct Problem: Sendable {
        public var history: RecordHistory
        public var count: Int
        public var signature: String
        public var changeIds: [String]
    }

    /// A change in the period and the incidents that named it in their `change_ids`.
    public struct Change: Sendable {
        /// The `detected` record (or the earliest known).
        public var record: ReportRecord
        public var followedBy: [String]
        /// The verdict of its `verified` record, when the report holds one.
        public var verdict: String? = nil
        /// Failed: an incident named it among its preceding changes, or its verdict is degraded.
        public var failed: Bool { !followedBy.isEmpty || verdict == "degraded" }
    }

    /// Requests per minute of one service, from the windows that the records carry.
    public struct Capacity: Sendable, Equatable {
        public var service: String
        public var windows: Int
        public var first: EventTime
        public var last: EventTime
        public var perMinute: [Double]
    }

    /// Nil when there are no records and no period was given.
    public var period: ReportPeriod?
    /// Incidents that started within the period, in start order.
    public var incidents: [IncidentSummary] = []
    /// Incidents open at the end of the period, including those that started before it.
    public var openAtEnd: [IncidentSummary] = []
    public var timeToDetect = DurationStats([])
    public var timeToResolve = DurationStats([])
    public var byService: [Breakdown] = []
    public var bySeverity: [Breakdown] = []
    public var byTier: [Breakdown] = []
    public var sla: [SLARow] = []
    public var response = SLATally()
    public var resolution = SLATally()
    /// Top problem candidates by recurrence (count), at most `topProblems`.
    public var problems: [Problem] = []
    /// All problem candidates seen in the period, before the top-N cut.
    public var problemCount = 0
    public var changes: [Change] = []
    /// Every change record read, by id, to name the changes incidents refer to.
    public var changesById: [String: ReportRecord] = [:]
    /// Incidents per bucket (`trendBucket` long), from the bucket holding the period start to the one holding its end.
    public var trend: [(start: EventTime, incidents: Int)] = []
    public var trendBucket: EventTime = 3_600_000
    public var capacity: [Capacity] = []
    /// How many distinct records (after removing duplicates) the model was built from.
    public var distinctRecords = 0

    /// Builds the model. `start`/`end` bound the period; what is not given is taken from the records.
    public init(records: [ReportRecord], start: EventTime? = nil, end: EventTime? = nil,
                sla: [Severity: SLATarget] = SLATarget.defaults, topProblems: Int = 10) {
        let incidentHistories = RecordHistory.group(records, kind: .incident)
        let problemHistories = RecordHistory.group(records, kind: .problemCandidate)
        let changeHistories = RecordHistory.group(records, kind: .change)
        let all = incidentHistories + problemHistories + changeHistories
        distinctRecords = all.reduce(0) { $0 + $1.records.count }
        // Targets are shown even for an empty period, so a reader sees what incidents would be held to.
        self.sla = Severity.allCases.map { SLARow(severity: $0, target: sla[$0] ?? SLATarget.defaults[$0]!) }
        let derivedStart = all.flatMap(\.records).map(\.startedAt).min()
        let derivedEnd = all.flatMap(\.records).map(\.latestTime).max()
        guard let periodStart = start ?? derivedStart, let periodEnd = end ?? derivedEnd ?? start.map({ _ in periodStart }) else { return }
        let period = ReportPeriod(start: periodStart, end: max(periodStart, periodEnd), given: start != nil && end != nil)
        self.period = period

        let summaries = incidentHistories.filter { $0.first.startedAt <= period.end }
            .map { IncidentSummary($0, periodEnd: period.end, sla: sla) }
        incidents = summaries.filter { period.contains($0.startedAt) }
        openAtEnd = summaries.filter { $0.endedAt == nil }
        timeToDetect = DurationStats(incidents.map(\.timeToDetect))
        timeToResolve = DurationStats(incidents.compactMap(\.timeToResolve))
        byService = Self.breakdown(incidents) { $0.service }
        bySeverity = Self.breakdown(incidents) { $0.severity.rawValue }
            .sorted { (Severity(rawValue: $0.key)?.rank ?? 0) > (Severity(rawValue: $1.key)?.rank ?? 0) }
        byTier = Self.breakdown(incidents) { $0.tier?.rawValue ?? "-" }
        for index in self.sla.indices {
            for incident in incidents where incident.severity == self.sla[index].severity {
                self.sla[index].incidents += 1
                self.sla[index].response.add(incident.response)
                self.sla[index].resolution.add(incident.resolution)
                response.add(incident.response)
                resolution.add(incident.resolution)
            }
        }

        let inPeriodProblems = problemHistories.filter { $0.first.startedAt <= period.end && $0.latest.latestTime >= period.start }
        problemCount = inPeriodProblems.count
        problems = inPeriodProblems.map { history in
            Problem(history: history, count: history.records.compactMap(\.count).max() ?? 0,
                    signature: history.latest.signature ?? history.latest.summary,
                    changeIds: history.records.flatMap(\.changeIds).reduce(into: []) { if !$0.contains($1) { $0.append($1) } })
        }.sorted { ($1.count, $0.history.first.service, $0.history.id) < ($0.count, $1.history.first.service, $1.history.id) }
        problems = Array(problems.prefix(topProblems))

        for history in changeHistories { changesById[history.id] = history.latest }
        changes = changeHistories.filter { period.contains($0.first.startedAt) }.map { history in
            Change(record: history.first, followedBy: summaries.filter { $0.changeIds.contains(history.id) }.map(\.id),
                   verdict: history.records.last { $0.verdict != nil }?.verdict)
        }
        trendBucket = period.end - period.start <= 48 * 3_600_000 ? 3_600_000 : 86_400_000
        trend = Self.trend(incidents.map(\.startedAt), period: period, bucket: trendBucket)
        capacity = Self.capacity(incidentHistories.flatMap(\.records).filter { period.contains($0.windowEnd ?? $0.startedAt) })
    }

    /// Share of changes in the period that failed: an incident named them among its preceding
    /// changes, or their verdict is degraded.
    public var changeFailureRate: Double? {
        changes.isEmpty ? nil : Double(changes.filter(\.failed).count) / Double(changes.count)
    }
}
