import Foundation
import Testing
@testable import VigilCore

/// Fault-matrix row B4: PCRE2 resources and hostile configuration. The fixed cases (limit verbs,
/// 300 nested groups) are `Fixtures/rules/bad/pcre2-*` and run by `RuleSetTests`; the 1 MB cases
/// are generated here rather than kept as megabyte fixtures.
@Suite struct HostileRuleTests {
    /// A 1 MB pattern is refused by `vigil check` with a position, quickly and in bounded memory.
    @Test func megabytePatternIsRefusedWithAPosition() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try TestSupport.write("[format big]\npattern = ^" + String(repeating: "a", count: 1 << 20) + "$\n", "x.rules", in: dir)
        let result = try TestSupport.vigil(["check", "--rules", dir.path])
        #expect(result.status == 65)
        let message = try #require(result.stderr.split(separator: "\n").first.map(String.init))
        #expect(message.wholeMatch(of: /.*x\.rules:2:\d+: invalid regex: regular expression is too large/) != nil, "\(message)")
        // A set with an error is never half-loaded: run refuses to start.
        let run = try TestSupport.vigil(["run", "--rules", dir.path, "/dev/null"])
        #expect(run.status == 65)
    }

    /// The limit verbs are refused in rule files; underneath, PCRE2 itself does not let a pattern
    /// raise the match limit set in the match context (checked here so that the refusal is not the
    /// only thing standing between a rule and an unbounded match).
    @Test func inPatternLimitCannotRaiseTheMatchLimit() throws {
        let subject = Array((String(repeating: "a", count: 30) + "!").utf8)
        let clock = ContinuousClock()
        func outcome(_ pattern: String) throws -> MatchOutcome {
            let matcher = Matcher(try CompiledPattern(pattern))
            var result = MatchOutcome.noMatch
            let elapsed = clock.measure { result = subject.withUnsafeBufferPointer { matcher.raw.match($0.baseAddress!, $0.count) } }
            #expect(elapsed < .seconds(1), "\(pattern): \(elapsed)")
            return result
        }
        // JIT (what vigil uses): stopped at vigil's limit, with or without the verbs.
        #expect(try outcome(#"^(a+)+$"#) == .limitHit)
        for verbs in ["(*LIMIT_MATCH=100000000)", "(*LIMIT_DEPTH=100000000)(*LIMIT_HEAP=100000000)"] {
            #expect(try outcome(verbs + #"^(a+)+$"#) == .limitHit, "\(verbs)")
        }
        // The interpreter: the verbs change nothing either.
        #expect(try outcome(#"(*NO_JIT)(*LIMIT_MATCH=100000000)^(a+)+$"#) == (try outcome(#"(*NO_JIT)^(a+)+$"#)))
        #expect(RuleSet.limitVerb(in: "(*UTF)(*LIMIT_MATCH=5)x")?.offset == 6)
        #expect(RuleSet.limitVerb(in: #"x(*LIMIT_MATCH=5)"#) == nil)   // not at the start: PCRE2 rejects it itself
    }

    /// JIT with its bounded stack on a 1 MB subject: a pattern that needs a frame per character
    /// runs out of JIT stack (-46), which is a counted limit hit, not a crash.
    @Test func jitOnAMegabyteSubjectStopsAtItsStackLimit() throws {
        let pattern = try CompiledPattern(#"^(?:(a)|b)*$"#)
        let matcher = Matcher(pattern)
        let subject = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        let outcome = subject.withUnsafeBufferPointer { matcher.raw.match($0.baseAddress!, $0.count) }
        #expect(outcome == .limitHit || outcome == .matched, "\(outcome)")
        if pattern.isJIT { #expect(outcome == .limitHit) }
    }

    /// Through vigil: a 1 MB line never reaches PCRE2 (it is over max_line_bytes and counted as
    /// too long); a line just under the cap meets the hostile format and is counted as a limit hit.
    @Test func hostileFormatOnLongLinesIsCounted() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try TestSupport.write("[format evil]\npattern = ^(?:(a)|b)*$\n[format app]\npattern = ^(?<ts>\\S+) (?<level>[A-Z]+) \\[(?<service>[^\\]]+)\\] (?<message>.*)$\n",
                              "x.rules", in: rules)
        var text = TestSupport.appLine(0, "before")
        text += String(repeating: "a", count: 1 << 20) + "\n"
        text += String(repeating: "a", count: 60_000) + "\n"
        text += TestSupport.appLine(1, "after")
        let file = try TestSupport.write(text, "app.log", in: dir)
        let stats = dir.appendingPathComponent("stats.json")
        let result = try TestSupport.vigil(["replay", "--rules", rules.path, "--stats", stats.path, file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let s = try JSONSerialization.jsonObject(with: Data(contentsOf: stats)) as! [String: Any]
        #expect(s["lines_read"] as? Int == 4)
        #expect(s["lines_parsed"] as? Int == 2)
        #expect((s["lines_failed"] as! [String: Int])["too_long"] == 1)
        #expect((s["regex_limit_hits"] as! [String: Int])["evil"] == 1)
    }
}
