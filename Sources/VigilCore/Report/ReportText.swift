/// Wording shared by the Markdown and HTML reports, so both say the same thing the same way.
/// Values are plain text; each writer escapes them for its format.
enum ReportText {
    static let title = "vigil incident report"

    static func period(_ model: ReportModel) -> String {
        guard let p = model.period else { return "No records in the input and no period given." }
        return "\(ReportFormat.time(p.start)) to \(ReportFormat.time(p.end)) UTC"
            + (p.given ? "" : " (from the records)")
    }

    /// `3 of 4 (75.0%)`, with pending incidents named.
    static func tally(_ t: SLATally) -> String {
        if t.met + t.breached == 0 { return t.pending > 0 ? "\(t.pending) pending" : "—" }
        let base = "\(t.met) of \(t.met + t.breached) (\(ReportFormat.percent(t.compliance)))"
        return t.pending > 0 ? base + ", \(t.pending) pending" : base
    }

    static func stats(_ s: DurationStats) -> String {
        s.count == 0 ? "—" : "\(ReportFormat.duration(s.mean)) · \(ReportFormat.duration(s.median)) · \(ReportFormat.duration(s.p90))"
    }

    /// The key figures, as (label, value) rows.
    static func kpis(_ m: ReportModel) -> [(String, String)] {
        let followed = m.changes.filter(\.failed).count
        return [
            ("Incidents started in the period", "\(m.incidents.count)"),
            ("Open at the end of the period", "\(m.openAtEnd.count)"),
            ("MTTD mean · median · p90", stats(m.timeToDetect) + (m.timeToDetect.count > 0 ? " (\(m.timeToDetect.count) incidents)" : "")),
            ("MTTR mean · median · p90", stats(m.timeToResolve) + (m.timeToResolve.count > 0 ? " (\(m.timeToResolve.count) resolved)" : "")),
            ("Response SLA met", tally(m.response)),
            ("Resolution SLA met", tally(m.resolution)),
            ("Changes in the period", "\(m.changes.count)"),
            ("Change failure rate", m.changes.isEmpty ? "— (no changes)" : "\(followed) of \(m.changes.count) (\(ReportFormat.percent(m.changeFailureRate)))"),
            ("Problem candidates", "\(m.problemCount)"),
        ]
    }

    static func severityCounts(_ row: ReportModel.Breakdown) -> [String] {
        Severity.allCases.map { "\(row.bySeverity[$0] ?? 0)" }
    }

    static func trendUnitName(_ bucket: EventTime) -> String { bucket == 3_600_000 ? "hour" : "day" }

    static func bucket(_ start: EventTime, size: EventTime) -> String {
        size == 3_600_000 ? String(ReportFormat.time(start).prefix(13)) + ":00" : String(ReportFormat.time(start).prefix(10))
    }

    static let capacityNote = "Requests per minute of each service, from the requests metric of the evaluation windows that "
        + "produced incident records (each window counted once). The records carry no other volume data, so this is a sample "
        + "around incidents, not the full log volume of the period."

    static let chartNote = "Points are the evaluations that produced this incident's records (window end → value); vigil's "
        + "records carry no other measurements, so the chart shows no values between or around them."

    static let method = "MTTD = detected_at − started_at; MTTR = ended_at − started_at, for incidents resolved within the "
        + "period. Median: the middle value (mean of the two middle values for an even count); p90: nearest rank. "
        + "SLA targets come from the rules' [sla] sections and apply per peak severity; response is measured against MTTD. "
        + "An incident still open past its resolution target counts as breached, otherwise as pending. Records repeated "
        + "across files are counted once (one per incident and seq; the highest seq gives the state)."

    /// `chg_… 2026-11-26 09:55:00 summary`, or a note that the change is not in the input.
    static func change(_ id: String, in model: ReportModel) -> (id: String, text: String) {
        guard let record = model.changesById[id] else { return (id, "not in the input") }
        return (id, "\(ReportFormat.time(record.startedAt)) \(record.service): \(record.summary)")
    }

    /// The metrics a chart of this incident plots: the error ratio, or the latency percentiles present.
    static func chartMetrics(_ incident: IncidentSummary) -> [String] {
        let names = Set(incident.points.flatMap { $0.metrics.keys })
        if incident.detector == "error_ratio" || (incident.detector == nil && names.contains("error_ratio")) {
            return names.contains("error_ratio") ? ["error_ratio"] : []
        }
        return ["latency_p50_ms", "latency_p95_ms", "latency_p99_ms"].filter(names.contains)
    }
}
