import Foundation
import Testing
@testable import VigilCore

/// Golden report cases, discovered: every folder of `Fixtures/report/` holds record files (`*.jsonl`,
/// passed in name order), optional `args` (more arguments of `vigil report`, one per line), the
/// expected Markdown (`expected.md`) and stderr (`expected-stderr.txt`: bad lines and the summary).
/// `VIGIL_UPDATE=1 swift test --filter ReportGolden` rewrites the expectations (review the diff).
@Suite struct ReportGoldenTests {
    static var root: URL { TestSupport.fixtures.appendingPathComponent("report") }

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { !((try? recordFiles($0)) ?? []).isEmpty }.sorted()
    }

    static func recordFiles(_ name: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(name).path).filter { $0.hasSuffix(".jsonl") }.sorted()
    }

    static func args(_ name: String) throws -> [String] {
        let file = root.appendingPathComponent("\(name)/args")
        guard FileManager.default.fileExists(atPath: file.path) else { return [] }
        return try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    @Test func everyKindOfCaseIsPresent() {
        for required in ["empty", "open-incident", "kpi", "demo", "malformed"] {
            #expect(Self.cases.contains(required), "missing report case \(required)")
        }
    }

    @Test(arguments: cases)
    func markdownMatchesGolden(_ name: String) throws {
        let dir = Self.root.appendingPathComponent(name)
        let result = try TestSupport.vigil(["report"] + Self.args(name) + Self.recordFiles(name), cwd: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let expectedFile = dir.appendingPathComponent("expected.md")
        let expectedStderrFile = dir.appendingPathComponent("expected-stderr.txt")
        if TestSupport.updateGoldens {
            try result.stdout.write(to: expectedFile)
            try result.stderr.write(to: expectedStderrFile, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedFile, encoding: .utf8)
        if result.text != expected {
            let a = expected.split(separator: "\n", omittingEmptySubsequences: false), b = result.text.split(separator: "\n", omittingEmptySubsequences: false)
            let first = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record("""
                \(name): report differs from expected.md, first at line \(first + 1):
                expected: \(first < a.count ? String(a[first]) : "<none>")
                got:      \(first < b.count ? String(b[first]) : "<none>")
                """)
        }
        #expect(result.stderr == (try String(contentsOf: expectedStderrFile, encoding: .utf8)))
    }

    /// Fixture records are real records: every line validates against the schema, except the lines a
    /// case reports as bad on stderr (the malformed case), which must then be reported.
    @Test(arguments: cases)
    func fixtureRecordsValidateOrAreReported(_ name: String) throws {
        let dir = Self.root.appendingPathComponent(name)
        let stderr = try String(contentsOf: dir.appendingPathComponent("expected-stderr.txt"), encoding: .utf8)
        let scratch = TestSupport.temporaryDirectory(name)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var kept: [URL] = []
        for file in try Self.recordFiles(name) {
            // Split bytes, not Characters: "\r\n" is one Character in Swift.
            let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(file)))
            var good: [UInt8] = []
            for (index, line) in bytes.split(separator: 10, omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.last == 13 ? line.dropLast() : line
                guard !trimmed.allSatisfy({ $0 == 32 || $0 == 9 }), !stderr.contains("\(file):\(index + 1): ") else { continue }
                good += trimmed + [10]
            }
            let out = scratch.appendingPathComponent(file)
            try Data(good).write(to: out)
            kept.append(out)
        }
        #expect(try TestSupport.schemaProblems(kept) == "")
    }

    /// The same records split over overlapping files (a record in two files) give the same report.
    @Test func overlappingFilesAreNotCountedTwice() throws {
        let lines = try String(contentsOf: Self.root.appendingPathComponent("demo/records.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { $0 + "\n" }
        let scratch = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        try TestSupport.write(lines[0..<4].joined(), "day1.jsonl", in: scratch)
        try TestSupport.write(lines[2...].joined(), "day2.jsonl", in: scratch)
        try TestSupport.write(lines.joined(), "again.jsonl", in: scratch)
        let result = try TestSupport.vigil(["report", "day1.jsonl", "day2.jsonl", "again.jsonl"], cwd: scratch)
        #expect(result.status == 0)
        let expected = try String(contentsOf: Self.root.appendingPathComponent("demo/expected.md"), encoding: .utf8)
        #expect(result.text == expected.replacingOccurrences(of: "from 1 file.", with: "from 3 files."))
    }

    @Test func missingFileExits66AndWritesNothing() throws {
        let scratch = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let records = Self.root.appendingPathComponent("demo/records.jsonl").path
        let result = try TestSupport.vigil(["report", "--markdown", "out.md", records, "nope.jsonl"], cwd: scratch)
        #expect(result.status == 66)
        #expect(result.stderr.contains("nope.jsonl: no such file"))
        #expect(!FileManager.default.fileExists(atPath: scratch.appendingPathComponent("out.md").path))
        #expect(try TestSupport.vigil(["report"]).status == 64)
        #expect(try TestSupport.vigil(["report", "--period-start", "yesterday", records]).status == 64)
    }
}
