/// The chart of one incident as inline SVG: the metric values of its records over time, the
/// threshold, the incident span, and markers for started, detected, ended and preceding changes.
///
/// Drawn to stay readable in black and white: every line kind has its own dash pattern and label.
enum SVGChart {
    static let width = 760.0, height = 270.0
    static let left = 64.0, right = 92.0, top = 68.0, bottom = 36.0

    /// One plotted line: a metric name, its label and its points.
    struct Series {
        var name: String
        var label: String
        var points: [(time: EventTime, value: Double, event: String)]
    }

    private static let seriesStyles = [("#b91c1c", ""), ("#1d4ed8", "6 3"), ("#7c3aed", "2 3")]

    static func incident(_ incident: IncidentSummary, model: ReportModel, titleId: String) -> String {
        let metrics = ReportText.chartMetrics(incident)
        let series = metrics.map { name in
            Series(name: name, label: label(name),
                   points: incident.points.compactMap { p in p.metrics[name].map { (p.time, $0, p.event) } })
        }
        let changes = incident.changeIds.compactMap { id in model.changesById[id].map { (id: id, record: $0) } }
        let end = incident.endedAt ?? model.period?.end ?? incident.detectedAt
        var times = [incident.startedAt, incident.detectedAt, end] + changes.map(\.record.startedAt)
        times += series.flatMap { $0.points.map(\.time) }
        let low = times.min()!, high = times.max()!
        let pad = max((high - low) / 12, 60_000)
        let x = SVGScale(domain: (Double(low - pad), Double(high + pad)), range: (left, width - right))
        let values = series.flatMap { $0.points.map(\.value) } + (incident.threshold.map { [$0] } ?? [])
        let yStep = SVGScale.niceStep(max(values.max() ?? 1, 1e-9) * 1.1, count: 4)
        let yHigh = (max(values.max() ?? 1, 1e-9) * 1.1 / yStep).rounded(.up) * yStep
        let y = SVGScale(domain: (0, yHigh), range: (height - bottom, top))
        let unitName = metrics.first ?? "error_ratio"
        let c = SVGScale.coordinate

        var svg = "<svg class=\"incident-chart\" role=\"img\" aria-labelledby=\"\(titleId)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "width=\"\(Int(width))\" height=\"\(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"11\">"
        svg += "<title id=\"\(titleId)\">\(ReportFormat.html("\(incident.service): \(metrics.map(label).joined(separator: ", ")) around incident \(incident.id)"))</title>"
        // The incident span, behind everything else.
        svg += "<rect class=\"span\" x=\"\(c(x(Double(incident.startedAt))))\" y=\"\(c(top))\" width=\"\(c(max(1, x(Double(end)) - x(Double(incident.startedAt)))))\" "
            + "height=\"\(c(height - bottom - top))\" fill=\"#fde2e2\"/>"
        // Axes and grid.
        var tick = 0.0
        while tick <= yHigh + yStep / 2 {
            svg += "<line x1=\"\(c(left))\" x2=\"\(c(width - right))\" y1=\"\(c(y(tick)))\" y2=\"\(c(y(tick)))\" stroke=\"#e5e7eb\"/>"
            svg += "<text x=\"\(c(left - 6))\" y=\"\(c(y(tick) + 4))\" text-anchor=\"end\" fill=\"#374151\">\(ReportFormat.html(axisValue(tick, name: unitName, step: yStep)))</text>"
            tick += yStep
        }
        let span = high + pad - (low - pad)
        let step = SVGScale.timeStep(span, count: 7)
        var t = ((low - pad) / step + 1) * step
        let multiDay = (high + pad) / 86_400_000 != (low - pad) / 86_400_000
        while t < high + pad {
            svg += "<line x1=\"\(c(x(Double(t))))\" x2=\"\(c(x(Double(t))))\" y1=\"\(c(height - bottom))\" y2=\"\(c(height - bottom + 4))\" stroke=\"#374151\"/>"
            svg += "<text x=\"\(c(x(Double(t))))\" y=\"\(c(height - bottom + 16))\" text-anchor=\"middle\" fill=\"#374151\">\(ReportFormat.shortTime(t, withDate: multiDay))</text>"
            t += step
        }
        svg += "<line x1=\"\(c(left))\" x2=\"\(c(width - right))\" y1=\"\(c(height - bottom))\" y2=\"\(c(height - bottom))\" stroke=\"#374151\"/>"
        svg += "<line x1=\"\(c(left))\" x2=\"\(c(left))\" y1=\"\(c(top))\" y2=\"\(c(height - bottom))\" stroke=\"#374151\"/>"
        svg += "<text x=\"\(c(width - right))\" y=\"\(c(height - 4))\" text-anchor=\"end\" fill=\"#6b7280\">UTC</text>"

        // Markers: a vertical line and a label in its own row at the top, so close markers stay legible.
        var markers: [(time: EventTime, label: String, color: String, dash: String, row: Int, tip: String)] = [
            (incident.startedAt, "started", "#b45309", "", 0, "started " + ReportFormat.time(incident.startedAt)),
            (incident.detectedAt, "detected", "#6d28d9", "4 2", 1, "detected " + ReportFormat.time(incident.detectedAt)),
        ]
        if let ended = incident.endedAt { markers.append((ended, "ended", "#047857", "", 0, "ended " + ReportFormat.time(ended))) }
        for change in changes {
            markers.append((change.record.startedAt, "change", "#1d4ed8", "8 3 2 3", 2,
                            "change \(change.id) at \(ReportFormat.time(change.record.startedAt)): \(change.record.summary)"))
        }
        for m in markers {
            let mx = c(x(Double(m.time)))
            let labelY = top - 30 + Double(m.row) * 12  // rows at 38, 50, 62: below the legend
            let after = m.row == 1
            svg += "<g class=\"marker\"><title>\(ReportFormat.html(m.tip))</title>"
            svg += "<line x1=\"\(mx)\" x2=\"\(mx)\" y1=\"\(c(labelY - 9))\" y2=\"\(c(height - bottom))\" stroke=\"\(m.color)\" stroke-width=\"1.5\"\(m.dash.isEmpty ? "" : " stroke-dasharray=\"\(m.dash)\"")/>"
            svg += "<text x=\"\(c(x(Double(m.time)) + (after ? 4 : -4)))\" y=\"\(c(labelY))\" text-anchor=\"\(after ? "start" : "end")\" fill=\"\(m.color)\">\(m.label)</text></g>"
        }
        if let threshold = incident.threshold {
            let ty = c(y(threshold))
            svg += "<line class=\"threshold\" x1=\"\(c(left))\" x2=\"\(c(width - right))\" y1=\"\(ty)\" y2=\"\(ty)\" stroke=\"#dc2626\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
            // In the right margin, where no data point or marker can hide it.
            svg += "<text x=\"\(c(width - right + 6))\" y=\"\(c(y(threshold) - 2))\" fill=\"#dc2626\">threshold</text>"
            svg += "<text x=\"\(c(width - right + 6))\" y=\"\(c(y(threshold) + 11))\" fill=\"#dc2626\">\(ReportFormat.html(ReportFormat.metric(threshold, name: unitName)))</text>"
        }
        for (index, s) in series.enumerated() {
            let (color, dash) = seriesStyles[index % seriesStyles.count]
            let path = s.points.map { "\(c(x(Double($0.time)))),\(c(y($0.value)))" }.joined(separator: " ")
            svg += "<polyline class=\"series\" points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
            for p in s.points {
                svg += "<circle cx=\"\(c(x(Double(p.time))))\" cy=\"\(c(y(p.value)))\" r=\"3.5\" fill=\"\(color)\"><title>"
                    + ReportFormat.html("\(s.label) \(ReportFormat.metric(p.value, name: s.name)), window ending \(ReportFormat.time(p.time)) (\(p.event) record)") + "</title></circle>"
            }
        }
        // Legend along the top edge.
        var lx = left
        for (index, s) in series.enumerated() {
            let (color, dash) = seriesStyles[index % seriesStyles.count]
            svg += "<line x1=\"\(c(lx))\" x2=\"\(c(lx + 22))\" y1=\"14\" y2=\"14\" stroke=\"\(color)\" stroke-width=\"2\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
            svg += "<text x=\"\(c(lx + 27))\" y=\"18\" fill=\"#111827\">\(ReportFormat.html(s.label))</text>"
            lx += 40 + Double(s.label.count) * 6.5
        }
        svg += "<rect x=\"\(c(lx))\" y=\"8\" width=\"14\" height=\"12\" fill=\"#fde2e2\"/><text x=\"\(c(lx + 19))\" y=\"18\" fill=\"#111827\">\(incident.endedAt == nil ? "incident (started → end of period, still open)" : "incident (started → ended)")</text>"
        if series.allSatisfy({ $0.points.isEmpty }) {
            svg += "<text x=\"\(c((left + width - right) / 2))\" y=\"\(c((top + height - bottom) / 2))\" text-anchor=\"middle\" fill=\"#6b7280\">no metrics in the records</text>"
        }
        return svg + "</svg>"
    }

    static func label(_ metric: String) -> String {
        switch metric {
        case "error_ratio": "error ratio"
        case "latency_p50_ms": "p50 latency"
        case "latency_p95_ms": "p95 latency"
        case "latency_p99_ms": "p99 latency"
        default: metric
        }
    }

    /// Axis labels: percentages for ratios (with decimals only when the step needs them), ms otherwise.
    static func axisValue(_ value: Double, name: String, step: Double) -> String {
        if name.hasSuffix("ratio") {
            return ReportFormat.fixed(value * 100, digits: step * 100 < 1 ? 1 : 0) + "%"
        }
        return ReportFormat.fixed(value, digits: step < 1 ? 1 : 0) + (name.hasSuffix("_ms") ? " ms" : "")
    }
}
