import Foundation

/// Reads `vigil.record/v1` JSONL back for a report.
///
/// Bad lines are never fatal: each is kept as a `Problem` (`FILE:LINE: message`) and skipped, so a
/// truncated or hand-edited sink still gives a report of the rest. Not a hot path, so Foundation's
/// JSON parser is good enough here.
public struct RecordReader {
    /// A line that was skipped, and why.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let file: String
        public let line: Int
        public let message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    public private(set) var records: [ReportRecord] = []
    public private(set) var problems: [Problem] = []
    /// Non-blank lines seen, good and bad.
    public private(set) var linesRead = 0

    public init() {}

    /// Reads every line of one file's contents; `name` is how messages refer to the file.
    public mutating func read(_ data: Data, name: String) {
        let bytes = [UInt8](data)
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 10) ?? bytes.count
            lineNumber += 1
            var line = bytes[start..<end]
            if line.last == 13 { line = line.dropLast() }
            let complete = end < bytes.count
            start = end + 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            linesRead += 1
            do {
                records.append(try Self.decode(line, origin: "\(name):\(lineNumber)"))
            } catch {
                let message = complete || error.message != "not valid JSON" ? error.message : "truncated line at end of file (not valid JSON)"
                problems.append(Problem(file: name, line: lineNumber, message: message))
            }
        }
    }

    /// Why a line was refused.
    struct LineError: Error { let message: String }

    static func decode(_ line: ArraySlice<UInt8>, origin: String) throws(LineError) -> ReportRecord {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(line)) else { throw LineError(message: "not valid JSON") }
        guard let object = parsed as? [String: Any] else { throw LineError(message: "not a JSON object") }
        guard object["schema"] as? String == "vigil.record/v1" else { throw LineError(message: "not a vigil.record/v1 record (schema)") }
        let fields = Fields(object: object)
        let kind = try fields.required("kind") { ReportRecord.Kind(rawValue: $0) }
        let idKey = switch kind { case .incident: "incident_id"; case .problemCandidate: "problem_id"; case .change: "change_id" }
        let idPrefix = switch kind { case .incident: "inc_"; case .problemCandidate: "prb_"; case .change: "chg_" }
        let id = try fields.required(idKey) { Self.isId($0, prefix: idPrefix) ? $0 : nil }
        let changeIds = try fields.strings("change_ids")
        for change in changeIds where !isId(change, prefix: "chg_") { throw LineError(message: "change_ids: not a change id: \(change)") }
        let rule = object["rule"] as? [String: Any]
        let window = (object["window"] as? [String: Any]).map { Fields(object: $0, prefix: "window.") }
        return ReportRecord(
            kind: kind,
            event: try fields.required("event") { ["opened", "updated", "resolved", "detected", "expired", "verified"].contains($0) ? $0 : nil },
            seq: try fields.int("seq", required: kind != .change) ?? 0,
            id: id,
            severity: try fields.required("severity") { Severity(rawValue: $0) },
            tier: try fields.optional("tier") { Tier(rawValue: $0) },
            summary: try fields.required("summary") { $0.isEmpty ? nil : $0 },
            ruleId: rule?["id"] as? String,
            detector: rule?["detector"] as? String,
            threshold: (rule?["threshold"] as? NSNumber)?.doubleValue,
            labels: try fields.stringMap("labels"),
            startedAt: try fields.required("started_at", parseTime),
            detectedAt: try fields.time("detected_at", required: kind == .incident),
            endedAt: try fields.time("ended_at"),
            lastSeenAt: try fields.time("last_seen_at"),
            windowStart: try window?.time("start"),
            windowEnd: try window?.time("end"),
            metrics: ((object["metrics"] as? [String: Any]) ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue },
            signature: try fields.optional("signature") { $0 },
            count: try fields.int("count", required: false),
            changeIds: changeIds,
            relatedIncidentIds: try fields.strings("related_incident_ids"),
            verdict: try fields.optional("verdict") { ["healthy", "degraded", "inconclusive"].contains($0) ? $0 : nil },
            origin: origin)
    }

    /// `prefix` + 16 lowercase hex digits (SPEC ids), so ids can be printed in code spans unescaped.
    static func isId(_ text: String, prefix: String) -> Bool {
        text.hasPrefix(prefix) && text.utf8.count == prefix.utf8.count + 16
            && text.utf8.dropFirst(prefix.utf8.count).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// `2026-11-26T10:03:00.000Z` (any number of fraction digits, `Z` required) → epoch milliseconds.
    public static func parseTime(_ text: String) -> EventTime? {
        let b = Array(text.utf8)
        guard b.count >= 20, b.last == 90, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range { guard (48...57).contains(b[i]) else { return nil }; value = value * 10 + Int(b[i] - 48) }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var millis = 0
        if b.count > 20 {
            guard b[19] == 46, b.count > 21, let fraction = number(20..<b.count - 1) else { return nil }
            let digits = b.count - 21
            millis = digits >= 3 ? fraction / Int(pow(10, Double(digits - 3))) : fraction * Int(pow(10, Double(3 - digits)))
        } else if b.count != 20 { return nil }
        let days = CivilTime.daysFromCivil(year: year, month: month, day: day)
        return EventTime(days) * 86_400_000 + EventTime(hour * 3_600_000 + minute * 60_000 + second * 1000 + millis)
    }
}

/// Typed access to a record's members, with messages that name the member.
private struct Fields {
    let object: [String: Any]
    var prefix = ""

    func required<T>(_ key: String, _ convert: (String) -> T?) throws(RecordReader.LineError) -> T {
        guard let value = object[key] else { throw .init(message: "missing \(prefix)\(key)") }
        guard let text = value as? String, let converted = convert(text) else { throw .init(message: "invalid \(prefix)\(key)") }
        return converted
    }

    func optional<T>(_ key: String, _ convert: (String) -> T?) throws(RecordReader.LineError) -> T? {
        guard object[key] != nil else { return nil }
        return try required(key, convert)
    }

    func time(_ key: String, required: Bool = false) throws(RecordReader.LineError) -> EventTime? {
        required ? try self.required(key, RecordReader.parseTime) : try optional(key, RecordReader.parseTime)
    }

    func int(_ key: String, required: Bool) throws(RecordReader.LineError) -> Int? {
        guard let value = object[key] else {
            if required { throw .init(message: "missing \(prefix)\(key)") }
            return nil
        }
        guard let number = value as? NSNumber, number.doubleValue >= 0, number.doubleValue == number.doubleValue.rounded(),
              number.doubleValue < 1e15 else { throw .init(message: "invalid \(prefix)\(key)") }
        return number.intValue
    }

    func strings(_ key: String) throws(RecordReader.LineError) -> [String] {
        guard let value = object[key] else { return [] }
        guard let list = value as? [Any], let strings = list as? [String] else { throw .init(message: "invalid \(prefix)\(key)") }
        return strings
    }

    func stringMap(_ key: String) throws(RecordReader.LineError) -> [String: String] {
        guard let value = object[key] else { throw .init(message: "missing \(prefix)\(key)") }
        guard let map = value as? [String: Any], let strings = map as? [String: String] else { throw .init(message: "invalid \(prefix)\(key)") }
        return strings
    }
}
