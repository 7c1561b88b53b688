import Foundation
import Testing
@testable import VigilCore

/// Detection an on-call engineer can trust (issue 15): evidence plus a material effect, one cause =
/// one incident, a verdict for every change — on generated traffic with known anomalies.
@Suite struct DetectionTrustTests {
    static let start = LogGenerator().start
    static func minutes(_ m: Int) -> EventTime { start + EventTime(m) * 60_000 }

    /// Replays generated traffic (built-in rules) and checks every record against the schema.
    static func replay(services: Int = 4, rate: Double, duration: EventTime = 100 * 60_000, seed: UInt64 = 1, rules: RuleSet? = nil,
                       _ anomalies: [LogGenerator.Anomaly]) throws -> [Record] {
        var generator = LogGenerator()
        generator.seed = seed
        generator.serviceCount = services
        generator.rate = rate
        generator.duration = duration
        generator.anomalies = anomalies
        let dir = TestSupport.temporaryDirectory("trust\(seed)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = try TestSupport.write(generator, into: dir)
        let result = try TestSupport.replay(paths, rules: rules)
        #expect(try TestSupport.schemaProblems(result.jsonl) == "")
        return result.records
    }

    static func paging(_ records: [Record]) -> [Record] {
        records.filter { $0.kind == .incident && $0.event == .opened && $0.severity != .info }
    }

    // MARK: statistics

    @Test func zScoresMatchTheNormalTail() {
        #expect(abs(Significance.z(forUpperTail: 1e-6) - 4.7534) < 0.001)
        #expect(abs(Significance.z(forUpperTail: 0.05) - 1.6449) < 0.001)
        #expect(abs(Significance.upperTail(4.7534) - 1e-6) < 1e-8)
        // Poisson deviance: 50 errors against 10 expected is overwhelming, 13 against 10 is not,
        // 3 against 0.1 is strong but far from the 9σ that (o − e)/√e would claim.
        #expect(Significance.poissonZ(observed: 50, expected: 10) > 8)
        #expect(Significance.poissonZ(observed: 13, expected: 10) < 1)
        let small = Significance.poissonZ(observed: 3, expected: 0.1)
        #expect(small > 3 && small < 5)
        #expect(Significance.poissonZ(observed: 2, expected: 10) < 0)
        // Binomial exceedance: 30 % of 200 values above a p95 is a shift, 6 % is not.
        #expect(Significance.binomialZ(successes: 60, trials: 200, p: 0.05) > 8)
        #expect(Significance.binomialZ(successes: 12, trials: 200, p: 0.05) < 1)
    }

    @Test func newDetectorKeysAreValidatedWithTheirPosition() throws {
        let bad = """
            [detector error_ratio]
            type = error_ratio
            significance = 2
            min_errors = x
            """
        let lines: [String]
        do {
            _ = try RuleSet.load(files: [("d.rules", bad)])
            lines = []
        } catch {
            lines = error.diagnostics.map(\.description)
        }
        #expect(lines.contains { $0.hasPrefix("d.rules:3:16:") && $0.contains("significance") })
        #expect(lines.contains { $0.hasPrefix("d.rules:4:14:") })
        do {
            _ = try RuleSet.load(files: [("s.rules", "[defaults]\nseason = 30m\n")])
            Issue.record("a season shorter than 96 steps was accepted")
        } catch {
            #expect(error.diagnostics.map(\.description).contains { $0.hasPrefix("s.rules:2:10:") && $0.contains("season") })
        }
        let good = try RuleSet.load(files: [("d.rules", "[detector e]\ntype = error_ratio\nsignificance = 1e-4\n[defaults]\nchange_verify = 20m\n")])
        #expect(abs(good.detectors[0].params.zThreshold - 3.719) < 0.001)
        #expect(good.window.changeVerify == 1_200_000)
    }

    // MARK: error ratio

    /// catalog's baseline is 0.8 %; 5× for 8 minutes at ~960 events a minute is found within
    /// 3 minutes, and nothing else pages.
    @Test func fiveFoldErrorRiseFromUnderOnePercentIsFoundWithinThreeMinutes() throws {
        let records = try Self.replay(rate: 16, [.init(kind: .errorBurst, service: "catalog", start: Self.minutes(60), duration: 8 * 60_000, intensity: 0.04)])
        let pages = Self.paging(records)
        #expect(pages.map { "\($0.labels["alertname"]!) \($0.labels["service"]!)" } == ["ErrorRatioHigh catalog"])
        if let page = pages.first {
            #expect(page.detectedAt! - Self.minutes(60) <= 3 * 60_000)
            #expect(page.metrics.contains { $0.name == "p_value" && ($0.value ?? 1) < 1e-6 })
        }
    }

    /// Three errors in half a minute on a service logging a dozen lines a minute: no incident.
    @Test func aHandfulOfErrorsOnAQuietServiceIsNoIncident() throws {
        let records = try Self.replay(rate: 0.2, [.init(kind: .errorBurst, service: "cart", start: Self.minutes(60), duration: 20_000, intensity: 0.6)])
        #expect(Self.paging(records).isEmpty)
    }

    // MARK: a service's own season

    /// One service alone (a sidecar: no fleet to take the load from) with a deep two-hourly lull.
    /// Judged against its own flat baseline, every lull is silence; with `season = 2h`, once a cycle
    /// was watched, a lull is its usual shape, and a real silence at the crest still pages.
    @Test func aLoneServiceFollowsItsOwnSeason() throws {
        func pages(season: String) throws -> [Record] {
            var generator = LogGenerator()
            generator.serviceCount = 1
            generator.rate = 4
            generator.duration = 8 * 3_600_000
            generator.waves = [.init(amplitude: 0.97, period: 2 * 3_600_000)]
            generator.anomalies = [.init(kind: .silence, service: "checkout", start: Self.minutes(390), duration: 15 * 60_000)]
            let dir = TestSupport.temporaryDirectory("season\(season)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let rules = try RuleSet.load(files: BuiltinRulesAccess.files + [("season.rules", "[defaults]\nseason = \(season)\n")])
            return Self.paging(try TestSupport.replay(try TestSupport.write(generator, into: dir), rules: rules).records)
        }
        let flat = try pages(season: "0s")
        #expect(flat.filter { $0.rule?.detector == "absence" }.count >= 3, "each lull reads as silence without a season")
        let seasonal = try pages(season: "2h")
        // The first cycle is learned (its lull may still page); after it, only the real silence.
        let afterFirstCycle = seasonal.filter { $0.startedAt >= Self.minutes(120 + 60) }
        #expect(afterFirstCycle.map { "\($0.rule!.detector) \(Format.clock($0.startedAt))" } == ["absence 16:30"], "\(seasonal.map(\.summary))")
    }

    // MARK: novelty

    /// A new error template on 0.5 % of a 240-lines-a-minute service: about 6 lines a window, under
    /// `min_events` (10), but one template repeating: an incident once it was logged 10 times in
    /// 15 minutes, and nothing else pages.
    @Test func aSlowlyRepeatingNewTemplateIsAnIncident() throws {
        let records = try Self.replay(rate: 4, duration: 110 * 60_000,
                                      [.init(kind: .newError, service: "cart", start: Self.minutes(60), duration: 40 * 60_000, intensity: 0.005)])
        let pages = Self.paging(records)
        #expect(pages.map { "\($0.labels["alertname"]!) \($0.labels["service"]!)" } == ["NewErrorTemplate cart"])
        if let page = pages.first { #expect(page.detectedAt! - Self.minutes(60) <= 20 * 60_000) }
    }

    // MARK: latency and changes

    /// A 1.5× p95 rise right after a deploy at ~240 events a minute: a latency incident within
    /// 5 minutes that lists the deploy, and the deploy's verdict is degraded.
    @Test func postDeployRegressionIsFoundAndTheDeployDegraded() throws {
        let records = try Self.replay(rate: 4, [
            .init(kind: .deploy, service: "payments", start: Self.minutes(60), duration: 1000, intensity: 7),
            .init(kind: .latencyRegression, service: "payments", start: Self.minutes(60), duration: 20 * 60_000, intensity: 1.5),
        ])
        let pages = Self.paging(records)
        #expect(pages.map { "\($0.labels["alertname"]!) \($0.labels["service"]!)" } == ["LatencyHigh payments"])
        let change = records.first { $0.kind == .change && $0.event == .detected }
        let verdict = records.first { $0.kind == .change && $0.event == .verified }
        if let page = pages.first, let change {
            #expect(page.detectedAt! - Self.minutes(60) <= 5 * 60_000)
            #expect(page.changeIds == [change.changeId!])
        }
        #expect(verdict?.verdict == .degraded)
        #expect(verdict?.changeId == change?.changeId)
        #expect(verdict?.relatedIncidentIds == pages.map { $0.incidentId! })
        #expect(verdict?.recordId != change?.recordId)
    }

    /// A deploy that changes nothing is verified healthy after `change_verify`, and pages nobody.
    @Test func benignDeployIsVerifiedHealthy() throws {
        let records = try Self.replay(rate: 4, [.init(kind: .deploy, service: "cart", start: Self.minutes(60), duration: 1000, intensity: 3)])
        #expect(Self.paging(records).isEmpty)
        let verdict = records.first { $0.kind == .change && $0.event == .verified }
        #expect(verdict?.verdict == .healthy)
        #expect(verdict?.detectedAt == Self.minutes(76))
        #expect(verdict?.metrics.contains { $0.name == "error_ratio_after" && $0.value != nil } == true)
    }

    /// A degraded verdict that no incident covers opens one (the detectors missed a regression the
    /// 15-minute after-span shows): the verifier asks for it with the failed detector type, and
    /// its record lists the incident. A healthy verdict asks for nothing.
    @Test func degradedVerdictWithoutAnIncidentAsksForOne() throws {
        let verifier = ChangeVerifier(rules: try RuleSet.builtin())
        let change = ChangeEvent(service: "cart", kind: .deploy, summary: "deploy of cart 2.3.0", time: Self.minutes(60))
        func pending(afterMs: Double) -> ChangeVerifier.Pending {
            var p = ChangeVerifier.Pending(change: change, changeStep: 0, dueStep: 15, beforeErrors: 60, beforeRequests: 6000,
                                           beforeSteps: 60, beforeDispersion: 1, beforeLatency: 50)
            var sketch = LatencySketch()
            for i in 0..<300 { sketch.record(afterMs * (0.7 + Double(i % 10) * 0.05)) }
            (p.afterRequests, p.afterErrors, p.afterLatency) = (1500, 15, sketch)
            return p
        }
        var asked: [DetectorType] = []
        let degraded = verifier.verdict(pending(afterMs: 80)) { asked.append($0); return "inc_0123456789abcdef" }
        #expect(degraded.verdict == .degraded)
        #expect(asked == [.latency])
        #expect(degraded.relatedIncidentIds == ["inc_0123456789abcdef"])
        #expect(degraded.metrics.contains { $0.name == "incidents_after" && $0.value == 1 })
        asked = []
        let healthy = verifier.verdict(pending(afterMs: 40)) { asked.append($0); return "inc_0123456789abcdef" }
        #expect(healthy.verdict == .healthy)
        #expect(asked.isEmpty)
        #expect(healthy.relatedIncidentIds.isEmpty)
    }

    /// End to end: cart's latency detector never judges a window (it needs 200 values, a window
    /// holds ~150), the verdict over 15 minutes (~450) does: the degraded verdict opens cart's
    /// latency incident itself, started after the deploy and listing it, before the verdict record.
    @Test func degradedVerdictOpensTheIncidentTheDetectorsMissed() throws {
        let rules = try RuleSet.load(files: BuiltinRulesAccess.files + [("extra.rules", "[service cart]\nlatency.min_events = 200\n")])
        let records = try Self.replay(rate: 0.5, rules: rules, [
            .init(kind: .deploy, service: "cart", start: Self.minutes(60), duration: 1000, intensity: 3),
            .init(kind: .latencyRegression, service: "cart", start: Self.minutes(60), duration: 30 * 60_000, intensity: 1.6),
        ])
        let change = try #require(records.first { $0.kind == .change && $0.event == .detected })
        let verdict = try #require(records.firstIndex { $0.kind == .change && $0.event == .verified })
        #expect(records[verdict].verdict == .degraded)
        let opened = records.enumerated().filter { $0.element.event == .opened && $0.element.labels["service"] == "cart" }
        #expect(opened.count == 1)
        if let (position, incident) = opened.first {
            #expect(incident.rule?.detector == "latency")
            #expect(incident.changeIds.first == change.changeId)
            #expect(incident.startedAt == Self.minutes(61))
            #expect(incident.summary.contains("found by the verification of deploy of cart 2.3.0"))
            #expect(position < verdict)
            #expect(records[verdict].relatedIncidentIds == [incident.incidentId!])
        }
    }

    /// A deploy too close to the end of the data gets no verdict (nothing is invented).
    @Test func aChangeWithoutItsAfterSpanHasNoVerdictYet() throws {
        let records = try Self.replay(rate: 4, duration: 70 * 60_000, [.init(kind: .deploy, service: "cart", start: Self.minutes(62), duration: 1000, intensity: 3)])
        #expect(records.contains { $0.kind == .change && $0.event == .detected })
        #expect(!records.contains { $0.event == .verified })
    }

    // MARK: the benchmark's floor

    /// A floor under `Benchmarks/detection` on two fixed seeds, in one load-shaped day each: 12
    /// services from ~30 to ~500 lines a minute riding ±60 % waves, a 5× error burst, a 1.5× latency
    /// regression right after a deploy, a small service falling silent, and a benign deploy. Each
    /// anomaly is found by the right detector within 5 minutes, nothing else pages, and both
    /// deploys get the right verdict.
    @Test(arguments: [UInt64(21), 22])
    func loadShapedDayKeepsTheBenchmarkFloor(seed: UInt64) throws {
        var generator = LogGenerator()
        generator.seed = seed
        generator.duration = 170 * 60_000
        generator.rate = 0.6
        generator.serviceRates = ["checkout": 6, "payments": 4, "cart": 8, "catalog": 2]
        generator.baseErrors = ["cart": 0.01]
        generator.waves = [.init(amplitude: 0.6, period: 40 * 60_000, phase: Double(seed))]
        generator.anomalies = [
            .init(kind: .errorBurst, service: "cart", start: Self.minutes(70), duration: 8 * 60_000, intensity: 0.05),
            .init(kind: .deploy, service: "search", start: Self.minutes(85), duration: 1000, intensity: 4),
            .init(kind: .deploy, service: "checkout", start: Self.minutes(100), duration: 1000, intensity: 9),
            .init(kind: .latencyRegression, service: "checkout", start: Self.minutes(100), duration: 20 * 60_000, intensity: 1.5),
            .init(kind: .silence, service: "inventory", start: Self.minutes(135), duration: 12 * 60_000),
        ]
        let dir = TestSupport.temporaryDirectory("floor\(seed)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try TestSupport.replay(try TestSupport.write(generator, into: dir))
        #expect(try TestSupport.schemaProblems(result.jsonl) == "")
        let records = result.records
        let pages = Self.paging(records)
        #expect(pages.map { "\($0.rule!.detector) \($0.labels["service"]!)" }.sorted()
                == ["absence inventory", "error_ratio cart", "latency checkout"], "\(pages.map(\.summary))")
        for (service, start) in [("cart", 70), ("checkout", 100), ("inventory", 135)] {
            guard let page = pages.first(where: { $0.labels["service"] == service }) else { continue }
            #expect(page.detectedAt! - Self.minutes(start) <= 5 * 60_000, "\(service)")
        }
        let verdicts = records.filter { $0.event == .verified }.map { "\($0.labels["service"]!) \($0.verdict!.rawValue)" }
        #expect(verdicts.sorted() == ["checkout degraded", "search healthy"])
        #expect(!records.contains { $0.kind == .problemCandidate })
    }

    // MARK: one cause, one incident

    /// Failing requests that are also slow: one incident, the latency folded in as a signal.
    @Test func slowFailuresAreOneIncidentWithTwoSignals() throws {
        let records = try Self.replay(rate: 8, [
            .init(kind: .errorBurst, service: "checkout", start: Self.minutes(60), duration: 8 * 60_000, intensity: 0.2),
            .init(kind: .latencyRegression, service: "checkout", start: Self.minutes(60), duration: 8 * 60_000, intensity: 3),
        ])
        let pages = Self.paging(records)
        #expect(pages.count == 1)
        guard let page = pages.first else { return }
        let later = records.filter { $0.incidentId == page.incidentId && $0.event != .opened }
        let signals = later.last?.signals ?? []
        #expect(Set(signals.map(\.detector)) == ["error_ratio", "latency"])
        #expect(signals.first?.detector == page.rule?.detector)
        #expect(later.last?.event == .resolved)
        // Every folded signal ended before (or when) the incident did.
        if let ended = later.last?.endedAt { #expect(signals.allSatisfy { ($0.endedAt ?? .max) <= ended }) }
    }
}
