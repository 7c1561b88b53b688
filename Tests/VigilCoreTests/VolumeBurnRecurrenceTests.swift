import Foundation
import Testing
@testable import VigilCore

/// Volume, SLO burn rate and recurring-incident problems on generated traffic and on the golden
/// archives: each fires where it should, with the right identity, and nowhere else.
@Suite struct VolumeBurnRecurrenceTests {
    static let start = LogGenerator().start

    /// The built-in rules plus `extra` (e.g. objectives), as `--rules` with a copy would give.
    static func rules(_ extra: String) throws -> RuleSet {
        try RuleSet.load(files: BuiltinRulesAccess.files + [("extra.rules", extra)])
    }

    static func hour(_ anomalies: [LogGenerator.Anomaly], seed: UInt64, rules: RuleSet? = nil) throws -> [Record] {
        var generator = LogGenerator()
        generator.seed = seed
        generator.serviceCount = 12
        generator.rate = 2
        generator.anomalies = anomalies
        let dir = TestSupport.temporaryDirectory("volume\(seed)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = try TestSupport.write(generator, into: dir)
        let result = try TestSupport.replay(paths, rules: rules)
        #expect(try TestSupport.schemaProblems(result.jsonl) == "")
        return result.records
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func spikeAndDropAreFoundAndNothingElse(seed: UInt64) throws {
        let records = try Self.hour([
            .init(kind: .volume, service: "cart", start: Self.start + 25 * 60_000, duration: 6 * 60_000, intensity: 4),
            .init(kind: .volume, service: "auth", start: Self.start + 40 * 60_000, duration: 10 * 60_000, intensity: 0.2),
        ], seed: seed)
        let opened = records.filter { $0.event == .opened }
        #expect(opened.map { "\($0.labels["alertname"]!) \($0.labels["service"]!)" }.sorted() == ["VolumeDrop auth", "VolumeSpike cart"])
        for incident in opened {
            let anomalyStart = Self.start + (incident.labels["service"] == "cart" ? 25 : 40) * 60_000
            #expect(abs(incident.startedAt - anomalyStart) <= 60_000)
            #expect(incident.rule?.detector == "volume")
        }
        #expect(records.filter { $0.event == .resolved }.count == 2)
    }

    /// A service that falls silent is absence's: no VolumeDrop on top of ServiceSilent.
    @Test func silenceIsNotAlsoADrop() throws {
        let records = try Self.hour([.init(kind: .silence, service: "search", start: Self.start + 40 * 60_000, duration: 10 * 60_000)], seed: 1)
        #expect(records.filter { $0.event == .opened }.map { $0.labels["alertname"]! } == ["ServiceSilent"])
    }

    /// Without an objective the burn-rate detector is silent; with one, a hard outage pages (1h/5m)
    /// and raises the 6h/30m alert, each a separate incident with its `burn_window`.
    @Test func burnRateNeedsAnObjectiveAndThenPages() throws {
        let outage = LogGenerator.Anomaly(kind: .errorBurst, service: "payments", start: Self.start + 30 * 60_000, duration: 8 * 60_000, intensity: 0.9)
        let without = try Self.hour([outage], seed: 2)
        #expect(!without.contains { $0.rule?.detector == "burn_rate" })
        // The error-ratio detector off: with it, the burn-rate alerts fold into its incident (one cause).
        let with = try Self.hour([outage], seed: 2, rules: Self.rules("[service payments]\nslo.objective = 99.9%\nerror_ratio.enabled = false\n"))
        let burns = with.filter { $0.rule?.detector == "burn_rate" && $0.event == .opened }
        #expect(burns.map { $0.labels["burn_window"]! } .sorted() == ["1h/5m", "6h/30m"])
        #expect(burns.first { $0.labels["burn_window"] == "1h/5m" }?.severity == .critical)
        #expect(burns.first { $0.labels["burn_window"] == "6h/30m" }?.severity == .error)
        for b in burns {
            #expect(b.labels["service"] == "payments")
            let burn = b.metrics.first { $0.name == "burn_rate" }?.value ?? nil
            #expect((burn ?? 0) >= (b.rule?.threshold ?? .infinity))
            #expect(b.metrics.contains { $0.name == "budget_remaining" })
        }
        // The 3d/6h (ticket) pair waits until the history covers its 6 h short window.
        #expect(!with.contains { $0.labels["burn_window"] == "3d/6h" })
    }

    @Test func burnRateWindowsAndObjectiveText() {
        #expect(BurnRateWindow.all.map(\.label) == ["1h/5m", "6h/30m", "3d/6h"])
        #expect(Format.objective(0.999) == "99.9%")
        #expect(Format.objective(0.99) == "99%")
        #expect(Format.objective(0.9995) == "99.95%")
    }

    @Test func sloHistoryIsBoundedAndExpiresByStep() {
        var h = SLOHistory(stepMs: 60_000)
        h.add(step: 10, requests: 100, errors: 5)
        h.add(step: 11, requests: 50, errors: 0)
        #expect(h.sums(endingAt: 11, count: 2) == (150, 5))
        #expect(h.sums(endingAt: 11, count: 1) == (50, 0))
        // 3 days later the slot of step 10 is reused; step 11 is still inside the span.
        h.add(step: 10 + 4320, requests: 1, errors: 1)
        #expect(h.sums(endingAt: 10 + 4320, count: 4320) == (51, 1))
        #expect(h.sums(endingAt: 10 + 4320, count: 1_000_000) == (51, 1))
        #expect(h.covered(at: 11) == 2)
    }

    /// Two error bursts of payments: the second incident with the same signature makes a problem
    /// candidate with both incident ids; across two runs split in time, `--state` carries the first.
    @Test func recurringIncidentsBecomeOneProblemAcrossRuns() throws {
        let dir = TestSupport.fixtures.appendingPathComponent("replay/recurring")
        let args = try String(contentsOf: dir.appendingPathComponent("args"), encoding: .utf8).split(separator: "\n").map(String.init)
        let state = TestSupport.temporaryDirectory("recurrence-state")
        defer { try? FileManager.default.removeItem(at: state) }
        func objects(_ output: TestSupport.Output) throws -> [[String: Any]] {
            try output.text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        }
        let first = try objects(TestSupport.vigil(["replay", "--state", state.path, "--to", "2026-11-26T10:22:00Z"] + args, cwd: dir))
        let firstIncident = first.first { $0["event"] as? String == "opened" }?["incident_id"] as? String
        #expect(firstIncident != nil)
        #expect(!first.contains { $0["kind"] as? String == "problem_candidate" })
        let second = try objects(TestSupport.vigil(["replay", "--state", state.path, "--from", "2026-11-26T10:22:00Z"] + args, cwd: dir))
        let problems = second.filter { $0["kind"] as? String == "problem_candidate" }
        #expect(problems.count == 1)
        let p = try #require(problems.first)
        #expect(p["event"] as? String == "detected")
        #expect(p["count"] as? Int == 2)
        let related = p["related_incident_ids"] as? [String] ?? []
        #expect(related.count == 2 && related.first == firstIncident)
        #expect((p["labels"] as? [String: String])?["alertname"] == "ErrorRatioHigh")
        // A third run over the same second half counts nothing twice.
        let third = try objects(TestSupport.vigil(["replay", "--state", state.path, "--from", "2026-11-26T10:22:00Z"] + args, cwd: dir))
        #expect(!third.contains { $0["kind"] as? String == "problem_candidate" && $0["event"] as? String != "expired" })
    }

    /// A problem not seen for `problem_expiry` (event time) gets one `expired` record, in a later
    /// run that has its state; a recurrence-free signature seen once is forgotten.
    @Test func problemsExpireByEventTime() throws {
        let dir = TestSupport.fixtures.appendingPathComponent("replay/recurring")
        let paths = try String(contentsOf: dir.appendingPathComponent("args"), encoding: .utf8).split(separator: "\n").map { dir.appendingPathComponent(String($0)).path }
        var first = ReplayPipeline(sources: try SourceSet.resolve(paths), rules: try RuleSet.builtin())
        nonisolated(unsafe) var saved: NoveltyState?
        first.saveNoveltyState = { saved = $0 }
        var problems: [Record] = []
        _ = try first.run { if $0.kind == .problemCandidate { problems.append($0) } }
        let detected = try #require(problems.first)
        #expect(detected.event == .detected)

        // Two hours later: quiet traffic, with an expiry of 30 minutes.
        var generator = LogGenerator()
        generator.start += 2 * 3_600_000
        generator.serviceCount = 4
        generator.rate = 0.3
        generator.duration = 20 * 60_000
        let later = TestSupport.temporaryDirectory("later")
        defer { try? FileManager.default.removeItem(at: later) }
        var laterPaths: [String] = []
        for (name, bytes) in generator.generate() {
            try Data(bytes).write(to: later.appendingPathComponent(name))
            laterPaths.append(later.appendingPathComponent(name).path)
        }
        var second = ReplayPipeline(sources: try SourceSet.resolve(laterPaths.sorted()), rules: try Self.rules("[defaults]\nproblem_expiry = 30m\n"))
        second.noveltyState = try #require(saved)
        var records: [Record] = []
        _ = try second.run { records.append($0) }
        #expect(records.map(\.event) == [.expired])
        #expect(records.first?.problemId == detected.problemId)
        #expect(records.first?.seq == 1)
    }
}
