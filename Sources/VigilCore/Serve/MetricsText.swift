import Foundation

/// Writes the Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE` once per family,
/// then its samples. Label values are escaped (`\\`, `\"`, `\n`) so that content taken from logs
/// can never end a sample early or forge one (RELIABILITY B6).
public struct MetricsText {
    /// The Content-Type Prometheus 3 requires for this format (it refuses `application/octet-stream`).
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public enum Kind: String, Sendable { case counter, gauge, histogram, summary }

    public private(set) var text = ""

    public init() { text.reserveCapacity(16 * 1024) }

    /// Starts a metric family. `name` must already be a valid metric name.
    public mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    /// One sample; labels in the order given.
    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (i, (key, value)) in labels.enumerated() {
                if i > 0 { text += "," }
                text += key + "=\"" + Self.escapeLabelValue(value) + "\""
            }
            text += "}"
        }
        text += " " + Self.format(value) + "\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Int) {
        sample(name, labels, Double(value))
    }

    /// A family with a single unlabelled sample.
    public mutating func single(_ name: String, _ kind: Kind, _ help: String, _ value: Double) {
        family(name, kind, help)
        sample(name, [], value)
    }

    /// Label value escaping of the text format: backslash, double quote and line feed. Invalid
    /// UTF-8 was already replaced when the value became a `String`.
    public static func escapeLabelValue(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// HELP text escapes backslash and line feed.
    static func escapeHelp(_ help: String) -> String {
        help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Go-style float formatting as Prometheus parses it: integers without a fraction, `+Inf`,
    /// `-Inf`, `NaN`.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
