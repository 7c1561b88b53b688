import Foundation
import Testing
@testable import VigilCore

/// `vigil run -` behind `journalctl -f -o json --all`: journald's quirks on stdin, every line in the
/// tap once, exit 0 at the end of input; a journalctl that `--journal` starts and that fails is an error.
@Suite struct RunCommandTests {
    @Test func journaldJSONOnStdinIsReadToItsEnd() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = [
            #"{"__CURSOR":"s=1;i=1","__REALTIME_TIMESTAMP":"1795687200000000","PRIORITY":"6","_SYSTEMD_UNIT":"checkout.service","MESSAGE":"order created latency_ms=12"}"#,
            // MESSAGE as a byte array (invalid UTF-8 / ANSI escapes), numbers as strings.
            #"{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1795687201000000","PRIORITY":"3","_SYSTEMD_UNIT":"checkout.service","MESSAGE":[27,91,51,49,109,98,111,111,109,255]}"#,
            // MESSAGE null (over 4096 bytes without --all), a source timestamp preferred.
            #"{"__CURSOR":"s=1;i=3","__REALTIME_TIMESTAMP":"1795687202000000","_SOURCE_REALTIME_TIMESTAMP":"1795687201500000","PRIORITY":"4","SYSLOG_IDENTIFIER":"cron","MESSAGE":null}"#,
        ]
        let tap = dir.appendingPathComponent("tap.jsonl")
        let result = try TestSupport.vigil(["run", "--tap", tap.path, "--sink", dir.appendingPathComponent("out.jsonl").path, "-"],
                                           stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let tapped = try String(contentsOf: tap, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(tapped.count == 3)
        #expect(tapped[0].contains(#""service":"checkout""#) && tapped[0].contains(#""latency_ms":12"#))
        #expect(tapped[1].contains(#""level":"error""#) && tapped[1].contains(#""message":"\u001b[31mboom\ufffd""#))
        #expect(tapped[2].contains(#""service":"cron""#) && tapped[2].contains(#""ts":"2026-11-26T10:00:01.500Z""#))
        #expect(result.stderr.contains("3 lines read, 3 parsed"))
    }

    /// A journalctl that fails at start (issue 16 item 4; here a relative `--file=` path, which
    /// `journalctl -f` refuses) ends `vigil run --journal` with exit 66, not 0 with "0 lines read".
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/journalctl"), "journalctl is not installed"))
    func failingJournalctlIsReported() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try TestSupport.run(TestSupport.vigilBinary, ["run", "--journal", "--journalctl-arg=--file=missing.journal",
                                                                   "--sink", dir.appendingPathComponent("out.jsonl").path], cwd: dir)
        #expect(result.status == 66, "\(result.stderr)")
        #expect(result.stderr.contains("journalctl --file=missing.journal exited with status"), "\(result.stderr)")
    }
}
