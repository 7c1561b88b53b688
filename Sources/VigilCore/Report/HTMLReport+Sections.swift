extension HTMLReport {
    static func incidents(_ model: ReportModel) -> String {
        let h = ReportFormat.html
        var out = "<section id=\"incidents\"><h2>Incidents</h2>\n"
        guard !model.incidents.isEmpty else { return out + "<p>No incidents started in the period.</p>\n" + openAtEnd(model) + "</section>\n" }
        out += table(["started", "incident", "service", "rule", "severity", "tier", "MTTD", "MTTR", "SLA response / resolution", "summary"],
                     model.incidents.map { i in
                         [ReportFormat.time(i.startedAt), "<code>\(i.id)</code>", h(i.service), i.ruleId.map(h) ?? "—", severity(i.severity),
                          i.tier?.rawValue ?? "—", ReportFormat.duration(i.timeToDetect), i.timeToResolve.map { ReportFormat.duration($0) } ?? "open",
                          outcome(i.response) + " / " + outcome(i.resolution), h(i.summary)]
                     }, numeric: [6, 7], wrap: [9])
        out += openAtEnd(model)
        out += "<h3>Charts</h3>\n"
        for (index, incident) in model.incidents.enumerated() {
            let metrics = ReportText.chartMetrics(incident)
            out += "<figure class=\"incident\" id=\"\(incident.id)\">\n"
            out += "<h4>\(h(incident.service)) · \(severity(incident.severity)) · <code>\(incident.id)</code></h4>\n"
            out += "<p class=\"meta\">\(h(incident.summary))<br>started \(ReportFormat.time(incident.startedAt)), detected \(ReportFormat.time(incident.detectedAt))"
                + " (MTTD \(ReportFormat.duration(incident.timeToDetect))), "
                + (incident.endedAt.map { "ended \(ReportFormat.time($0)) (MTTR \(ReportFormat.duration($0 - incident.startedAt)))" }
                    ?? "still open at the end of the period (open for \(ReportFormat.duration(incident.openFor)))") + "</p>\n"
            out += SVGChart.incident(incident, model: model, titleId: "chart-\(index + 1)") + "\n"
            let what = metrics.isEmpty ? "No metric of this incident's detector is in its records."
                : metrics == ["error_ratio"] ? "Error ratio of \(h(incident.service))."
                : "Latency " + metrics.map { SVGChart.label($0).replacingOccurrences(of: " latency", with: "") }.joined(separator: ", ") + " of \(h(incident.service))."
            out += "<figcaption>\(what) \(h(ReportText.chartNote)) The shaded band is the incident (to the end of the period while open); "
                + "dashed red: the threshold; vertical lines: started, detected, ended and the changes that preceded the incident.</figcaption>\n"
            out += "</figure>\n"
        }
        return out + "</section>\n"
    }

    static func openAtEnd(_ model: ReportModel) -> String {
        let h = ReportFormat.html
        var out = "<h3>Open at the end of the period</h3>\n"
        guard !model.openAtEnd.isEmpty else { return out + "<p>None.</p>\n" }
        out += table(["incident", "service", "severity", "started", "open for", "resolution target", "summary"],
                     model.openAtEnd.map { i in
                         ["<code>\(i.id)</code>", h(i.service), severity(i.severity), ReportFormat.time(i.startedAt), ReportFormat.duration(i.openFor),
                          outcome(i.resolution), h(i.summary)]
                     }, numeric: [4], wrap: [6])
        return out
    }

    static func problems(_ model: ReportModel) -> String {
        let h = ReportFormat.html
        var out = "<section id=\"problems\"><h2>Problem management</h2>\n"
        guard !model.problems.isEmpty else { return out + "<p>No problem candidates in the records.</p></section>\n" }
        out += "<p>Top problem candidates by recurrence (\(model.problems.count) of \(model.problemCount)).</p>\n"
        out += table(["count", "problem", "service", "template", "seen (first – last)", "suspected changes", "related incidents"],
                     model.problems.map { p in
                         ["\(p.count)", "<code>\(p.history.id)</code>", h(p.history.first.service), "<span class=\"template\">\(h(p.signature))</span>",
                          ReportFormat.time(p.history.first.startedAt) + " – " + ReportFormat.time(p.history.latest.latestTime),
                          codes(p.changeIds), codes(p.history.latest.relatedIncidentIds)]
                     }, numeric: [0], wrap: [3, 4, 5, 6])
        return out + "</section>\n"
    }

    static func changes(_ model: ReportModel) -> String {
        let h = ReportFormat.html
        var out = "<section id=\"changes\"><h2>Change management</h2>\n"
        if model.changes.isEmpty {
            out += "<p>No changes in the period.</p>\n"
        } else {
            out += table(["time", "change", "service", "summary", "verdict", "followed by"],
                         model.changes.map { c in
                             [ReportFormat.time(c.record.startedAt), "<code>\(c.record.id)</code>", h(c.record.service), h(c.record.summary),
                              c.verdict ?? "—", codes(c.followedBy)]
                         }, wrap: [3])
        }
        out += "<h3>Changes before each incident</h3>\n"
        guard !model.incidents.isEmpty else { return out + "<p>No incidents.</p></section>\n" }
        out += table(["incident", "service", "started", "preceding changes, nearest first"],
                     model.incidents.map { i in
                         ["<code>\(i.id)</code>", h(i.service), ReportFormat.time(i.startedAt),
                          i.changeIds.isEmpty ? "none" : i.changeIds.map { let c = ReportText.change($0, in: model); return "<code>\(c.id)</code> " + h(c.text) }.joined(separator: "<br>")]
                     }, wrap: [3])
        return out + "</section>\n"
    }

    static func trends(_ model: ReportModel) -> String {
        var out = "<section id=\"trends\"><h2>Trends</h2>\n"
        guard model.period != nil, !model.incidents.isEmpty else { return out + "<p>No incidents started in the period.</p></section>\n" }
        out += "<p>Incidents started per \(ReportText.trendUnitName(model.trendBucket)).</p>\n"
        out += SVGTrendChart.render(model) + "\n"
        return out + "</section>\n"
    }

    static func capacity(_ model: ReportModel) -> String {
        let h = ReportFormat.html
        var out = "<section id=\"capacity\"><h2>Capacity</h2>\n<p class=\"note\">\(h(ReportText.capacityNote))</p>\n"
        guard !model.capacity.isEmpty else { return out + "<p>No windows with a request count in the records.</p></section>\n" }
        let f: (Double) -> String = { ReportFormat.fixed($0, digits: 1) }
        out += table(["service", "windows", "from", "to", "min/min", "median/min", "max/min", "first → last"],
                     model.capacity.map { c in
                         let s = c.perMinute.sorted()
                         return [h(c.service), "\(c.windows)", ReportFormat.time(c.first), ReportFormat.time(c.last), f(s.first!),
                                 f(DurationStats.medianOf(s)), f(s.last!), f(c.perMinute.first!) + " → " + f(c.perMinute.last!)]
                     }, numeric: [1, 4, 5, 6, 7])
        return out + "</section>\n"
    }

    static func severity(_ s: Severity) -> String { "<span class=\"sev sev-\(s.rawValue)\">\(s.rawValue)</span>" }
    static func outcome(_ o: SLAOutcome) -> String { "<span class=\"\(o.rawValue)\">\(o.rawValue)</span>" }

    static func codes(_ ids: [String]) -> String {
        ids.isEmpty ? "—" : ids.map { "<code>\(ReportFormat.html($0))</code>" }.joined(separator: " ")
    }
}
