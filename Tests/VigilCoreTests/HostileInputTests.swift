import Foundation
import Testing
@testable import VigilCore

/// Fault-matrix rows B3 (ReDoS rule) and G5 (gzip bomb): the hostile part is bounded, counted and
/// reported; every other line is still processed.
@Suite struct HostileInputTests {
    static func rulesWithCatastrophicPattern(_ pattern: String) throws -> RuleSet {
        var files = BuiltinRulesAccess.files
        files.append(("evil.rules", "[format evil]\npattern = \(pattern)\n"))
        var rules = try RuleSet.load(files: files)
        // Put the hostile format first, so every line meets it.
        rules.formats.insert(rules.formats.removeLast(), at: 0)
        return rules
    }

    /// Anchored and unanchored (`(a+)+c` backtracks from every start position when the `c` it
    /// requires is in the line, but not right after the a's).
    @Test(arguments: zip([#"^(a+)+$"#, #"^(\w+\s?)*$"#, #"(a+)+c"#], ["", "", "c"]))
    func catastrophicPatternIsLimitedCountedAndSwitchedOff(_ pattern: String, _ suffix: String) throws {
        let rules = try Self.rulesWithCatastrophicPattern(pattern)
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for i in 0..<3000 {
            text += String(repeating: "a", count: 30) + "!" + suffix + "\n"
            text += "2026-11-26T10:\(String(format: "%02d:%02d", i / 60 % 60, i % 60)).000Z INFO [api] request \(i) latency_ms=5\n"
        }
        let file = try TestSupport.write(text, "app.log", in: dir)
        let result = try TestSupport.replay([file.path], rules: rules)
        #expect(result.counters.linesRead == 6000)
        #expect(result.counters.linesParsed == 3000)                       // every good line
        #expect(result.counters.failed[.noMatch] == 3000)                  // every hostile line, counted
        #expect(result.counters.regexLimitHits["evil", default: 0] >= LineParser.disableAfterLimitHits)
        #expect(result.counters.formatsDisabled == ["evil"])
    }

    /// 1 GiB of zeros in a ~1 MB gzip beside a normal log: the bomb is cut at the limit and
    /// reported; the normal log is read whole.
    @Test func gzipBombIsCutAtTheLimit() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bomb = dir.appendingPathComponent("bomb.log.gz").path
        try TestSupport.run("/bin/sh", ["-c", "head -c 1073741824 /dev/zero | gzip -1 > '\(bomb)'"])
        let normal = try TestSupport.write((0..<500).map { "2026-11-26T10:00:\(String(format: "%02d", $0 % 60)).000Z INFO [api] ok \($0) latency_ms=3\n" }.joined(),
                                           "app.log", in: dir)
        let stats = dir.appendingPathComponent("stats.json")
        let run = try TestSupport.vigil(["replay", "--stats", stats.path, bomb, normal.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("archive limit"))
        let s = try JSONSerialization.jsonObject(with: Data(contentsOf: stats)) as! [String: Any]
        #expect(s["archive_limit_exceeded"] as? Int == 1)
        #expect(s["lines_parsed"] as? Int == 500)
        #expect((s["lines_failed"] as! [String: Int])["too_long"] == 1)
    }
}
