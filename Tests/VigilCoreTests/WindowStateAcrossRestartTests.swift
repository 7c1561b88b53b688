import Foundation
import Testing
@testable import VigilCore

/// Fault-matrix row I2: window state across a crash. An error burst from minute 20 to 24 (after the
/// detectors' baseline has formed); vigil stops at minute 22, in the middle of it, and starts again
/// from its checkpoint. The incident must be the
/// one an uninterrupted run reports: one incident, the same id, the same event times.
@Suite struct WindowStateAcrossRestartTests {
    /// One line a second of service `api`; minutes 20 to 23 are errors.
    static func lines(minutes range: Range<Int>) -> String {
        let start = 1_795_687_200_000 as EventTime  // 2026-11-26T10:00:00Z
        return range.flatMap { minute in
            (0..<60).map { second in
                let level = (20..<24).contains(minute) ? "ERROR" : "INFO"
                return "\(CivilTime.format(start + EventTime(minute * 60 + second) * 1000)) \(level) [api] request \(minute):\(second) latency_ms=5\n"
            }
        }.joined()
    }

    /// The records of a live run over the lines written in two parts, polled after each, with the
    /// wall clock following the event time; with `restart`, a new pipeline continues from the
    /// checkpoint taken after the first part (the first pipeline's later records are lost with it).
    static func run(restart: Bool) throws -> [Record] {
        let dir = TestSupport.temporaryDirectory("i2")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        let options = LivePipeline.Options(inputs: [path], rules: try RuleSet.builtin())
        var records: [Record] = []
        var pipeline = LivePipeline(options: options, sink: { records.append($0) })
        let start = 1_795_687_200_000 as EventTime
        _ = FileManager.default.createFile(atPath: path, contents: Data(lines(minutes: 0..<22).utf8))
        _ = try pipeline.poll(now: start + 22 * 60_000)
        if restart {
            let checkpoint = Checkpoint(inputs: pipeline.inputsState, aggregator: pipeline.aggregatorSnapshot)
            pipeline = LivePipeline(options: options, sink: { records.append($0) })
            #expect(pipeline.restore(checkpoint, now: start + 22 * 60_000).isEmpty)
        }
        let rest = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        rest.seekToEndOfFile()
        rest.write(Data(lines(minutes: 22..<50).utf8))
        try rest.close()
        _ = try pipeline.poll(now: start + 50 * 60_000)
        for minute in 51..<53 { pipeline.tick(now: start + EventTime(minute) * 60_000) }
        return records
    }

    @Test func incidentAcrossARestartIsTheUninterruptedRunsIncident() throws {
        let uninterrupted = try Self.run(restart: false)
        let restarted = try Self.run(restart: true)
        let incidents = uninterrupted.filter { $0.kind == .incident }
        #expect(incidents.contains { $0.event == .opened && $0.labels["service"] == "api" })
        #expect(Set(incidents.map(\.incidentId)).count == 1, "one incident: \(incidents.map(\.incidentId))")
        #expect(incidents.contains { $0.event == .resolved }, "\(uninterrupted.map { String(decoding: RecordEncoder.encode($0), as: UTF8.self).prefix(300) })")
        // The same records, byte for byte: ids, event times, evidence.
        #expect(restarted.map { RecordEncoder.encode($0) } == uninterrupted.map { RecordEncoder.encode($0) })
    }

    /// Fault-matrix row I1, its second half: replaying the archive of a stretch a live run saw gives
    /// the incidents the same ids, so a sink that holds both can deduplicate them by id.
    @Test func replayOfWhatALiveRunSawGivesTheSameIncidentIds() throws {
        let live = try Self.run(restart: false)
        let dir = TestSupport.temporaryDirectory("i1")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try TestSupport.write(Self.lines(minutes: 0..<50), "app.log", in: dir)
        var replayed: [Record] = []
        _ = try ReplayPipeline(sources: try SourceSet.resolve([file.path]), rules: try RuleSet.builtin()).run { replayed.append($0) }
        func opened(_ records: [Record]) -> [String] {
            records.filter { $0.kind == .incident && $0.event == .opened }.map { "\($0.incidentId ?? "-") \($0.startedAt)" }
        }
        #expect(!opened(live).isEmpty)
        #expect(opened(replayed) == opened(live))
    }
}
