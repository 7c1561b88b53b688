extension ReportModel {
    /// Incidents grouped by `key`, ordered by count (descending), then key.
    static func breakdown(_ incidents: [IncidentSummary], key: (IncidentSummary) -> String) -> [Breakdown] {
        var rows: [String: [IncidentSummary]] = [:]
        for incident in incidents { rows[key(incident), default: []].append(incident) }
        return rows.map { name, group in
            var row = Breakdown(key: name)
            row.incidents = group.count
            row.open = group.filter { $0.endedAt == nil }.count
            for incident in group { row.bySeverity[incident.severity, default: 0] += 1 }
            row.timeToDetect = DurationStats(group.map(\.timeToDetect))
            row.timeToResolve = DurationStats(group.compactMap(\.timeToResolve))
            return row
        }.sorted { ($1.incidents, $0.key) < ($0.incidents, $1.key) }
    }

    /// Start times counted into `bucket`-long buckets (aligned to the epoch) covering the period.
    static func trend(_ starts: [EventTime], period: ReportPeriod, bucket: EventTime) -> [(start: EventTime, incidents: Int)] {
        func floor(_ t: EventTime) -> EventTime { t - ((t % bucket) + bucket) % bucket }
        var counts: [EventTime: Int] = [:]
        for start in starts { counts[floor(start), default: 0] += 1 }
        var buckets: [(start: EventTime, incidents: Int)] = []
        var t = floor(period.start)
        while t <= period.end { buckets.append((t, counts[t] ?? 0)); t += bucket }
        return buckets
    }

    /// Requests per minute per service from the `requests` metric of the windows the records carry.
    /// Two detectors may report the same window of a service: each window counts once.
    static func capacity(_ records: [ReportRecord]) -> [Capacity] {
        var windows: [String: [EventTime: Double]] = [:]
        for record in records {
            guard let requests = record.metrics["requests"], let end = record.windowEnd, let start = record.windowStart, end > start else { continue }
            windows[record.service, default: [:]][end] = requests / (Double(end - start) / 60_000)
        }
        return windows.keys.sorted().map { service in
            let samples = windows[service]!.sorted { $0.key < $1.key }
            return Capacity(service: service, windows: samples.count, first: samples.first!.key, last: samples.last!.key,
                            perMinute: samples.map(\.value))
        }
    }
}
