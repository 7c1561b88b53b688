import Foundation
import Testing
@testable import VigilCore

/// Golden replay cases, discovered: every folder of `Fixtures/replay/` holds the input logs, `args`
/// (the arguments of `vigil replay`, one per line, relative to the folder), `expected.jsonl` and
/// `expected-stats.json`. An empty `expected.jsonl` is a quiet case: nothing may be reported.
/// `VIGIL_UPDATE=1 swift test --filter Golden` rewrites the expectations (review the diff).
@Suite struct GoldenReplayTests {
    static var cases: [String] {
        let dir = TestSupport.fixtures.appendingPathComponent("replay")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter {
            FileManager.default.fileExists(atPath: dir.appendingPathComponent("\($0)/args").path)
        }.sorted()
    }

    @Test func everyKindOfCaseIsPresent() {
        let names = Set(Self.cases)
        for required in ["format-app", "format-nginx", "format-json", "format-journald", "format-syslog", "format-syslog5424",
                         "format-logback", "format-logfmt", "error-burst", "latency-regression", "out-of-order", "quiet", "rotated-gz",
                         "deploy-regression", "benign-deploy", "changes-feed", "novelty", "absence",
                         "volume-spike", "volume-drop", "slo-burn", "slo-quiet", "recurring"] {
            #expect(names.contains(required), "missing golden case \(required)")
        }
    }

    @Test(arguments: cases)
    func replayMatchesGolden(_ name: String) throws {
        let dir = TestSupport.fixtures.appendingPathComponent("replay/\(name)")
        let args = try String(contentsOf: dir.appendingPathComponent("args"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let scratch = TestSupport.temporaryDirectory(name)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stats = scratch.appendingPathComponent("stats.json")
        let result = try TestSupport.vigil(["replay", "--stats", stats.path] + args, cwd: dir)
        #expect(result.status == 0, "\(result.stderr)")

        let expectedFile = dir.appendingPathComponent("expected.jsonl")
        let expectedStatsFile = dir.appendingPathComponent("expected-stats.json")
        let gotStats = try Data(contentsOf: stats)
        if TestSupport.updateGoldens {
            try result.stdout.write(to: expectedFile)
            try gotStats.write(to: expectedStatsFile)
        }
        let expected = try String(contentsOf: expectedFile, encoding: .utf8)
        let got = result.text
        if got != expected {
            let a = expected.split(separator: "\n"), b = got.split(separator: "\n")
            let first = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record("""
                \(name): output differs from expected.jsonl (\(a.count) expected lines, \(b.count) got), first at line \(first + 1):
                expected: \(first < a.count ? String(a[first].prefix(400)) : "<none>")
                got:      \(first < b.count ? String(b[first].prefix(400)) : "<none>")
                """)
        }
        #expect(String(decoding: gotStats, as: UTF8.self) == (try String(contentsOf: expectedStatsFile, encoding: .utf8)))
        let output = scratch.appendingPathComponent("out.jsonl")
        try result.stdout.write(to: output)
        #expect(try TestSupport.schemaProblems([output]) == "")
    }

    /// The quiet case really is quiet, and the rotated set gives what the unsplit file gives, but for
    /// the evidence's line numbers and offsets, which count within each file of the set (SPEC).
    @Test func rotatedGzipSetEqualsThePlainFile() throws {
        let root = TestSupport.fixtures.appendingPathComponent("replay")
        func withoutPositions(_ name: String) throws -> String {
            let text = try String(contentsOf: root.appendingPathComponent("\(name)/expected.jsonl"), encoding: .utf8)
            return text.replacingOccurrences(of: #""line_no":[0-9]+,"offset":[0-9]+"#, with: "", options: .regularExpression)
        }
        let plain = try withoutPositions("format-app")
        #expect(!plain.isEmpty)
        #expect(plain == (try withoutPositions("rotated-gz")))
        #expect(try String(contentsOf: root.appendingPathComponent("quiet/expected.jsonl"), encoding: .utf8).isEmpty)
    }

    /// Shuffling within the allowed lateness changes nothing; lines later than that are counted.
    @Test func outOfOrderLinesGiveTheSameIncidents() throws {
        let root = TestSupport.fixtures.appendingPathComponent("replay")
        func incidents(_ name: String) throws -> [String] {
            try String(contentsOf: root.appendingPathComponent("\(name)/expected.jsonl"), encoding: .utf8)
                .split(separator: "\n").compactMap { line in
                    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                    return "\(object["event"]!) \(object["incident_id"]!) \(object["started_at"]!) \(object["ended_at"] ?? "-")"
                }
        }
        #expect(try incidents("out-of-order") == (try incidents("format-app")))
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("out-of-order/expected-stats.json"))) as! [String: Any]
        #expect((stats["lines_failed"] as! [String: Int])["late"] == 5)
    }
}
