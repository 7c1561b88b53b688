import Foundation
import Testing
@testable import VigilCore

/// A backlog in several files (issue 16 item 1): `vigil run` over files with history reads them
/// merged by event time, as replay does, so no line is `late` and the records are replay's (same
/// ids), at first start and after a restart with lines written while vigil was down.
@Suite(.serialized) struct BacklogMergeTests {
    /// The records of a JSONL file without `emitted_at` (wall clock, live only), as canonical JSON.
    static func records(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            object["emitted_at"] = nil
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
    }

    /// `vigil replay` of `dir`: its records and the number of lines read.
    static func replay(_ dir: URL, sink: URL) throws -> (records: [String], lines: Int) {
        let result = try TestSupport.vigil(["replay", "--sink", sink.path, dir.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = Int(result.stderr.split(separator: "replay: ").last?.prefix { $0.isNumber } ?? "") ?? -1
        return (try records(sink.path), lines)
    }

    static func ids(_ records: [String]) -> [String] {
        records.compactMap { $0.firstMatch(of: /"record_id":"([^"]+)"/).map { String($0.1) } }
    }

    /// The demo directory (4 sources, each a `.1.gz` generation and the live file): followed from
    /// scratch, stopped with SIGTERM once everything is read.
    @Test func demoBacklogGivesReplaysRecordsWithNoLateLine() throws {
        let dir = TestSupport.temporaryDirectory("backlogdemo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.copyItem(at: TestSupport.fixtures.appendingPathComponent("demo"), to: logs)
        let expected = try Self.replay(logs, sink: dir.appendingPathComponent("replay.jsonl"))
        #expect(expected.lines == 86_517 && !expected.records.isEmpty)

        let sink = dir.appendingPathComponent("run.jsonl")
        let vigil = try LiveVigil(["--sink", sink.path, "--state", dir.appendingPathComponent("state").path, logs.path + "/*"], in: dir)
        #expect(vigil.waitForTap(expected.lines, timeout: 120), "\(vigil.tapLines.count) lines in the tap: \(vigil.stderr)")
        let stopped = vigil.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("\(expected.lines) lines read, \(expected.lines) parsed, 0 failed"), "\(stopped.stderr)")
        #expect(!vigil.tapLines.contains { $0.contains("\"late\"") })
        let live = try Self.records(sink.path)
        #expect(Self.ids(live) == Self.ids(expected.records))
        #expect(live == expected.records)
    }

    /// Two sources with history, followed up to 11:45; vigil is stopped, each file gets 15 more
    /// minutes, and the restart (`--state`) reads the two tails merged: no line late, and the
    /// records of both runs are replay's of the whole files. The first run is also killed (`-9`)
    /// part way through the backlog once and restarted from its startup checkpoint.
    @Test func backlogAfterARestartIsMergedToo() throws {
        let dir = TestSupport.temporaryDirectory("backlogrestart")
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = dir.appendingPathComponent("full")
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: full, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        // Two services logging into two files, interleaved in time, one hour; the first 45 minutes
        // are there when vigil starts.
        var first: [String: String] = [:], rest: [String: String] = [:]
        for name in ["app.log", "worker.log"] {
            let text = try String(contentsOf: TestSupport.fixtures.appendingPathComponent("demo/\(name)"), encoding: .utf8)
            let lines = text.split(separator: "\n").map { $0 + "\n" }
            try lines.joined().write(to: full.appendingPathComponent(name), atomically: true, encoding: .utf8)
            // (app.log starts lines with the time, worker.log with `ts=`.)
            let cut = try #require(lines.firstIndex { $0.prefix(40).contains("2026-11-26T11:45") })
            first[name] = lines[..<cut].joined()
            rest[name] = lines[cut...].joined()
            try first[name]!.write(to: logs.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let expected = try Self.replay(full, sink: dir.appendingPathComponent("replay.jsonl"))
        let firstLines = first.values.reduce(0) { $0 + $1.split(separator: "\n").count }

        let sink = dir.appendingPathComponent("run.jsonl")
        let arguments = ["--sink", sink.path, "--state", dir.appendingPathComponent("state").path, logs.path + "/*.log"]
        // Killed part way (or before it starts reading): the restart reads the backlog again from
        // the startup checkpoint, the sink and tap cut back to it.
        let killed = try LiveVigil(arguments, in: dir)
        killed.waitForTap(1, timeout: 60)
        kill(killed.pid, SIGKILL)
        killed.process.waitUntilExit()

        let vigil = try LiveVigil(arguments, in: dir)
        #expect(vigil.waitForTap(firstLines, timeout: 120), "\(vigil.tapLines.count) lines in the tap: \(vigil.stderr)")
        var stopped = vigil.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        for (name, text) in rest { try TestSupport.append(Array(text.utf8), to: logs.appendingPathComponent(name)) }

        let restarted = try LiveVigil(arguments, in: dir)
        #expect(restarted.waitForTap(expected.lines, timeout: 120), "\(restarted.tapLines.count) lines in the tap: \(restarted.stderr)")
        stopped = restarted.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(restarted.tapLines.count == expected.lines)
        #expect(!restarted.tapLines.contains { $0.contains("\"late\"") }, "\(restarted.tapLines.filter { $0.contains("\"late\"") }.count) late lines")
        let live = try Self.records(sink.path)
        #expect(Self.ids(live) == Self.ids(expected.records))
        #expect(live == expected.records)
    }
}
