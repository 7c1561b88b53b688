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

    /// Issue 8's memory bound, all at once: a ~1 MB gzip that inflates to 1 GiB, a 10 MB line, a
    /// million distinct service names and random binary, replayed together. Peak RSS (the child's, as
    /// the kernel counts it) stays under 256 MiB and every normal line is processed.
    @Test func hostileMixStaysUnder256MiB() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        try TestSupport.run("/bin/sh", ["-c", """
            head -c 1073741824 /dev/zero | gzip -1 > '\(path("bomb.log.gz"))'
            { head -c 10000000 /dev/urandom | base64 -w0; echo; echo '2026-11-26T10:00:01.000Z INFO [api] after the long line latency_ms=3'; } > '\(path("long.log"))'
            head -c 1000000 /dev/urandom > '\(path("junk.log"))'
            """])
        var services = ""
        services.reserveCapacity(60_000_000)
        for i in 0..<1_000_000 { services += "2026-11-26T10:00:00.000Z INFO [svc-\(i)] ok latency_ms=3\n" }
        try Data(services.utf8).write(to: dir.appendingPathComponent("services.log"))
        services = ""
        let normal = try TestSupport.write((0..<500).map { "2026-11-26T10:00:\(String(format: "%02d", $0 % 60)).000Z INFO [api] ok \($0) latency_ms=3\n" }.joined(),
                                           "app.log", in: dir)
        let stats = path("stats.json")
        let measure = "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        let run = try TestSupport.run("/usr/bin/env", ["python3", "-c", measure, TestSupport.vigilBinary, "replay", "--sink", "/dev/null", "--stats", stats,
                                                       path("bomb.log.gz"), path("long.log"), path("junk.log"), path("services.log"), normal.path])
        let figures = run.text.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(figures.first == 0, "\(run.text) \(run.stderr)")
        let peakKB = try #require(figures.last)
        #expect(peakKB < 256 * 1024, "peak RSS \(peakKB) KiB")
        let s = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stats))) as! [String: Any]
        #expect(s["lines_parsed"] as? Int == 1_000_000 + 500 + 1)
        #expect(s["archive_limit_exceeded"] as? Int == 1)
        #expect(((s["lines_failed"] as! [String: Int])["too_long"] ?? 0) >= 2)
        print("hostile mix: peak RSS \(peakKB / 1024) MiB")
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
