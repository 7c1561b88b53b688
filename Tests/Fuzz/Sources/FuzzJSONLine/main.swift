import FuzzSupport
import VigilCore

/// The parser stage with the built-in rules on any line: journald and JSON scanners, logfmt,
/// every format's PCRE2 pattern, timestamps, levels, key=value fields.
nonisolated(unsafe) let parser = LineParser(rules: try! RuleSet.builtin(), defaultService: "fuzz")

func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) {
    var parsed = ParsedLine()
    parser.collectFields = size % 2 == 0
    if parser.parse(data, size, into: &parsed) == nil {
        precondition(parsed.ts != .min)
        precondition(parsed.service != nil)
        var w = JSONWriter()
        w.beginObject()
        ParsedLineJSON.write(parsed, parser: parser, into: &w)
        w.endObject()
    }
}

runFuzzer(fuzzOne)
