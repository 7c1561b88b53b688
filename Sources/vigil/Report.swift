import ArgumentParser
import Foundation
import VigilCore

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn records (JSONL) into an incident report: HTML and Markdown.",
        usage: "vigil report [--html FILE] [--markdown FILE|-] [OPTIONS] RECORDS.jsonl...",
        discussion: """
            Reads vigil.record/v1 JSONL (from replay or run; several files at once, e.g. a week \
            of daily sinks) and writes a report for the period: incidents by service, severity \
            and tier, MTTD, MTTR, SLA compliance against the rules' [sla] targets, open \
            incidents, problem candidates, changes before incidents, trends and a chart per \
            incident. A record repeated across files counts once.

            Examples:
              vigil report --html report.html --markdown report.md day1.jsonl day2.jsonl
              vigil report --period-start 2026-11-26T00:00:00Z \\
                --period-end 2026-11-27T00:00:00Z sink.jsonl

            Without --html or --markdown, Markdown goes to stdout. Bad lines are reported on \
            stderr as FILE:LINE: message and skipped; a missing file exits 66.
            """
    )

    @OptionGroup var ruleOptions: RuleOptions

    @Option(help: ArgumentHelp("Write a self-contained HTML report (inline SVG charts) to FILE.", valueName: "FILE"))
    var html: String?

    @Option(help: ArgumentHelp("Write the Markdown report to FILE (- for stdout).", valueName: "FILE|-"))
    var markdown: String?

    @Option(help: ArgumentHelp("Start of the period (RFC 3339); default: the earliest record.", valueName: "TIME"))
    var periodStart: String?

    @Option(help: ArgumentHelp("End of the period (RFC 3339); default: the latest time in the records.", valueName: "TIME"))
    var periodEnd: String?

    @Option(help: ArgumentHelp("How many problem candidates to list.", valueName: "N"))
    var top = 10

    @Argument(help: ArgumentHelp("Record files (JSONL), or - for stdin.", valueName: "RECORDS.jsonl"))
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one RECORDS.jsonl file (or - for stdin)") }
        if top < 0 { throw ValidationError("--top must be 0 or more") }
    }

    func run() throws {
        let rules = try ruleOptions.load()
        let parser = TimestampParser()
        let start = try periodStart.map { text in
            guard let t = parser.parse(text) else { throw fail("--period-start: not an RFC 3339 time: \(text)", Exit.usage) }
            return t
        }
        let end = try periodEnd.map { text in
            guard let t = parser.parse(text) else { throw fail("--period-end: not an RFC 3339 time: \(text)", Exit.usage) }
            return t
        }
        if let start, let end, end < start { throw fail("--period-end is before --period-start", Exit.usage) }

        // Every file is checked before any is read, so a typo never yields a partial report.
        for file in files where file != "-" && !FileManager.default.isReadableFile(atPath: file) {
            throw fail("\(file): \(FileManager.default.fileExists(atPath: file) ? "not readable" : "no such file")", Exit.noInput)
        }
        var reader = RecordReader()
        for file in files {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
            guard let data else { throw fail("\(file): cannot read", Exit.noInput) }
            reader.read(data, name: file == "-" ? "<stdin>" : file)
        }
        for problem in reader.problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }

        let model = ReportModel(records: reader.records, start: start, end: end, sla: rules.sla, topProblems: top)
        if html == nil && markdown == nil {
            FileHandle.standardOutput.write(Data(MarkdownReport.render(model, sources: files.count).utf8))
        }
        if let markdown { try write(MarkdownReport.render(model, sources: files.count), to: markdown) }
        if let html { try write(HTMLReport.render(model, sources: files.count), to: html) }
        FileHandle.standardError.write(Data(("vigil report: \(reader.linesRead) lines read, \(reader.problems.count) skipped; "
            + "\(model.incidents.count) incidents, \(model.openAtEnd.count) open at the end, \(model.changes.count) changes\n").utf8))
    }

    private func write(_ text: String, to path: String) throws {
        if path == "-" { FileHandle.standardOutput.write(Data(text.utf8)); return }
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw fail("\(path): cannot write", Exit.io) }
    }
}
