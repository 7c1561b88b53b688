/// The report as one self-contained HTML page: inline CSS and SVG, no script, no network access
/// (a Content-Security-Policy forbids it), laid out to print on A4/Letter.
///
/// Every value that comes from records goes through `ReportFormat.html`.
public enum HTMLReport {
    /// Renders `model`; `sources` is how many input files the records came from.
    public static func render(_ model: ReportModel, sources: Int) -> String {
        let h = ReportFormat.html
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(h(ReportText.title)) · \(h(ReportText.period(model)))</title>
            <style>\(css)</style>
            </head>
            <body>
            <main>
            <h1>\(h(ReportText.title))</h1>
            <p class="period">Period: <strong>\(h(ReportText.period(model)))</strong><br>
            \(model.distinctRecords) distinct records from \(sources) file\(sources == 1 ? "" : "s"). All times are UTC.</p>

            """
        out += "<section id=\"kpis\"><h2>Key figures</h2>\n"
        out += "<table class=\"kpi\"><tbody>\n" + ReportText.kpis(model).map { "<tr><th scope=\"row\">\(h($0.0))</th><td>\(h($0.1))</td></tr>" }.joined(separator: "\n") + "\n</tbody></table>\n"
        out += "<h3>Incidents by service</h3>\n"
        out += model.byService.isEmpty ? "<p>No incidents.</p>\n" : table(
            ["service", "incidents"] + Severity.allCases.map(\.rawValue) + ["open", "MTTD mean", "MTTR mean"],
            model.byService.map { [h($0.key), "\($0.incidents)"] + ReportText.severityCounts($0)
                + ["\($0.open)", ReportFormat.duration($0.timeToDetect.mean), ReportFormat.duration($0.timeToResolve.mean)] }, numeric: Set(1...8))
        out += "<h3>Incidents by support tier</h3>\n"
        out += model.byTier.isEmpty ? "<p>No incidents.</p>\n" : table(
            ["tier", "incidents", "open", "MTTD mean", "MTTR mean"],
            model.byTier.map { [h($0.key), "\($0.incidents)", "\($0.open)", ReportFormat.duration($0.timeToDetect.mean), ReportFormat.duration($0.timeToResolve.mean)] },
            numeric: Set(1...8))
        out += "<h3>Incidents by severity and SLA compliance</h3>\n"
        out += table(["severity", "incidents", "response target", "response met", "resolution target", "resolution met"],
                     model.sla.map { ["<span class=\"sev sev-\($0.severity.rawValue)\">\($0.severity.rawValue)</span>", "\($0.incidents)",
                                      ReportFormat.duration($0.target.response), h(ReportText.tally($0.response)),
                                      ReportFormat.duration($0.target.resolution), h(ReportText.tally($0.resolution))] }, numeric: Set(1...8))
        out += "</section>\n"
        out += incidents(model)
        out += problems(model)
        out += changes(model)
        out += trends(model)
        out += capacity(model)
        out += "<section id=\"method\"><h2>Method</h2>\n<p class=\"note\">\(h(ReportText.method))</p></section>\n"
        return out + "</main>\n</body>\n</html>\n"
    }

    /// A table whose cells are already HTML. Cells do not wrap, except in the `wrap` columns (free
    /// text such as summaries); `numeric` columns are right-aligned.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], wrap: Set<Int> = []) -> String {
        func cls(_ index: Int) -> String { numeric.contains(index) ? " class=\"num\"" : wrap.contains(index) ? " class=\"wrap\"" : "" }
        var out = "<div class=\"wide\"><table><thead><tr>" + header.enumerated().map { "<th\(cls($0.offset))>\(ReportFormat.html($0.element))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows { out += "<tr>" + row.enumerated().map { "<td\(cls($0.offset))>\($0.element)</td>" }.joined() + "</tr>\n" }
        return out + "</tbody></table></div>\n"
    }

    static let css = """

        :root { color-scheme: light; }
        body { margin: 0; background: #fff; color: #111827; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
        main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
        h1 { font-size: 26px; margin: 0 0 4px; }
        h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #e5e7eb; }
        h3 { font-size: 15px; margin: 20px 0 8px; }
        p.period { margin: 0 0 8px; color: #374151; }
        p.note, figcaption { color: #4b5563; font-size: 12.5px; max-width: 900px; }
        table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
        th, td { border: 1px solid #d1d5db; padding: 4px 8px; text-align: left; vertical-align: top; white-space: nowrap; }
        td.wrap { white-space: normal; min-width: 9em; max-width: 460px; overflow-wrap: anywhere; }
        span.template { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
        thead th { background: #f3f4f6; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        div.wide { overflow-x: auto; }
        table.kpi { font-size: 15px; min-width: 520px; }
        table.kpi th { background: #f9fafb; font-weight: 600; width: 260px; }
        table.kpi td { font-variant-numeric: tabular-nums; }
        code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; background: #f3f4f6; padding: 0 3px; border-radius: 3px; white-space: nowrap; }
        .sev { font-weight: 600; }
        .sev-critical { color: #991b1b; } .sev-error { color: #b91c1c; } .sev-warning { color: #92400e; } .sev-info { color: #1e40af; }
        .breached { color: #991b1b; font-weight: 600; } .met { color: #065f46; } .pending { color: #92400e; }
        figure.incident { margin: 18px 0 26px; break-inside: avoid; page-break-inside: avoid; }
        figure.incident h4 { font-size: 15px; margin: 0 0 2px; }
        figure.incident p.meta { margin: 0 0 6px; color: #374151; font-size: 13px; overflow-wrap: anywhere; }
        svg { max-width: 100%; height: auto; display: block; }
        @media print {
          body { font-size: 11pt; }
          main { max-width: none; padding: 0; }
          h2 { break-after: avoid; page-break-after: avoid; }
          table, figure { break-inside: avoid; page-break-inside: avoid; }
          thead { display: table-header-group; }
          div.wide { overflow: visible; }
          th, td { white-space: normal; }
        }

        """
}
