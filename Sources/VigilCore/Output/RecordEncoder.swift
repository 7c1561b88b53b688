/// Encodes records as one JSON line each, keys in a fixed order, so output is byte-for-byte
/// deterministic (schema `vigil.record/v1`).
public enum RecordEncoder {
    /// Evidence lines are cut to this many bytes (the schema allows 2048 characters).
    static let maxEvidenceBytes = 2048

    public static func encode(_ r: Record) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("schema"); w.string("vigil.record/v1")
        w.key("record_id"); w.string(r.recordId)
        w.key("kind"); w.string(r.kind.rawValue)
        w.key("event"); w.string(r.event.rawValue)
        if let seq = r.seq { w.key("seq"); w.int(seq) }
        if let id = r.incidentId { w.key("incident_id"); w.string(id) }
        if let id = r.problemId { w.key("problem_id"); w.string(id) }
        if let id = r.changeId { w.key("change_id"); w.string(id) }
        w.key("dedup_key"); w.string(r.dedupKey)
        if let status = r.status { w.key("status"); w.string(status) }
        w.key("severity"); w.string(r.severity.rawValue)
        if let tier = r.tier { w.key("tier"); w.string(tier.rawValue) }
        w.key("summary"); w.string(r.summary)
        if let description = r.description { w.key("description"); w.string(description) }
        if let rule = r.rule {
            w.key("rule"); w.beginObject()
            w.key("id"); w.string(rule.id)
            if let alertname = rule.alertname { w.key("alertname"); w.string(alertname) }
            w.key("detector"); w.string(rule.detector)
            if let threshold = rule.threshold { w.key("threshold"); w.number(threshold) }
            w.endObject()
        }
        w.key("labels"); w.beginObject()
        for key in r.labels.keys.sorted() { w.key(key); w.string(r.labels[key]!) }
        w.endObject()
        w.key("started_at"); w.string(CivilTime.format(r.startedAt))
        if let t = r.detectedAt { w.key("detected_at"); w.string(CivilTime.format(t)) }
        if let t = r.endedAt { w.key("ended_at"); w.string(CivilTime.format(t)) }
        if let t = r.lastSeenAt { w.key("last_seen_at"); w.string(CivilTime.format(t)) }
        if let t = r.emittedAt { w.key("emitted_at"); w.string(CivilTime.format(t)) }
        if let window = r.window {
            w.key("window"); w.beginObject()
            w.key("start"); w.string(CivilTime.format(window.start))
            w.key("end"); w.string(CivilTime.format(window.end))
            w.key("duration_s"); w.number(Double(window.end - window.start) / 1000)
            w.endObject()
        }
        if !r.metrics.isEmpty {
            w.key("metrics"); w.beginObject()
            for (name, value) in r.metrics { w.key(name); if let value { w.number(value) } else { w.null() } }
            w.endObject()
        }
        if let signature = r.signature { w.key("signature"); w.string(signature) }
        if let count = r.count { w.key("count"); w.int(count) }
        if !r.relatedIncidentIds.isEmpty {
            w.key("related_incident_ids"); w.beginArray()
            for id in r.relatedIncidentIds { w.string(id) }
            w.endArray()
        }
        if !r.changeIds.isEmpty {
            w.key("change_ids"); w.beginArray()
            for id in r.changeIds { w.string(id) }
            w.endArray()
        }
        if let verdict = r.verdict { w.key("verdict"); w.string(verdict.rawValue) }
        if !r.signals.isEmpty {
            w.key("signals"); w.beginArray()
            for signal in r.signals.prefix(16) { encode(signal, &w) }
            w.endArray()
        }
        if !r.evidence.isEmpty {
            w.key("evidence"); w.beginArray()
            for e in r.evidence.prefix(10) { encode(e, &w) }
            w.endArray()
        }
        w.endObject()
        w.newline()
        return w.bytes
    }

    private static func encode(_ s: Record.Signal, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("detector"); w.string(s.detector)
        w.key("rule_id"); w.string(s.ruleId)
        w.key("started_at"); w.string(CivilTime.format(s.startedAt))
        if let t = s.endedAt { w.key("ended_at"); w.string(CivilTime.format(t)) }
        w.key("summary"); w.string(String(s.summary.prefix(1024)))
        if !s.metricNames.isEmpty {
            w.key("metrics"); w.beginObject()
            for (name, value) in zip(s.metricNames, s.metricValues) { w.key(name); if let value { w.number(value) } else { w.null() } }
            w.endObject()
        }
        w.endObject()
    }

    private static func encode(_ e: Evidence, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("ts"); w.string(CivilTime.format(e.ts))
        w.key("source"); w.string(e.source)
        if let cursor = e.cursor { w.key("cursor"); w.string(cursor) }
        w.key("line_no"); w.int(e.lineNumber)
        w.key("offset"); w.int(e.offset)
        let valid = e.line.withUnsafeBufferPointer { UTF8Decoding.isValid($0) }
        var cut = min(e.line.count, maxEvidenceBytes)
        // Do not cut inside a UTF-8 sequence.
        while cut < e.line.count, cut > 0, e.line[cut] & 0xc0 == 0x80 { cut -= 1 }
        w.key("line"); w.string(bytes: e.line[0..<cut])
        if !valid { w.key("line_b64"); w.string(Base64.encode(e.line)) }
        w.endObject()
    }
}

/// Standard base64, for evidence lines that are not valid UTF-8 (the exact bytes stay recoverable).
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [table[Int(v >> 18)], table[Int(v >> 12 & 63)], table[Int(v >> 6 & 63)], table[Int(v & 63)]]
            i += 3
        }
        if i < bytes.count {
            let rest = bytes.count - i
            let v = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out += [table[Int(v >> 18)], table[Int(v >> 12 & 63)], rest == 2 ? table[Int(v >> 6 & 63)] : 61, 61]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
