/// The `--tap` line of `vigil run`: the line as `vigil parse` prints it, with where it came from.
public enum TapEncoder {
    public static func encode(_ tap: LivePipeline.TapLine) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("source"); w.string(tap.source)
        w.key("line"); w.int(tap.line.number)
        w.key("offset"); w.int(tap.line.offset)
        if let parsed = tap.parsed {
            ParsedLineJSON.write(parsed, parser: tap.parser, into: &w)
        } else {
            ParsedLineJSON.writeUnparsed(tap.reason ?? .noMatch, into: &w)
        }
        w.endObject()
        w.newline()
        return w.bytes
    }
}
