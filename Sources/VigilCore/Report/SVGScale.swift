import Foundation

/// Linear scales and tick choices shared by the report's SVG charts.
struct SVGScale {
    var domain: (low: Double, high: Double)
    var range: (low: Double, high: Double)

    /// Maps a domain value to a pixel coordinate.
    func callAsFunction(_ value: Double) -> Double {
        let span = domain.high - domain.low
        guard span > 0 else { return (range.low + range.high) / 2 }
        return range.low + (value - domain.low) / span * (range.high - range.low)
    }

    /// A "nice" step (1, 2 or 5 × 10ⁿ) giving about `count` ticks over `span`.
    static func niceStep(_ span: Double, count: Int) -> Double {
        guard span > 0 else { return 1 }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
    }

    /// A round time step (1 min … 1 week) giving at most `count` ticks over `span` milliseconds.
    static func timeStep(_ span: EventTime, count: Int) -> EventTime {
        let steps: [EventTime] = [60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000,
                                  10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000]
        return steps.first { span / $0 <= EventTime(count) } ?? steps.last!
    }

    /// A coordinate with at most one decimal, so the SVG text is stable and compact.
    static func coordinate(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : ReportFormat.fixed(rounded, digits: 1)
    }
}
