import ArgumentParser
import Foundation
import VigilCore

struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the parser stage alone: one JSON object per input line.",
        discussion: """
            Prints what vigil extracts from each line (ts, level, service, status, latency_ms, message, the format \
            that matched, and every named capture or key), or {"line":N,"unparsed":true,"reason":"…"}. \
            Use it to see why a line does not count, or to try a pattern:

              vigil parse /var/log/syslog | head
              vigil parse --pattern '%{COMBINEDAPACHELOG}' access.log
              journalctl -o json -n 100 | vigil parse -
            """
    )

    @OptionGroup var ruleOptions: RuleOptions

    @Option(help: ArgumentHelp("A PCRE2 regex or grok expression to use instead of the rule set's formats.", valueName: "P"))
    var pattern: String?

    @Option(help: ArgumentHelp("Year for syslog timestamps without one.", valueName: "YYYY"))
    var year: Int?

    @Argument(help: ArgumentHelp("Log files, or - for stdin (the default).", valueName: "PATH"))
    var paths: [String] = []

    func run() throws {
        var rules = try ruleOptions.load()
        if let pattern {
            var diagnostics: [Diagnostic] = []
            guard let compiled = rules.compile(Located(value: pattern, file: "--pattern", line: 1, column: 1), &diagnostics) else {
                throw fail(diagnostics.map(\.description).joined(separator: "\n"), Exit.data)
            }
            rules.formats = [FormatRule(name: "pattern", kind: .regex(compiled), service: nil)]
        }
        let sources: [Source]
        do { sources = try SourceSet.resolve(paths.isEmpty ? ["-"] : paths) } catch { throw fail(error.description, Exit.noInput) }
        let out = FileHandle.standardOutput
        var buffer: [UInt8] = []
        let parsers = sources.map { source in
            let parser = LineParser(rules: rules, defaultService: source.defaultService)
            parser.collectFields = true
            return parser
        }
        var parsed = ParsedLine()
        try forEachLine(in: sources, startFile: { parsers[$0].timestamps = TimestampParser.forFile($1, year: year) }) { index, line in
            let source = sources[index], parser = parsers[index]
            var w = JSONWriter()
            w.beginObject()
            w.key("line"); w.int(line.number)
            if sources.count > 1 || source.files.count > 1 { w.key("source"); w.string(source.name) }
            let reason = line.tooLong ? FailureReason.tooLong : parser.parse(line.bytes, line.count, into: &parsed)
            if let reason {
                ParsedLineJSON.writeUnparsed(reason, into: &w)
            } else {
                ParsedLineJSON.write(parsed, parser: parser, into: &w)
            }
            w.endObject()
            w.newline()
            buffer.append(contentsOf: w.bytes)
            if buffer.count > 64 * 1024 { out.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
        }
        out.write(Data(buffer))
    }

}
