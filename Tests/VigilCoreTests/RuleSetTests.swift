import Foundation
import Testing
@testable import VigilCore

@Suite struct RuleSetTests {
    @Test func builtinRulesLoad() throws {
        let rules = try RuleSet.builtin()
        #expect(rules.formats.map(\.name) == ["json", "app", "logback", "nginx", "syslog5424", "syslog", "logfmt"])
        #expect(rules.detectors.map(\.id) == ["error_ratio", "latency", "novelty", "absence", "volume", "slo"])
        #expect(rules.window.window == 300_000 && rules.window.step == 60_000)
    }

    @Test func shippedRulesDirectoryLoads() throws {
        let rules = try RuleSet.load(directory: TestSupport.packageRoot.appendingPathComponent("Rules").path)
        #expect(rules.formats.count == 7)
    }

    /// The binary carries a copy of Rules/; this fails when they differ. `VIGIL_UPDATE=1` rewrites it.
    @Test func embeddedCopyMatchesRulesDirectory() throws {
        let root = TestSupport.packageRoot
        let rulesDir = root.appendingPathComponent("Rules")
        let fm = FileManager.default
        var files = try fm.contentsOfDirectory(atPath: rulesDir.appendingPathComponent("patterns").path).sorted().map { "patterns/" + $0 }
        files += try fm.contentsOfDirectory(atPath: rulesDir.path).filter { $0.hasSuffix(".rules") }.sorted()
        var out = [
            "// Generated from Rules/ by `VIGIL_UPDATE=1 swift test --filter BuiltinRules`; do not edit by hand.",
            "// The files under Rules/ are the source; a test fails when this copy differs from them.",
            "enum BuiltinRules {",
            "    static let files: [(path: String, text: String)] = [",
        ]
        for file in files {
            let text = try String(contentsOf: rulesDir.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("\"\"\"##"), "\(file) cannot be embedded")
            out.append("        (\"\(file)\", ##\"\"\"")
            out.append(text + "\"\"\"##),")
        }
        out += ["    ]", "}"]
        let generated = out.joined(separator: "\n") + "\n"
        let target = root.appendingPathComponent("Sources/VigilCore/Rules/BuiltinRules.swift")
        if TestSupport.updateGoldens { try generated.write(to: target, atomically: true, encoding: .utf8) }
        #expect(try String(contentsOf: target, encoding: .utf8) == generated, "run VIGIL_UPDATE=1 swift test --filter embeddedCopy")
    }

    /// `Fixtures/rules/bad/<case>/`: a rule set with one class of error and the exact messages expected.
    static var badCases: [String] {
        let dir = TestSupport.fixtures.appendingPathComponent("rules/bad")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    @Test(arguments: badCases)
    func badRuleSetIsRefusedWithPositions(_ name: String) throws {
        let dir = TestSupport.fixtures.appendingPathComponent("rules/bad/\(name)")
        let expectedFile = dir.appendingPathComponent("expected.txt")
        // Messages name files relative to the case folder so the fixture does not depend on the checkout path.
        let result = try TestSupport.vigil(["check", "--rules", "rules"], cwd: dir)
        #expect(result.status == 65)
        if TestSupport.updateGoldens { try result.stderr.write(to: expectedFile, atomically: true, encoding: .utf8) }
        #expect(result.stderr == (try String(contentsOf: expectedFile, encoding: .utf8)))
    }

    @Test func goodCheckExitsZero() throws {
        let result = try TestSupport.vigil(["check"])
        #expect(result.status == 0)
        #expect(result.text.hasPrefix("ok:"))
    }

    @Test func grokExpansion() throws {
        var library = PatternLibrary()
        var diagnostics: [Diagnostic] = []
        library.load(path: "p", text: "A [a]+\nB %{A}-%{A:x}\nLOOP %{LOOP}\n", diagnostics: &diagnostics)
        #expect(diagnostics.isEmpty)
        #expect(try library.expand("^%{B:b}$") == "^(?<b>(?:[a]+)-(?<x>[a]+))$")
        #expect(try library.expand(#"100\%{A}"#) == #"100\%{A}"#)
        #expect(throws: PatternLibrary.ExpansionError.self) { try library.expand("%{LOOP}") }
        #expect(throws: PatternLibrary.ExpansionError.self) { try library.expand("x %{NOPE}") }
    }
}

/// Inputs found by fuzzing the rule loader: each must give diagnostics, never a crash.
@Suite struct RuleFileFuzzRegressions {
    static var crashes: [String] {
        let dir = TestSupport.fixtures.appendingPathComponent("fuzz/FuzzRuleFile")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("FuzzRuleFile-crash-") }.sorted()
    }

    @Test(arguments: crashes)
    func loadsOrReportsWithoutCrashing(_ name: String) throws {
        let data = try Data(contentsOf: TestSupport.fixtures.appendingPathComponent("fuzz/FuzzRuleFile/\(name)"))
        #expect(throws: RuleSetError.self) { try RuleSet.load(files: [("fuzz.rules", String(decoding: data, as: UTF8.self))]) }
    }

    @Test func hugeDurationsAndNumbersAreDiagnosed() throws {
        do {
            _ = try RuleSet.load(files: [("x.rules", "[defaults]\nstep = 99999999999999999999999m\nmax_services = 1e300\n")])
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "x.rules:2:8: duration '99999999999999999999999m' is too long (at most 400d)",
                "x.rules:3:16: number '1e300' is too large",
            ])
        }
    }
}
