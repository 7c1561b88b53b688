import Foundation
import Testing
@testable import VigilCore

/// `vigil nagios`: plugin line, perfdata and exit codes 0/1/2/3.
struct NagiosTests {
    static func line(_ id: String, _ event: String, seq: Int, severity: String = "error", service: String = "checkout") -> String {
        #"{"schema":"vigil.record/v1","kind":"incident","event":"\#(event)","seq":\#(seq),"incident_id":"\#(id)","dedup_key":"k","severity":"\#(severity)","summary":"s","labels":{"alertname":"ErrorRatioHigh","service":"\#(service)"},"started_at":"2026-11-26T10:00:00.000Z"}"#
    }

    static func check(_ files: [String: String], _ extra: [String] = []) throws -> TestSupport.Output {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (name, text) in files.sorted(by: { $0.key < $1.key }) { paths.append(try TestSupport.write(text, name, in: dir).path) }
        return try TestSupport.vigil(["nagios", "--records"] + paths + extra)
    }

    @Test func okWhenEverythingResolved() throws {
        // Resolution in another file, read first: the highest seq wins, not the file order.
        let out = try Self.check(["a.jsonl": Self.line("inc_1", "resolved", seq: 2) + "\n",
                                  "b.jsonl": Self.line("inc_1", "opened", seq: 0) + "\n" + Self.line("inc_1", "updated", seq: 1) + "\n"])
        #expect(out.status == 0)
        #expect(out.text == "VIGIL OK - 0 open incidents | open_incidents=0;1;5;0 critical=0;;;0 error=0;;;0 warning=0;;;0 info=0;;;0 incidents_total=1;;;0 records=3c\n")
    }

    @Test func emptyRecordsAreOK() throws {
        let out = try Self.check(["a.jsonl": ""])
        #expect(out.status == 0)
        #expect(out.text.hasPrefix("VIGIL OK - 0 open incidents | open_incidents=0;"))
    }

    @Test func warningAtTheOpenThreshold() throws {
        let out = try Self.check(["a.jsonl": Self.line("inc_1", "opened", seq: 0, severity: "warning", service: "api") + "\n"])
        #expect(out.status == 1)
        #expect(out.text.hasPrefix("VIGIL WARNING - 1 open incident: api ErrorRatioHigh (warning) | open_incidents=1;1;5;0"))
        #expect(out.text.contains(" warning=1;;;0"))
    }

    @Test func criticalBySeverityOrByCount() throws {
        let severe = try Self.check(["a.jsonl": Self.line("inc_1", "opened", seq: 0, severity: "critical") + "\n"])
        #expect(severe.status == 2)
        #expect(severe.text.hasPrefix("VIGIL CRITICAL - 1 open incident: checkout ErrorRatioHigh (critical) |"))
        let ignored = try Self.check(["a.jsonl": Self.line("inc_1", "opened", seq: 0, severity: "critical") + "\n"], ["--no-critical-severity"])
        #expect(ignored.status == 1)
        let many = (1...3).map { Self.line("inc_\($0)", "opened", seq: 0, service: "s\($0)") }.joined(separator: "\n")
        let counted = try Self.check(["a.jsonl": many + "\n"], ["--warning-open", "1", "--critical-open", "3"])
        #expect(counted.status == 2)
        #expect(counted.text.contains("| open_incidents=3;1;3;0 "))
    }

    @Test func unknownWhenUnreadableOrNotRecords() throws {
        let missing = try TestSupport.vigil(["nagios", "--records", "/nonexistent/records.jsonl"])
        #expect(missing.status == 3)
        #expect(missing.text.hasPrefix("VIGIL UNKNOWN - cannot read /nonexistent/records.jsonl"))
        let garbage = try Self.check(["a.jsonl": "not json\n{\"a\":1}\n"])
        #expect(garbage.status == 3)
        #expect(garbage.text.hasPrefix("VIGIL UNKNOWN - "))
        // Some malformed lines among records: counted, not fatal.
        let mixed = try Self.check(["a.jsonl": "junk\n" + Self.line("inc_1", "opened", seq: 0) + "\n"])
        #expect(mixed.status == 1)
        #expect(mixed.text.contains("1 malformed lines skipped"))
    }
}
