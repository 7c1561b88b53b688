/// Incidents started per hour or day, as an inline SVG bar chart.
enum SVGTrendChart {
    static let width = 760.0, height = 180.0
    static let left = 40.0, right = 12.0, top = 12.0, bottom = 34.0

    static func render(_ model: ReportModel) -> String {
        let buckets = model.trend
        let c = SVGScale.coordinate
        let unit = ReportText.trendUnitName(model.trendBucket)
        let most = max(buckets.map(\.incidents).max() ?? 0, 1)
        let step = max(1, SVGScale.niceStep(Double(most), count: 4).rounded())
        let yHigh = (Double(most) / step).rounded(.up) * step
        let y = SVGScale(domain: (0, yHigh), range: (height - bottom, top))
        let slot = (width - left - right) / Double(max(buckets.count, 1))
        var svg = "<svg class=\"trend-chart\" role=\"img\" aria-label=\"incidents started per \(unit)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "width=\"\(Int(width))\" height=\"\(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"11\">"
        var tick = 0.0
        while tick <= yHigh {
            svg += "<line x1=\"\(c(left))\" x2=\"\(c(width - right))\" y1=\"\(c(y(tick)))\" y2=\"\(c(y(tick)))\" stroke=\"#e5e7eb\"/>"
            svg += "<text x=\"\(c(left - 6))\" y=\"\(c(y(tick) + 4))\" text-anchor=\"end\" fill=\"#374151\">\(Int(tick))</text>"
            tick += step
        }
        // Label about eight buckets, whatever their number.
        let labelEvery = max(1, (buckets.count + 7) / 8)
        for (index, bucket) in buckets.enumerated() {
            let bx = left + Double(index) * slot
            if bucket.incidents > 0 {
                let barWidth = max(1, min(slot * 0.7, 28))
                svg += "<rect x=\"\(c(bx + (slot - barWidth) / 2))\" y=\"\(c(y(Double(bucket.incidents))))\" width=\"\(c(barWidth))\" "
                    + "height=\"\(c(y(0) - y(Double(bucket.incidents))))\" fill=\"#b91c1c\"><title>"
                    + "\(ReportText.bucket(bucket.start, size: model.trendBucket)): \(bucket.incidents) incident\(bucket.incidents == 1 ? "" : "s")</title></rect>"
            }
            if index % labelEvery == 0 {
                let text = model.trendBucket == 3_600_000 ? ReportFormat.shortTime(bucket.start) : String(ReportFormat.time(bucket.start).dropFirst(5).prefix(5))
                svg += "<text x=\"\(c(bx + slot / 2))\" y=\"\(c(height - bottom + 15))\" text-anchor=\"middle\" fill=\"#374151\">\(text)</text>"
            }
        }
        svg += "<line x1=\"\(c(left))\" x2=\"\(c(width - right))\" y1=\"\(c(y(0)))\" y2=\"\(c(y(0)))\" stroke=\"#374151\"/>"
        svg += "<text x=\"\(c(width - right))\" y=\"\(c(height - 4))\" text-anchor=\"end\" fill=\"#6b7280\">\(unit) (UTC)</text>"
        return svg + "</svg>"
    }
}
