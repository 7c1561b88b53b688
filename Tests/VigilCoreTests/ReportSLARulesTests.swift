import Foundation
import Testing
@testable import VigilCore

/// `[sla SEVERITY]` sections: the built-in targets, overrides, diagnostics with positions, and
/// `vigil report --rules DIR`.
@Suite struct ReportSLARulesTests {
    @Test func builtinTargets() throws {
        let sla = try RuleSet.builtin().sla
        #expect(sla[.critical] == SLATarget(response: 15 * 60_000, resolution: 4 * 3_600_000))
        #expect(sla[.error] == SLATarget(response: 30 * 60_000, resolution: 8 * 3_600_000))
        #expect(sla[.warning] == SLATarget(response: 4 * 3_600_000, resolution: 24 * 3_600_000))
        #expect(sla[.info] == SLATarget(response: 86_400_000, resolution: 5 * 86_400_000))
        #expect(sla == SLATarget.defaults, "Rules/sla.rules repeats the defaults")
    }

    @Test func sectionOverridesOnlyWhatItSets() throws {
        let rules = try RuleSet.load(files: [("x.rules", "[sla critical]\nresponse = 5m\n")])
        #expect(rules.sla[.critical] == SLATarget(response: 5 * 60_000, resolution: 4 * 3_600_000))
        #expect(rules.sla[.error] == SLATarget.defaults[.error])
    }

    @Test func mistakesAreReportedWithPositions() {
        let text = "[sla critical]\nrespons = 5m\nresolution = 4 hours\n[sla urgent]\n[sla]\n[sla critical]\nresponse = 0m\n"
        #expect(throws: RuleSetError.self) { try RuleSet.load(files: [("x.rules", text)]) }
        do {
            _ = try RuleSet.load(files: [("x.rules", text)])
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "x.rules:2:1: unknown key 'respons' in [sla] (expected response, resolution)",
                "x.rules:3:14: invalid duration '4 hours' (expected a number with ms, s, m, h or d, e.g. 5m)",
                "x.rules:4:6: unknown severity 'urgent' in [sla] (expected critical, error, warning or info)",
                "x.rules:5:2: [sla] needs a severity: [sla critical|error|warning|info]",
                "x.rules:6:6: [sla critical] is defined twice",
            ])
        }
    }

    @Test func reportHonoursRulesDirectory() throws {
        let scratch = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rules = scratch.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        // MTTD of the demo incidents is 2 minutes: a 1-minute critical response target is missed.
        try TestSupport.write("[sla critical]\nresponse = 1m\nresolution = 4h\n", "sla.rules", in: rules)
        let records = TestSupport.fixtures.appendingPathComponent("report/demo/records.jsonl").path
        let result = try TestSupport.vigil(["report", "--rules", rules.path, records])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("| Response SLA met | 0 of 2 (0.0%) |"))
        #expect(result.text.contains("| critical | 2 | 1m | 0 of 2 (0.0%) | 4h | 2 of 2 (100.0%) |"))

        try TestSupport.write("[sla critical]\nreponse = 1m\n", "sla.rules", in: rules)
        let bad = try TestSupport.vigil(["report", "--rules", rules.path, records])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("sla.rules:2:1: unknown key 'reponse' in [sla]"))
    }
}
