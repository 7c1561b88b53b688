import Foundation
import Testing
@testable import VigilCore

/// Issue 5 acceptance on generated traffic: a deploy followed by a latency regression, a benign
/// deploy, a new error template and a service going silent are each found, and nothing else opens.
@Suite struct ProblemAndChangeTests {
    static let start = LogGenerator().start

    static var anomalies: [LogGenerator.Anomaly] {
        [.init(kind: .deploy, service: "payments", start: start + 38 * 60_000, duration: 1000, intensity: 14),
         .init(kind: .latencyRegression, service: "payments", start: start + 40 * 60_000, duration: 8 * 60_000, intensity: 8),
         .init(kind: .deploy, service: "cart", start: start + 20 * 60_000, duration: 1000, intensity: 7),
         .init(kind: .newError, service: "checkout", start: start + 42 * 60_000, duration: 10 * 60_000, intensity: 0.15),
         .init(kind: .silence, service: "search", start: start + 45 * 60_000, duration: 15 * 60_000)]
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func eachChangeAndProblemIsFoundAndNothingElse(seed: UInt64) throws {
        let (records, jsonl, dir) = try GeneratedTrafficTests.hour(anomalies: Self.anomalies, seed: seed)
        defer { try? FileManager.default.removeItem(at: dir) }
        let changes = records.filter { $0.kind == .change && $0.event == .detected }
        #expect(changes.map(\.summary) == ["deploy of cart 2.7.0", "deploy of payments 2.14.0"])
        // Each deploy is verified: the benign one healthy, the one before the regression degraded.
        let verdicts = records.filter { $0.kind == .change && $0.event == .verified }
        #expect(verdicts.map { "\($0.labels["service"]!) \($0.verdict!.rawValue)" } == ["cart healthy", "payments degraded"])
        let opened = records.filter { $0.event == .opened }
        #expect(opened.count == 3, "\(opened.map(\.summary))")
        let latency = opened.first { $0.rule?.detector == "latency" }
        #expect(latency?.labels["service"] == "payments")
        #expect(latency?.changeIds == [changes[1].changeId!])
        #expect(latency?.summary.contains("began 2 min after deploy of payments 2.14.0") == true)
        #expect(opened.first { $0.rule?.detector == "novelty" }?.labels["service"] == "checkout")
        #expect(opened.first { $0.rule?.detector == "absence" }?.labels["service"] == "search")
        // The benign deploy of cart opens nothing.
        #expect(!opened.contains { $0.labels["service"] == "cart" })
        let problems = records.filter { $0.kind == .problemCandidate }
        #expect(Set(problems.map { $0.labels["service"]! }) == ["checkout"], "\(problems.map(\.summary))")
        #expect(try TestSupport.schemaProblems(jsonl) == "")
    }

    /// Replaying the same archive twice with --state: same template ids, and the problem candidate
    /// grows (an `updated` record with a larger count) instead of a second `detected`.
    @Test func replayingTwiceWithStateGrowsTheProblem() throws {
        let dir = TestSupport.fixtures.appendingPathComponent("replay/novelty")
        let args = try String(contentsOf: dir.appendingPathComponent("args"), encoding: .utf8).split(separator: "\n").map(String.init)
        let state = TestSupport.temporaryDirectory("state")
        defer { try? FileManager.default.removeItem(at: state) }
        func problems(_ output: TestSupport.Output) throws -> [[String: Any]] {
            try output.text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
                .filter { $0["kind"] as? String == "problem_candidate" }
        }
        let first = try TestSupport.vigil(["replay", "--state", state.path] + args, cwd: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let templates1 = try String(contentsOf: state.appendingPathComponent("templates.jsonl"), encoding: .utf8)
        let second = try TestSupport.vigil(["replay", "--state", state.path] + args, cwd: dir)
        #expect(second.status == 0, "\(second.stderr)")
        let templates2 = try String(contentsOf: state.appendingPathComponent("templates.jsonl"), encoding: .utf8)
        func ids(_ text: String) -> [String] {
            text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String }
        }
        #expect(!ids(templates1).isEmpty)
        #expect(ids(templates1) == ids(templates2))
        let a = try problems(first), b = try problems(second)
        #expect(a.first?["event"] as? String == "detected")
        #expect(!b.contains { $0["event"] as? String == "detected" })
        #expect(Set(b.compactMap { $0["problem_id"] as? String }) == Set(a.compactMap { $0["problem_id"] as? String }))
        let lastCount = a.last?["count"] as? Int ?? 0
        #expect((b.first?["count"] as? Int ?? 0) > lastCount)
        #expect((b.first?["seq"] as? Int ?? 0) > (a.last?["seq"] as? Int ?? 0))
    }

    @Test func changeFeedErrorsHavePositions() {
        #expect(throws: ChangeFeedError.self) { try ChangeFeed.parse("{\"time\":\"x\",\"service\":\"a\"}\n", path: "f.jsonl") }
        do {
            _ = try ChangeFeed.parse("\n{\"time\":\"2026-11-26T10:00:00Z\",\"service\":\"a\",\"kind\":\"oops\"}\n", path: "f.jsonl")
        } catch {
            #expect(error.description == "f.jsonl:2:1: \"kind\" must be one of deploy, restart, config_reload, version_change, package_upgrade")
        }
    }
}
