/// An incident as an Alertmanager API v2 alert (`POST /api/v2/alerts`).
///
/// Labels are the record's identity labels plus `alertname` and `severity`, so two vigil replicas
/// reading the same logs send identical alerts and Alertmanager deduplicates them. Everything else
/// (summary, description, evidence, ids) goes in annotations, which do not take part in identity.
public struct AlertmanagerAlert: Sendable, Equatable, Codable {
    public var incidentId: String
    public var seq: Int
    public var labels: [String: String]
    public var annotations: [String: String]
    /// RFC 3339 with `Z` (Alertmanager rejects `+0000` offsets).
    public var startsAt: String
    /// Set once resolved (`ended_at`); while firing, `endsAt` is computed at each send.
    public var endsAt: String?
    public var generatorURL: String

    public var isResolved: Bool { endsAt != nil }

    /// Evidence lines shown in the `evidence` annotation.
    static let evidenceLines = 3

    /// nil for records that are not incidents.
    public init?(_ record: Record, generatorBase: String = "vigil://incident/") {
        guard record.kind == .incident, let id = record.incidentId else { return nil }
        incidentId = id
        seq = record.seq ?? 0
        var labels: [String: String] = [:]
        for (name, value) in record.labels { labels[Self.labelName(name)] = value }
        if labels["alertname"] == nil { labels["alertname"] = record.rule?.alertname ?? record.rule?.id ?? "vigil" }
        labels["severity"] = record.severity.rawValue
        self.labels = labels
        var annotations = ["summary": record.summary, "incident_id": id, "dedup_key": record.dedupKey,
                           "severity": record.severity.rawValue]
        if let description = record.description { annotations["description"] = description }
        if let tier = record.tier { annotations["tier"] = tier.rawValue }
        if !record.evidence.isEmpty {
            annotations["evidence"] = record.evidence.prefix(Self.evidenceLines).map {
                "\($0.source):\($0.lineNumber): " + String(decoding: $0.line.prefix(512), as: UTF8.self)
            }.joined(separator: "\n")
        }
        if !record.metrics.isEmpty {
            annotations["metrics"] = record.metrics.compactMap { m in m.value.map { "\(m.name)=\(JSONWriter.formatNumber($0))" } }.joined(separator: " ")
        }
        self.annotations = annotations
        startsAt = CivilTime.format(record.startedAt)
        endsAt = record.event == .resolved ? CivilTime.format(record.endedAt ?? record.lastSeenAt ?? record.startedAt) : nil
        generatorURL = generatorBase + id
    }

    /// Alertmanager label names: `[a-zA-Z_][a-zA-Z0-9_]*` (it rejects `-`).
    static func labelName(_ name: String) -> String {
        var out = String(name.unicodeScalars.map { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")) ? Character($0) : "_" })
        if out.isEmpty || out.first!.isNumber { out = "_" + out }
        return out
    }

    /// The JSON array body of `POST /api/v2/alerts`; firing alerts get `endsAt = firingEndsAt`
    /// (ahead of now, so Alertmanager resolves them itself if vigil goes away).
    public static func payload(_ alerts: [AlertmanagerAlert], firingEndsAt: EventTime) -> [UInt8] {
        var w = JSONWriter()
        w.beginArray()
        for alert in alerts {
            w.beginObject()
            w.key("labels"); w.beginObject()
            for key in alert.labels.keys.sorted() { w.key(key); w.string(alert.labels[key]!) }
            w.endObject()
            w.key("annotations"); w.beginObject()
            for key in alert.annotations.keys.sorted() { w.key(key); w.string(alert.annotations[key]!) }
            w.endObject()
            w.key("startsAt"); w.string(alert.startsAt)
            w.key("endsAt"); w.string(alert.endsAt ?? CivilTime.format(firingEndsAt))
            w.key("generatorURL"); w.string(alert.generatorURL)
            w.endObject()
        }
        w.endArray()
        return w.bytes
    }
}
