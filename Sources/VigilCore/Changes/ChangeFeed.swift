import Foundation

/// A problem in a `--changes` file, reported as `FILE:LINE:COL: message`.
public struct ChangeFeedError: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// `--changes FILE`: change records from outside the logs (CI/CD, a deploy tool), one JSON object
/// per line:
///
///     {"time":"2026-11-26T10:39:00Z","service":"payments","kind":"deploy","version":"2.14.0"}
///
/// - `time` (required): RFC 3339 (any format vigil reads as a timestamp).
/// - `service` (required): the service the change is about.
/// - `kind`: `deploy` (default), `restart`, `config_reload`, `version_change`, `package_upgrade`.
/// - `summary`: the text of the record; default `KIND of SERVICE[ VERSION]` (`deploy of payments 2.14.0`).
/// - `version`: used in the default summary.
///
/// Blank lines and lines starting with `#` are skipped; other keys are ignored.
public enum ChangeFeed {
    public static func load(path: String) throws(ChangeFeedError) -> [ChangeEvent] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ChangeFeedError(diagnostics: [Diagnostic(file: path, line: 1, column: 1, message: "cannot read the changes file")])
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses a feed; every bad line is reported. Changes come back in time order (stable).
    public static func parse(_ text: String, path: String) throws(ChangeFeedError) -> [ChangeEvent] {
        var changes: [ChangeEvent] = []
        var diagnostics: [Diagnostic] = []
        let timestamps = TimestampParser()
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            func problem(_ message: String) { diagnostics.append(Diagnostic(file: path, line: i + 1, column: 1, message: message)) }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                problem("not a JSON object"); continue
            }
            guard let timeText = object["time"] as? String, let time = timestamps.parse(timeText) else {
                problem("needs \"time\" as an RFC 3339 string"); continue
            }
            guard let service = object["service"] as? String, !service.isEmpty else {
                problem("needs \"service\" as a non-empty string"); continue
            }
            var kind = ChangeKind.deploy
            if let kindText = object["kind"] {
                guard let k = (kindText as? String).flatMap(ChangeKind.init(rawValue:)) else {
                    problem("\"kind\" must be one of \(ChangeKind.allCases.map(\.rawValue).joined(separator: ", "))"); continue
                }
                kind = k
            }
            let version = object["version"] as? String
            let summary = (object["summary"] as? String).flatMap { $0.isEmpty ? nil : $0 }
                ?? "\(kind.rawValue.replacingOccurrences(of: "_", with: " ")) of \(service)" + (version.map { " \($0)" } ?? "")
            changes.append(ChangeEvent(service: service, kind: kind, summary: summary, time: time))
        }
        if !diagnostics.isEmpty { throw ChangeFeedError(diagnostics: diagnostics) }
        return changes.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }
}
