import ArgumentParser
import Foundation
import VigilCore

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read log archives to the end and write the incidents found, as JSONL.",
        discussion: """
            PATH is a file (plain or gzip, detected by its magic bytes), a directory (its files), `-` for stdin, \
            or NAME=PATH to name the source and give its lines a default service. Files of one rotated set \
            (app.log, app.log.1, app.log.2.gz …) are read oldest first as one source; several sources are merged \
            by event time. Output is deterministic: the same input and rules give byte-identical JSONL.

            Examples:
              vigil replay /var/log/nginx/access.log*
              vigil replay --sink out.jsonl checkout=/var/log/checkout/
              vigil replay --from 2026-11-26T10:00:00Z app.log.2.gz app.log.1

            One JSON record per line on stdout (or --sink): an incident opened, updated
            as it grows, resolved. Counters of lines read, parsed and failed (with the
            reason) go to stderr at the end.
            """
    )

    @OptionGroup var ruleOptions: RuleOptions

    @Option(help: ArgumentHelp("Where records go: a file, or - for stdout.", valueName: "FILE|-"))
    var sink = "-"

    @Option(help: ArgumentHelp("Only events at or after this time (RFC 3339).", valueName: "TIME"))
    var from: String?

    @Option(help: ArgumentHelp("Only events before this time (RFC 3339).", valueName: "TIME"))
    var to: String?

    @Option(help: ArgumentHelp("Year for syslog timestamps, which carry none (default: each file's modification year).", valueName: "YYYY"))
    var year: Int?

    @Option(help: ArgumentHelp("Threads reading and parsing sources beside the one that merges and aggregates (default: the number of cores): the files of a rotated set, and 1 MiB segments of large plain files, are dealt to them. Output is identical for any value (a format switched off for hitting PCRE2's match limit 1,000 times is switched off at the same line: the merge counts the hits in input order).", valueName: "N"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Write the input counters (lines read, parsed, failed by reason) as JSON to FILE.", valueName: "FILE"))
    var stats: String?

    @Option(help: ArgumentHelp("JSONL feed of changes (deploys, restarts …) from CI/CD, merged with those found in the logs by event time: {\"time\":RFC 3339,\"service\":…,\"kind\":deploy|restart|config_reload|version_change|package_upgrade,\"summary\":…,\"version\":…}; time and service are required.", valueName: "FILE"))
    var changes: String?

    @Option(help: ArgumentHelp("Keep template and problem-candidate state in DIR (templates.jsonl, known-templates.jsonl, problems.jsonl): replaying again reuses the template ids, the learned templates and grows the problem candidates.", valueName: "DIR"))
    var state: String?

    @Argument(help: ArgumentHelp("Log files, directories, NAME=PATH, or - for stdin.", valueName: "PATH"))
    var paths: [String] = []

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one PATH (a log file, a directory, NAME=PATH, or - for stdin)") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let rules = try ruleOptions.load()
        let parser = TimestampParser()
        let fromTime = try from.map { text in
            guard let t = parser.parse(text) else { throw fail("--from: not an RFC 3339 time: \(text)", Exit.usage) }
            return t
        }
        let toTime = try to.map { text in
            guard let t = parser.parse(text) else { throw fail("--to: not an RFC 3339 time: \(text)", Exit.usage) }
            return t
        }
        var pipeline: ReplayPipeline
        do {
            var skipped: [String] = []
            pipeline = ReplayPipeline(sources: try SourceSet.resolve(paths, skipped: &skipped), rules: rules)
            for line in skipped { FileHandle.standardError.write(Data("vigil: warning: \(line)\n".utf8)) }
        } catch {
            throw fail("\(error.description)", Exit.noInput)
        }
        pipeline.from = fromTime
        pipeline.to = toTime
        pipeline.year = year
        pipeline.jobs = jobs
        if let changes {
            do { pipeline.changes = try ChangeFeed.load(path: changes) } catch {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(Exit.data)
            }
        }

        if let state {
            // Checked before the replay, so a bad path does not cost the whole run.
            do { try StateDirectory.prepare(state) } catch { throw fail(error.description, Exit.io) }
            do { pipeline.noveltyState = try NoveltyState.load(directory: state) } catch { throw fail(error.description, Exit.data) }
        }
        nonisolated(unsafe) var saved: NoveltyState?
        pipeline.saveNoveltyState = { saved = $0 }
        let output: JSONLSink
        do { output = try JSONLSink(path: sink) } catch { throw fail(error.description, Exit.io) }
        let counters: PipelineCounters
        do {
            counters = try pipeline.run { output.write($0) }
        } catch {
            output.flush()
            throw fail(error.description, error.kind == .notFound || error.kind == .unreadable ? Exit.noInput : Exit.io)
        }
        output.flush()
        if let message = output.error { throw fail(message, Exit.io) }
        if let state, let saved {
            do { try saved.save(directory: state) } catch { throw fail(error.description, Exit.io) }
        }
        for problem in counters.sourceErrors { FileHandle.standardError.write(Data("vigil: warning: \(problem)\n".utf8)) }
        FileHandle.standardError.write(Data("vigil replay: \(counters.summary)\n".utf8))
        if let stats { try writeStats(counters, to: stats) }
    }

    private func writeStats(_ c: PipelineCounters, to path: String) throws {
        var w = JSONWriter()
        w.beginObject()
        w.key("lines_read"); w.int(c.linesRead)
        w.key("bytes_read"); w.int(c.bytesRead)
        w.key("lines_parsed"); w.int(c.linesParsed)
        w.key("lines_failed"); w.beginObject()
        for reason in FailureReason.allCases { w.key(reason.rawValue); w.int(c.failed[reason] ?? 0) }
        w.endObject()
        w.key("crlf_lines"); w.int(c.carriageReturns)
        w.key("invalid_utf8_lines"); w.int(c.invalidUTF8)
        w.key("outside_range"); w.int(c.outsideRange)
        w.key("records"); w.int(c.recordsWritten)
        w.key("service_overflow"); w.int(c.serviceOverflow)
        w.key("archive_limit_exceeded"); w.int(c.archiveLimitExceeded)
        w.key("regex_limit_hits"); w.beginObject()
        for name in c.regexLimitHits.keys.sorted() { w.key(name); w.int(c.regexLimitHits[name]!) }
        w.endObject()
        w.key("formats_disabled"); w.beginArray(); for name in c.formatsDisabled { w.string(name) }; w.endArray()
        w.key("source_errors"); w.beginArray(); for e in c.sourceErrors { w.string(e) }; w.endArray()
        w.endObject()
        w.newline()
        guard FileManager.default.createFile(atPath: path, contents: Data(w.bytes)) else {
            throw fail("\(path): cannot write stats", Exit.io)
        }
    }
}
