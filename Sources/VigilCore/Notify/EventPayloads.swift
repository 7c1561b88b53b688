/// PagerDuty Events API v2 (`POST https://events.pagerduty.com/v2/enqueue`).
///
/// PagerDuty documents (developer.pagerduty.com/docs/events-api-v2/trigger-events, /resolve-alerts,
/// /send-change-events): `routing_key`, `event_action` (`trigger`, `acknowledge`, `resolve`) and
/// `dedup_key` (at most 255 characters; events with the same key update one alert); a trigger carries
/// `payload` with `summary` (at most 1024 characters), `source`, `severity` (`critical`, `error`,
/// `warning`, `info`), optional `timestamp` (ISO 8601), `component`, `group`, `class` and
/// `custom_details`, plus optional top-level `client` and `links`. A resolve needs only `routing_key`,
/// `event_action` and `dedup_key`. Change events go to `/v2/change/enqueue` with `routing_key` and
/// `payload` (`summary`, `timestamp`, `source`, `custom_details`).
public enum PagerDutyEvent {
    /// `trigger` for an opened or updated incident or problem (the same `dedup_key` updates the alert),
    /// `resolve` when it resolved or expired; a change record becomes a change event.
    public static func payload(_ r: Record, routingKey: String, source: String) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("routing_key"); w.string(routingKey)
        if r.kind == .change {
            w.key("payload"); w.beginObject()
            w.key("summary"); w.string(NotifyText.truncate(r.summary, 1024))
            w.key("timestamp"); w.string(CivilTime.format(r.startedAt))
            w.key("source"); w.string(source)
            customDetails(&w, r)
            w.endObject()
            w.endObject()
            return w.bytes
        }
        let resolve = r.event == .resolved || r.event == .expired
        w.key("event_action"); w.string(resolve ? "resolve" : "trigger")
        w.key("dedup_key"); w.string(String(r.dedupKey.prefix(255)))
        if !resolve {
            w.key("payload"); w.beginObject()
            w.key("summary"); w.string(NotifyText.truncate(r.summary, 1024))
            w.key("source"); w.string(source)
            w.key("severity"); w.string(r.severity.rawValue)
            w.key("timestamp"); w.string(CivilTime.format(r.startedAt))
            if let service = r.labels["service"] { w.key("component"); w.string(service) }
            if let tier = r.tier { w.key("group"); w.string(tier.rawValue) }
            w.key("class"); w.string(r.labels["alertname"] ?? r.rule?.alertname ?? r.kind.rawValue)
            customDetails(&w, r)
            w.endObject()
            w.key("client"); w.string("vigil")
        }
        w.endObject()
        return w.bytes
    }

    /// Change events have their own endpoint next to `/v2/enqueue`.
    public static func path(for r: Record, base: String) -> String {
        guard r.kind == .change else { return base }
        return base.hasSuffix("/v2/enqueue") ? String(base.dropLast("/v2/enqueue".count)) + "/v2/change/enqueue" : base
    }

    private static func customDetails(_ w: inout JSONWriter, _ r: Record) {
        w.key("custom_details"); w.beginObject()
        w.key("state"); w.string(NotifyText.state(r))
        if let description = r.description { w.key("description"); w.string(description) }
        if let id = r.incidentId ?? r.problemId ?? r.changeId { w.key("id"); w.string(id) }
        if let tier = r.tier { w.key("tier"); w.string(tier.rawValue) }
        for key in r.labels.keys.sorted() { w.key("label_" + key); w.string(r.labels[key]!) }
        for (name, value) in r.metrics { if let value { w.key(name); w.number(value) } }
        let evidence = NotifyText.evidence(r)
        if !evidence.isEmpty { w.key("evidence"); w.string(evidence) }
        if !r.changeIds.isEmpty { w.key("change_ids"); w.string(r.changeIds.joined(separator: ", ")) }
        w.endObject()
    }
}

/// Splunk HTTP Event Collector (`POST /services/collector/event`, header `Authorization: Splunk TOKEN`).
///
/// Splunk documents ("Format events for HTTP Event Collector", docs.splunk.com): a JSON object per
/// event with `time` (epoch seconds, fractions allowed), `host`, `source`, `sourcetype`, optional
/// `index`, and `event` (a string or a JSON object). The event here is the record exactly as vigil
/// writes it to its sink.
public enum SplunkEvent {
    public static func payload(_ r: Record, host: String, source: String, sourcetype: String, index: String?) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("time"); w.number(Double(NotifyText.eventTime(r)) / 1000)
        w.key("host"); w.string(host)
        w.key("source"); w.string(source)
        w.key("sourcetype"); w.string(sourcetype)
        if let index { w.key("index"); w.string(index) }
        // The writer cannot embed raw JSON: the envelope is closed by hand around the record's line.
        var bytes = w.bytes
        var record = RecordEncoder.encode(r)
        if record.last == UInt8(ascii: "\n") { record.removeLast() }
        bytes += Array(#","event":"#.utf8) + record + [UInt8(ascii: "}")]
        return bytes
    }
}
