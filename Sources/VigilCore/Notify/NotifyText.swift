import Foundation

/// The words every notification format shares, so Slack, Teams and the tickets say the same thing.
public enum NotifyText {
    /// `Opened`, `Resolved`, `New problem`, `Change`, `Change verified` …
    public static func state(_ r: Record) -> String {
        switch (r.kind, r.event) {
        case (.incident, .opened): "Opened"
        case (.incident, .updated): "Updated"
        case (.incident, .resolved): "Resolved"
        case (.problemCandidate, .detected): "New problem"
        case (.problemCandidate, .expired): "Problem expired"
        case (.problemCandidate, _): "Problem updated"
        case (.change, .verified): "Change verified"
        case (.change, _): "Change"
        default: r.event.rawValue.capitalized
        }
    }

    /// One line: `[CRITICAL] Opened: checkout: error ratio 40%`.
    public static func headline(_ r: Record) -> String {
        "[\(r.severity.rawValue.uppercased())] \(state(r)): \(r.summary)"
    }

    /// The id a ticket or alert of this record is kept under: the incident or problem it belongs to.
    public static func subjectId(_ r: Record) -> String? { r.incidentId ?? r.problemId }

    /// Name/value pairs shown as fields or facts, in a fixed order.
    public static func facts(_ r: Record) -> [(name: String, value: String)] {
        var facts: [(String, String)] = [("Severity", r.severity.rawValue)]
        if let tier = r.tier { facts.append(("Tier", tier.rawValue)) }
        for key in r.labels.keys.sorted() where key != "alertname" { facts.append((key, r.labels[key]!)) }
        if let id = r.incidentId ?? r.problemId ?? r.changeId { facts.append(("Id", id)) }
        facts.append(("Started", CivilTime.format(r.startedAt)))
        if let ended = r.endedAt { facts.append(("Ended", CivilTime.format(ended))) }
        let metrics = metricsText(r)
        if !metrics.isEmpty { facts.append(("Metrics", metrics)) }
        if !r.changeIds.isEmpty { facts.append(("Changes", r.changeIds.joined(separator: ", "))) }
        return facts
    }

    public static func metricsText(_ r: Record) -> String {
        r.metrics.compactMap { m in m.value.map { "\(m.name)=\(JSONWriter.formatNumber($0))" } }.joined(separator: " ")
    }

    /// The first evidence lines as `source:line: text`, each cut to 300 characters.
    public static func evidence(_ r: Record, lines: Int = 3) -> String {
        r.evidence.prefix(lines).map { "\($0.source):\($0.lineNumber): " + truncate(String(decoding: $0.line, as: UTF8.self), 300) }
            .joined(separator: "\n")
    }

    /// A plain-text body for tickets and comments: description, facts, evidence, dedup key.
    public static func body(_ r: Record) -> String {
        var text = headline(r) + "\n"
        if let description = r.description { text += "\n" + description + "\n" }
        text += "\n" + facts(r).map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n"
        let evidence = evidence(r)
        if !evidence.isEmpty { text += "\nEvidence:\n" + evidence + "\n" }
        text += "\ndedup_key: \(r.dedupKey)\n"
        return text
    }

    /// At most `limit` characters (grapheme clusters), ending in `…` when cut.
    public static func truncate(_ text: String, _ limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 1))) + "…"
    }

    /// At most `limit` UTF-16 code units, for vendors that count that way (Jira, ServiceNow).
    public static func truncateUTF16(_ text: String, _ limit: Int) -> String {
        guard text.utf16.count > limit else { return text }
        var out = ""
        var used = 0
        for character in text {
            let size = character.utf16.count
            if used + size > limit - 1 { break }
            out.append(character)
            used += size
        }
        return out + "…"
    }

    /// The time a record stands for: when it ended, else when it was last evaluated or decided.
    public static func eventTime(_ r: Record) -> EventTime {
        r.endedAt ?? r.lastSeenAt ?? r.detectedAt ?? r.startedAt
    }
}
