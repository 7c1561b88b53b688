import Foundation
import Testing
@testable import VigilCore

/// `vigil run` under a hostile rule and a checkpoint that cannot be restored (review findings of
/// session 5: the live loop never switched a format off, and a restore that failed part way left
/// half of the old state behind while saying the windows start empty).
@Suite struct LiveLimitsTests {
    @Test func liveLoopSwitchesOffAFormatThatKeepsHittingTheMatchLimit() throws {
        let dir = TestSupport.temporaryDirectory("live-limits")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = try HostileInputTests.rulesWithCatastrophicPattern(#"^(a+)+$"#)
        var text = ""
        for i in 0..<1500 {
            text += String(repeating: "a", count: 30) + "!\n"
            text += "2026-11-26T10:\(String(format: "%02d:%02d", i / 60 % 60, i % 60)).000Z INFO [api] request \(i) latency_ms=5\n"
        }
        let file = try TestSupport.write(text, "app.log", in: dir)
        let pipeline = LivePipeline(options: LivePipeline.Options(inputs: [file.path], rules: rules), sink: { _ in })
        try pipeline.poll(now: 1_795_687_200_000)
        #expect(pipeline.counters.linesParsed == 1500)
        #expect(pipeline.counters.failed[.noMatch] == 1500)
        #expect(pipeline.counters.regexLimitHits["evil"] == LineParser.disableAfterLimitHits)
        #expect(pipeline.counters.formatsDisabled == ["evil"])
    }

    @Test func checkpointThatFailsPartWayLeavesNoStateBehind() throws {
        let dir = TestSupport.temporaryDirectory("live-restore")
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = (0..<600).map { i in
            "2026-11-26T10:\(String(format: "%02d:%02d", i / 60 % 60, i % 60)).000Z \(i % 7 == 0 ? "ERROR" : "INFO") [\(["api", "cart", "search"][i % 3])] request \(i) latency_ms=5\n"
        }.joined()
        let file = try TestSupport.write(text, "app.log", in: dir)
        let options = LivePipeline.Options(inputs: [file.path], rules: try RuleSet.builtin())
        let before = LivePipeline(options: options, sink: { _ in })
        try before.poll(now: 1_795_687_200_000)
        var snapshot = before.aggregatorSnapshot
        #expect(snapshot.services.count == 3)
        // The last service's ring is damaged: the first two are restored before that is found.
        snapshot.services[2].ring.removeLast()
        let after = LivePipeline(options: options, sink: { _ in })
        let problems = after.restore(Checkpoint(inputs: before.inputsState, aggregator: snapshot), now: 1_795_687_200_000)
        #expect(problems.contains { $0.contains("windows start empty") })
        #expect(after.aggregator.serviceCount == 0)
        #expect(after.aggregatorSnapshot.services.isEmpty)
    }
}
