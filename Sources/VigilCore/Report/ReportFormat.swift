import Foundation

/// Deterministic formatting of times, durations and numbers for both report formats, and escaping
/// of record text (which comes from logs and may hold anything) for Markdown and HTML.
public enum ReportFormat {
    /// `2026-11-26 10:25:00` (UTC; the report says so once).
    public static func time(_ t: EventTime) -> String {
        let iso = CivilTime.format(t)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8))
    }

    /// `10:25` or, when `withDate`, `11-26 10:25`: axis labels.
    public static func shortTime(_ t: EventTime, withDate: Bool = false) -> String {
        let iso = CivilTime.format(t)
        let clock = String(iso.dropFirst(11).prefix(5))
        return withDate ? String(iso.dropFirst(5).prefix(5)) + " " + clock : clock
    }

    /// `45s`, `2m 30s`, `1h 5m`, `2d 4h`: rounded to the second, at most two units.
    public static func duration(_ ms: EventTime) -> String {
        if ms < 0 { return "-" + duration(-ms) }
        if ms > 0 && ms < 1000 { return "\(ms)ms" }
        let s = (ms + 500) / 1000
        let units: [(EventTime, String)] = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")]
        guard let top = units.firstIndex(where: { s >= $0.0 }) else { return "0s" }
        let (size, name) = units[top]
        var text = "\(s / size)\(name)"
        if top + 1 < units.count {
            let (next, nextName) = units[top + 1]
            let rest = (s % size) / next
            if rest > 0 { text += " \(rest)\(nextName)" }
        }
        return text
    }

    /// `—` for nil, else `duration`.
    public static func duration(_ ms: EventTime?) -> String { ms.map { duration($0) } ?? "—" }

    /// `66.7%` (one decimal), `—` for nil.
    public static func percent(_ ratio: Double?) -> String {
        guard let ratio else { return "—" }
        return fixed(ratio * 100, digits: 1) + "%"
    }

    /// A number with a fixed count of decimals, never `-0`.
    public static func fixed(_ value: Double, digits: Int) -> String {
        let text = String(format: "%.\(digits)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    /// A metric value the way the summaries write it: ratios as percentages, latencies in ms.
    public static func metric(_ value: Double, name: String) -> String {
        if name.hasSuffix("ratio") { return percent(value) }
        if name.hasSuffix("_ms") { return (value >= 100 ? fixed(value, digits: 0) : fixed(value, digits: 1)) + " ms" }
        return value == value.rounded() ? fixed(value, digits: 0) : fixed(value, digits: 2)
    }

    /// Text for a Markdown table cell or list item: ASCII punctuation that Markdown interprets is
    /// backslash-escaped (CommonMark), and line breaks and control characters become spaces.
    public static func markdown(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 32 || scalar.value == 127 || (0x80...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" {
                out += " "
            } else if "\\`*_[]<>|#!~&".unicodeScalars.contains(scalar) {
                out += "\\" + String(scalar)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text for HTML or SVG content and attribute values; control characters become U+FFFD.
    public static func html(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out += " "
            default:
                if scalar.value < 32 || scalar.value == 127 || (0x80...0x9F).contains(scalar.value) { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
