/// The report as Markdown (GitHub-flavoured tables), for a ticket or a chat post.
///
/// Every value that comes from records is escaped with `ReportFormat.markdown`; ids are validated by
/// the reader and written in code spans as they are.
public enum MarkdownReport {
    /// Renders `model`; `sources` is how many input files the records came from.
    public static func render(_ model: ReportModel, sources: Int) -> String {
        var out: [String] = []
        let md = ReportFormat.markdown
        out.append("# \(ReportText.title)")
        out.append("")
        out.append("Period: " + md(ReportText.period(model)) + "  ")
        out.append("\(model.distinctRecords) distinct records from \(sources) file\(sources == 1 ? "" : "s"). All times are UTC.")

        section(&out, "Key figures")
        out += table(["KPI", "value"], ReportText.kpis(model).map { [md($0.0), md($0.1)] })

        section(&out, "Incidents by service", level: 3)
        out += model.byService.isEmpty ? ["No incidents."] : table(
            ["service", "incidents"] + Severity.allCases.map(\.rawValue) + ["open", "MTTD mean", "MTTR mean"],
            model.byService.map { [md($0.key), "\($0.incidents)"] + ReportText.severityCounts($0)
                + ["\($0.open)", ReportFormat.duration($0.timeToDetect.mean), ReportFormat.duration($0.timeToResolve.mean)] })

        section(&out, "Incidents by support tier", level: 3)
        out += model.byTier.isEmpty ? ["No incidents."] : table(
            ["tier", "incidents", "open", "MTTD mean", "MTTR mean"],
            model.byTier.map { [md($0.key), "\($0.incidents)", "\($0.open)", ReportFormat.duration($0.timeToDetect.mean), ReportFormat.duration($0.timeToResolve.mean)] })

        section(&out, "Incidents by severity and SLA compliance", level: 3)
        out += table(["severity", "incidents", "response target", "response met", "resolution target", "resolution met"],
                     model.sla.map { [$0.severity.rawValue, "\($0.incidents)", ReportFormat.duration($0.target.response), ReportText.tally($0.response),
                                      ReportFormat.duration($0.target.resolution), ReportText.tally($0.resolution)] })

        incidents(model, &out)
        problems(model, &out)
        changes(model, &out)
        trends(model, &out)

        section(&out, "Capacity")
        out.append(ReportText.capacityNote)
        out.append("")
        out += model.capacity.isEmpty ? ["No windows with a request count in the records."] : table(
            ["service", "windows", "from", "to", "min/min", "median/min", "max/min", "first → last"],
            model.capacity.map { c in
                let stats = c.perMinute.sorted()
                let f: (Double) -> String = { ReportFormat.fixed($0, digits: 1) }
                return [md(c.service), "\(c.windows)", ReportFormat.time(c.first), ReportFormat.time(c.last), f(stats.first!),
                        f(DurationStats.medianOf(stats)), f(stats.last!), f(c.perMinute.first!) + " → " + f(c.perMinute.last!)]
            })

        section(&out, "Method")
        out.append(ReportText.method)
        return out.joined(separator: "\n") + "\n"
    }

    private static func incidents(_ model: ReportModel, _ out: inout [String]) {
        let md = ReportFormat.markdown
        section(&out, "Incidents")
        guard !model.incidents.isEmpty else { out.append("No incidents started in the period."); return }
        out += table(["started", "incident", "service", "rule", "severity", "tier", "MTTD", "MTTR", "SLA response / resolution", "summary"],
                     model.incidents.map { i in
                         [ReportFormat.time(i.startedAt), "`\(i.id)`", md(i.service), i.ruleId.map(code) ?? "—", i.severity.rawValue,
                          i.tier?.rawValue ?? "—", ReportFormat.duration(i.timeToDetect),
                          i.timeToResolve.map { ReportFormat.duration($0) } ?? "open", i.response.rawValue + " / " + i.resolution.rawValue, md(i.summary)]
                     })
        out.append("")
        out.append("Evaluations recorded per incident (window end: value; the records carry no others):")
        out.append("")
        for incident in model.incidents {
            let metrics = ReportText.chartMetrics(incident)
            let points = incident.points.map { point in
                ReportFormat.shortTime(point.time) + " " + metrics.compactMap { name in
                    point.metrics[name].map { (metrics.count > 1 ? name.replacingOccurrences(of: "latency_", with: "").replacingOccurrences(of: "_ms", with: "") + " " : "") + ReportFormat.metric($0, name: name) }
                }.joined(separator: " / ")
            }
            let threshold = incident.threshold.map { " (threshold " + ReportFormat.metric($0, name: metrics.first ?? "") + ")" } ?? ""
            out.append("- `\(incident.id)` \(md(incident.service)): " + (points.isEmpty ? "no metrics in the records" : md(points.joined(separator: " · ") + threshold)))
        }

        section(&out, "Open at the end of the period", level: 3)
        guard !model.openAtEnd.isEmpty else { out.append("None."); return }
        out += table(["incident", "service", "severity", "started", "open for", "resolution target", "summary"],
                     model.openAtEnd.map { i in
                         ["`\(i.id)`", md(i.service), i.severity.rawValue, ReportFormat.time(i.startedAt), ReportFormat.duration(i.openFor),
                          i.resolution == .breached ? "breached" : "pending", md(i.summary)]
                     })
    }

    private static func problems(_ model: ReportModel, _ out: inout [String]) {
        let md = ReportFormat.markdown
        section(&out, "Problem management")
        guard !model.problems.isEmpty else { out.append("No problem candidates in the records."); return }
        out.append("Top problem candidates by recurrence (\(model.problems.count) of \(model.problemCount)):")
        out.append("")
        out += table(["count", "problem", "service", "template", "first seen", "last seen", "suspected changes", "related incidents"],
                     model.problems.map { p in
                         ["\(p.count)", "`\(p.history.id)`", md(p.history.first.service), md(p.signature), ReportFormat.time(p.history.first.startedAt),
                          ReportFormat.time(p.history.latest.latestTime), codeList(p.changeIds), codeList(p.history.latest.relatedIncidentIds)]
                     })
    }

    private static func changes(_ model: ReportModel, _ out: inout [String]) {
        let md = ReportFormat.markdown
        section(&out, "Change management")
        if model.changes.isEmpty {
            out.append("No changes in the period.")
        } else {
            out += table(["time", "change", "service", "summary", "verdict", "followed by"],
                         model.changes.map { c in
                             [ReportFormat.time(c.record.startedAt), "`\(c.record.id)`", md(c.record.service), md(c.record.summary),
                              c.verdict ?? "—", codeList(c.followedBy)]
                         })
        }
        section(&out, "Changes before each incident", level: 3)
        guard !model.incidents.isEmpty else { out.append("No incidents."); return }
        out += table(["incident", "service", "started", "preceding changes, nearest first"],
                     model.incidents.map { i in
                         ["`\(i.id)`", md(i.service), ReportFormat.time(i.startedAt),
                          i.changeIds.isEmpty ? "none" : i.changeIds.map { let c = ReportText.change($0, in: model); return "`\(c.id)` " + md(c.text) }.joined(separator: "; ")]
                     })
    }

    private static func trends(_ model: ReportModel, _ out: inout [String]) {
        section(&out, "Trends")
        let unit = ReportText.trendUnitName(model.trendBucket)
        let busy = model.trend.filter { $0.incidents > 0 }
        guard !busy.isEmpty else { out.append("No incidents started in the period."); return }
        out.append("Incidents started per \(unit) (\(unit)s without incidents left out):")
        out.append("")
        out += table([unit, "incidents"], busy.map { [ReportText.bucket($0.start, size: model.trendBucket), "\($0.incidents)"] })
    }

    /// A rule id in a code span when it has the schema's shape, escaped text otherwise.
    private static func code(_ text: String) -> String {
        text.utf8.allSatisfy { (48...57).contains($0) || (97...122).contains($0) || $0 == 95 || $0 == 46 || $0 == 45 } && !text.isEmpty
            ? "`\(text)`" : ReportFormat.markdown(text)
    }

    private static func codeList(_ ids: [String]) -> String {
        // related_incident_ids are not pattern-checked by the schema: only plain ids go in code spans.
        ids.isEmpty ? "—" : ids.map { id in
            id.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 95 }
                ? "`\(id)`" : ReportFormat.markdown(id)
        }.joined(separator: " ")
    }

    private static func section(_ out: inout [String], _ title: String, level: Int = 2) {
        out.append("")
        out.append(String(repeating: "#", count: level) + " " + title)
        out.append("")
    }

    private static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
            + rows.map { "| " + $0.joined(separator: " | ") + " |" }
    }
}
