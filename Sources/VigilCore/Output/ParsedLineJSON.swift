/// The JSON shape of one parsed line, shared by `vigil parse` and the `--tap` of `vigil run`.
public enum ParsedLineJSON {
    /// Writes the members of a parsed line (inside an object already begun).
    public static func write(_ p: ParsedLine, parser: LineParser, into w: inout JSONWriter) {
        var written: Set<String> = ["line", "source", "offset", "unparsed", "reason"]
        w.key("ts"); w.string(CivilTime.format(p.ts))
        w.key("format"); w.string(parser.formats[p.format].name)
        w.key("level"); w.string(p.level.name)
        if let s = p.service { w.key("service"); w.string(bytes: s) }
        if p.status > 0 { w.key("status"); w.int(Int(p.status)) }
        if p.latencyMs >= 0 { w.key("latency_ms"); w.number(p.latencyMs) }
        if let m = p.message { w.key("message"); w.string(bytes: m) }
        w.key("error"); w.bool(p.isError)
        written.formUnion(["ts", "format", "level", "service", "status", "latency_ms", "message", "error"])
        for field in parser.fields where !written.contains(field.name) && !field.name.isEmpty && field.name.utf8.count <= 128 {
            written.insert(field.name)
            w.key(field.name)
            w.string(bytes: field.value)
        }
    }

    /// Writes the members of a line that did not parse.
    public static func writeUnparsed(_ reason: FailureReason, into w: inout JSONWriter) {
        w.key("unparsed"); w.bool(true)
        w.key("reason"); w.string(reason.rawValue)
    }
}
