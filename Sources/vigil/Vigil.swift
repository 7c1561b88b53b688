import ArgumentParser
import Foundation
import VigilCore

@main
struct Vigil: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Log ingestion and anomaly detection for production support.",
        discussion: """
            vigil reads logs (plain or gzip, rotated sets, stdin), parses them with PCRE2 patterns and built-in \
            formats (journald JSON, syslog, nginx/Apache, logfmt, JSON lines, app logs), computes per-service \
            error ratios and latency percentiles in event time, and writes incidents as JSONL.

            Start here:
              vigil replay /var/log/nginx/access.log*   incidents in archives
              vigil parse app.log | head                what vigil reads from each line
              vigil check --rules ./my-rules            validate a rule set
            Rule files: Rules/README.md. Record format: vigil.record/v1 (SPEC.md).
            """,
        subcommands: [Replay.self, Run.self, Parse.self, Templates.self, Check.self, Report.self, Generate.self, Nagios.self]
    )
}

/// Exit codes of SPEC.md.
enum Exit {
    static let usage: Int32 = 64
    static let data: Int32 = 65
    static let noInput: Int32 = 66
    static let software: Int32 = 70
    static let io: Int32 = 74
    static let config: Int32 = 78
}

/// Options every command that reads logs shares.
struct RuleOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Rule set directory (patterns/ and *.rules); default: the built-in rules.", valueName: "DIR"))
    var rules: String?

    /// Loads the rule set again (SIGHUP), throwing its errors instead of exiting.
    func loadForReload() throws -> RuleSet {
        if let rules { return try RuleSet.load(directory: rules) }
        return try RuleSet.builtin()
    }

    /// Loads the rule set or exits 65 with every `FILE:LINE:COL` error.
    func load() throws -> RuleSet {
        do {
            if let rules { return try RuleSet.load(directory: rules) }
            return try RuleSet.builtin()
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(Exit.data)
        }
    }
}

func fail(_ message: String, _ code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data(("vigil: " + message + "\n").utf8))
    return ExitCode(code)
}

/// Every line of every file of `sources`, in order, for the commands that print one object per
/// line (`parse`, `templates`). `startFile` runs before each file's first line. A file that cannot
/// be opened exits 66; one that breaks off (a corrupt gzip) is reported and the next file read.
func forEachLine(in sources: [Source], startFile: (_ source: Int, _ path: String) -> Void = { _, _ in },
                 _ body: (_ source: Int, _ line: Line) throws -> Void) throws {
    for (index, source) in sources.enumerated() {
        for file in source.files {
            startFile(index, file)
            let reader: LineReader
            do { reader = LineReader(stream: try InputOpener.open(file)) } catch { throw fail(error.description, Exit.noInput) }
            while true {
                let next: Line?
                do { next = try reader.next() } catch {
                    FileHandle.standardError.write(Data("vigil: warning: \(error.description)\n".utf8))
                    break
                }
                guard let line = next else { break }
                try body(index, line)
            }
        }
    }
}
