import Foundation
import Testing
@testable import VigilCore

@Suite struct OutputTests {
    @Test func sha256KnownVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func idsFollowSpec() {
        let labels = ["service": "checkout", "alertname": "ErrorRatioHigh"]
        #expect(RecordIds.canonical(labels) == #"{"alertname":"ErrorRatioHigh","service":"checkout"}"#)
        let key = RecordIds.dedupKey(ruleId: "error_ratio", labels: labels)
        #expect(key == "vigil:error_ratio:" + SHA256.hex(#"{"alertname":"ErrorRatioHigh","service":"checkout"}"#).prefix(32))
        let id = RecordIds.incidentId(dedupKey: key, startedAt: 1_795_687_200_000)
        #expect(id == "inc_" + SHA256.hex(key + "\n2026-11-26T10:00:00.000Z").prefix(16))
    }

    static let escapes: [(String, String)] = [
        ("plain", "plain"),
        ("quote \" backslash \\", #"quote \" backslash \\"#),
        ("nl\ncr\rtab\t", #"nl\ncr\rtab\t"#),
        ("bell\u{07}del\u{7f}", #"bell\u0007del\u007f"#),
        ("ls\u{2028}ps\u{2029}nel\u{85}", #"ls\u2028ps\u2029nel\u0085"#),
        ("bidi\u{202e}x\u{2066}y\u{2069}", #"bidi\u202ex\u2066y\u2069"#),
        ("esc\u{1b}[2J", #"esc\u001b[2J"#),
        ("héllo ✓ 🚀", "héllo ✓ 🚀"),
    ]

    @Test(arguments: escapes)
    func escapesLineBreakersAndControls(_ input: String, _ expected: String) {
        var out: [UInt8] = []
        JSONWriter.escape(Array(input.utf8), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func invalidUTF8BecomesReplacementCharacter() {
        var out: [UInt8] = []
        JSONWriter.escape([0x61, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x62], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"a\ufffd\ufffd(\ufffdb"#)
    }

    @Test func forgedRecordInEvidenceStaysInsideItsLine() throws {
        let hostile = "x\"}\n{\"kind\":\"incident\"\u{2028}{\"kind\":\"incident\"}\u{85}"
        let record = Record(kind: .incident, event: .opened, seq: 0, incidentId: "inc_0123456789abcdef",
                            dedupKey: "vigil:error_ratio:0123456789abcdef0123456789abcdef", status: "firing", severity: .error,
                            summary: hostile, rule: .init(id: "error_ratio", alertname: "ErrorRatioHigh", detector: "error_ratio", threshold: 0.05),
                            labels: ["service": hostile], startedAt: 0, detectedAt: 60_000,
                            evidence: [Evidence(ts: 0, source: "app.log", lineNumber: 1, offset: 0, line: Array(hostile.utf8), cursor: nil)])
        let bytes = RecordEncoder.encode(record)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.unicodeScalars.allSatisfy { !["\u{2028}", "\u{2029}", "\u{85}"].contains($0) })
        #expect(try TestSupport.schemaProblems(bytes) == "")
    }

    /// B5 end to end: JSON log lines whose message decodes to `"}` newline `{"kind":"incident"`,
    /// U+2028, U+0085, ESC and U+202E (and an app line with a raw U+2028), in an error burst that
    /// opens incidents and a new error template: split on `\n` and with Python's `splitlines()`, the
    /// sink holds exactly the records vigil wrote, each one valid against the schema.
    @Test func hostileLogLinesCannotForgeRecordsEndToEnd() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for i in 0..<3000 {
            let ts = "2026-11-26T10:\(String(format: "%02d:%02d", i / 60, i % 60)).000Z"
            if i >= 2400, i % 2 == 0 {
                text += #"{"time":"\#(ts)","level":"error","service":"api","msg":"payment \"}\n{\"kind\":\"incident\"\u2028\u0085\u001b[2J\u202e failed"}"# + "\n"
            } else if i >= 2400 {
                text += "\(ts) ERROR [api] refund \u{2028}{\"kind\":\"incident\"} failed\n"
            } else {
                text += #"{"time":"\#(ts)","level":"info","service":"api","msg":"request served"}"# + "\n"
            }
        }
        let log = try TestSupport.write(text, "app.log", in: dir)
        let sink = dir.appendingPathComponent("out.jsonl")
        let run = try TestSupport.vigil(["replay", "--sink", sink.path, log.path])
        #expect(run.status == 0, "\(run.stderr)")
        let data = try Data(contentsOf: sink)
        let records = data.split(separator: 10)
        #expect(records.contains { String(decoding: $0, as: UTF8.self).contains(#""event":"opened""#) })
        // The hostile text reached the output (escaped), so the check below is not vacuous.
        #expect(String(decoding: data, as: UTF8.self).contains(#"\u2028"#))
        let python = try TestSupport.run("/usr/bin/env", ["python3", "-c", """
            import json, sys
            lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
            print(len(lines), sum(1 for l in lines if json.loads(l)["schema"] == "vigil.record/v1"))
            """, sink.path])
        #expect(python.text.trimmingCharacters(in: .whitespacesAndNewlines) == "\(records.count) \(records.count)", "\(python.stderr)")
        #expect(try TestSupport.schemaProblems([sink]) == "")
    }

    @Test func numbersAreStable() {
        #expect(JSONWriter.formatNumber(0.05) == "0.05")
        #expect(JSONWriter.formatNumber(3) == "3")
        #expect(JSONWriter.formatNumber(1.0 / 3.0) == "0.333333")
        #expect(JSONWriter.formatNumber(261.2345678) == "261.234568")
    }
}
