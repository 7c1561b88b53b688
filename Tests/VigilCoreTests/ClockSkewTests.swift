import Foundation
import Testing
@testable import VigilCore

/// RELIABILITY B8: skewed timestamps. A line an hour or more ahead of the stream (a host clock set
/// ten years ahead, a leap second read as the end of the day) must not close every window up to it
/// and make every later line late; a stream that really moves on after a quiet spell loses nothing.
@Suite struct ClockSkewTests {
    /// `HH:MM:SS` lines of one service, one per second from 10:00:00 plus `from` seconds.
    static func lines(_ seconds: Range<Int>, day: String = "2026-11-26", hour: Int = 10) -> [String] {
        seconds.map { i in
            let t = hour * 3600 + i
            return "\(day)T\(String(format: "%02d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)).000Z INFO [api] request \(i) latency_ms=5"
        }
    }

    static func replay(_ lines: [String]) throws -> (records: [Record], counters: PipelineCounters) {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try TestSupport.write(lines.joined(separator: "\n") + "\n", "app.log", in: dir)
        let result = try TestSupport.replay([file.path])
        return (result.records, result.counters)
    }

    @Test func skewedLinesAreCountedAndChangeNothing() throws {
        var lines = Self.lines(0..<3600)
        lines.insert(contentsOf: [
            "2036-11-26T10:00:00.000Z INFO [api] ten years ahead latency_ms=5",
            "1970-01-01T00:00:01.000Z INFO [api] epoch latency_ms=5",
            "2026-11-26T09:00:00.000Z INFO [api] an hour ago latency_ms=5",
            "2026-11-26T23:59:60.000Z INFO [api] leap second latency_ms=5",
            "garbage that is no log line",
        ], at: 1000)
        let (records, counters) = try Self.replay(lines)
        #expect(counters.linesParsed == 3600, "\(counters.failed)")
        #expect(counters.failed[.future] == 2)
        #expect(counters.failed[.late] == 2)
        #expect(counters.failed[.noMatch] == 1)
        // No incident storm: the service logged steadily all along.
        #expect(records.isEmpty, "\(records.map(\.summary))")
    }

    @Test func quietSpellThenResumeKeepsEveryLine() throws {
        // Ten minutes, four hours of nothing, ten minutes: the first line after the gap is held
        // and kept once the next line shows the stream moved on.
        let lines = Self.lines(0..<600) + Self.lines(0..<600, hour: 14)
        let (_, counters) = try Self.replay(lines)
        #expect(counters.linesParsed == 1200)
        #expect(counters.failed[.future] == nil)
        #expect(counters.failed[.late] == nil)
    }

    @Test func lastLineAheadIsAClockError() throws {
        let lines = Self.lines(0..<100) + ["2036-11-26T10:00:00.000Z INFO [api] ten years ahead latency_ms=5"]
        let (records, counters) = try Self.replay(lines)
        #expect(counters.linesParsed == 100)
        #expect(counters.failed[.future] == 1)
        #expect(records.isEmpty)
    }

    /// Several sources merged by event time: a clock error in one does not hold that source back
    /// behind all the others (which would make the rest of it late); a quiet spell in one source
    /// while the other goes on loses nothing.
    @Test func mergedSourcesKeepTheirLinesAroundAClockError() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func lines(_ service: String, _ seconds: [Int]) -> String {
            seconds.map { i in
                "2026-11-26T\(String(format: "%02d:%02d:%02d", 10 + i / 3600, i / 60 % 60, i % 60)).000Z INFO [\(service)] request \(i) latency_ms=5\n"
            }.joined()
        }
        var a = lines("a", Array(0..<1000))
        a += "2036-11-26T10:00:00.000Z INFO [a] ten years ahead latency_ms=5\n"
        a += lines("a", Array(1000..<3600))
        let b = lines("b", Array(0..<3600))
        // c is quiet for three hours while b... and d go on: nothing of it is dropped.
        let c = lines("c", Array(0..<600) + Array(11_400..<12_000))
        let d = lines("d", Array(stride(from: 0, to: 12_000, by: 10)))
        let files = try [("a.log", a), ("b.log", b), ("c.log", c), ("d.log", d)].map { try TestSupport.write($0.1, $0.0, in: dir).path }
        let result = try TestSupport.replay(files)
        #expect(result.counters.failed[.future] == 1)
        #expect(result.counters.failed[.late] == nil, "\(result.counters.failed)")
        #expect(result.counters.linesParsed == 3600 + 3600 + 1200 + 1200)
    }

    /// `vigil run`: event time moves on with the wall clock, so a line after a quiet spell is kept at
    /// once, and one far beyond it is a clock error at once.
    @Test func liveClockErrorsAreDroppedAtOnce() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.log")
        let options = LivePipeline.Options(inputs: [log.path], rules: try RuleSet.builtin())
        var tapped: [FailureReason?] = []
        let pipeline = LivePipeline(options: options, sink: { _ in }, tap: { tapped.append($0.reason) })
        try (Self.lines(0..<100).joined(separator: "\n") + "\n").write(to: log, atomically: false, encoding: .utf8)
        let wall: EventTime = 1_000_000
        try pipeline.poll(now: wall)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        // Two hours of wall-clock quiet, then the service logs again; and a line ten years ahead.
        let later = Self.lines(7300..<7310).joined(separator: "\n") + "\n"
        handle.write(Data(("2036-11-26T10:00:00.000Z INFO [api] ten years ahead latency_ms=5\n" + later).utf8))
        try handle.close()
        try pipeline.poll(now: wall + 7_200_000)
        #expect(pipeline.counters.linesParsed == 110)
        #expect(pipeline.counters.failed[.future] == 1)
        #expect(pipeline.counters.failed[.late] == nil)
        #expect(tapped.filter { $0 == .future }.count == 1)
    }

    /// `vigil run` reading a file whose last line came hours after the others: held at the first
    /// look (nothing vouches for event time yet), decided at the next poll by the wall clock — kept,
    /// not left waiting for a next line that may never come.
    @Test func liveLineHeldAtTheFirstLookIsDecidedAtTheNext() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.log")
        let options = LivePipeline.Options(inputs: [log.path], rules: try RuleSet.builtin())
        var records: [Record] = []
        let pipeline = LivePipeline(options: options, sink: { records.append($0) })
        try ((Self.lines(0..<100) + Self.lines(7300..<7301)).joined(separator: "\n") + "\n").write(to: log, atomically: false, encoding: .utf8)
        // The wall clock of the test: 2026-11-28, after the lines.
        let wall: EventTime = 1_795_824_000_000
        try pipeline.poll(now: wall)
        try pipeline.poll(now: wall + 100)
        // In the windows: the newest event is the late line (2026-11-26T12:01:40Z).
        #expect(pipeline.aggregator.newestEventTime == 1_795_694_500_000)
        #expect(pipeline.counters.linesParsed == 101)
        #expect(pipeline.counters.failed[.future] == nil)
    }

    @Test func maxJumpIsConfigurable() throws {
        var files = BuiltinRulesAccess.files
        files.append(("jump.rules", "[defaults]\nmax_jump = 2d\n"))
        #expect(try RuleSet.load(files: files).window.maxJump == 2 * 86_400_000)
        files[files.count - 1] = ("jump.rules", "[defaults]\nmax_jump = 0s\n")
        #expect(throws: (any Error).self) { try RuleSet.load(files: files) }
    }
}
