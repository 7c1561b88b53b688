import Foundation
import Testing
@testable import VigilCore

@Suite struct BadInputTests {
    /// Found by fuzzing (FuzzJSONLine, 10-minute run): a journald MESSAGE byte array holding a
    /// 1,000-digit number overflowed. Every input found this way is parsed here, both ways.
    @Test(arguments: ["crash-message-byte-array-overflow"])
    func fuzzFindingsOfTheJSONParser(name: String) throws {
        let data = try Data(contentsOf: TestSupport.fixtures.appendingPathComponent("fuzz/FuzzJSONLine/\(name)"))
        let parser = LineParser(rules: try RuleSet.builtin(), defaultService: "fuzz")
        for collect in [false, true] {
            parser.collectFields = collect
            var parsed = ParsedLine()
            _ = data.withUnsafeBytes { parser.parse($0.bindMemory(to: UInt8.self).baseAddress!, data.count, into: &parsed) }
        }
        let journald = #"{"__REALTIME_TIMESTAMP":"1772323200000000","MESSAGE":[104,"#.utf8 + Array(repeating: UInt8(ascii: "9"), count: 1000) + #",105]}"#.utf8
        var parsed = ParsedLine()
        let line = Array(journald)
        let reason = line.withUnsafeBufferPointer { parser.parse($0.baseAddress!, $0.count, into: &parsed) }
        #expect(reason == nil)
        #expect(parsed.message.map { Array($0) } == [104, 255, 105])
    }

    @Test func unreadablePathExits66WithThePath() throws {
        let result = try TestSupport.vigil(["replay", "/nonexistent/vigil-test/app.log"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("/nonexistent/vigil-test/app.log"))
        #expect(result.stdout.isEmpty)
    }

    @Test func directoryOfUnreadableFileExits66() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe.log").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // A FIFO named on the command line is refused, not waited on.
        let result = try TestSupport.vigil(["replay", fifo])
        #expect(result.status == 66)
        #expect(result.stderr.contains("pipe.log"))
    }

    @Test func brokenRegexExits65WithPosition() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try TestSupport.write("[format mine]\npattern = ^(?<ts>\\S+ [\n", "mine.rules", in: dir)
        let result = try TestSupport.vigil(["replay", "--rules", dir.path, "/dev/null"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("mine.rules:2:"))
        #expect(result.stderr.contains("invalid regex"))
    }

    @Test func usageErrorExits64() throws {
        #expect(try TestSupport.vigil(["replay"]).status == 64)
        #expect(try TestSupport.vigil(["replay", "--from", "yesterday", "x"]).status == 64)
    }

    /// Binary junk, invalid UTF-8, a 10 MB line and CRLF lines in a gzip archive: each counted,
    /// every good line still processed.
    @Test func hostileLinesAreCountedAndSkipped() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes: [UInt8] = []
        var good = 0
        func appLine(_ second: Int, _ text: String) -> [UInt8] {
            Array("2026-11-26T10:\(String(format: "%02d:%02d", second / 60, second % 60)).000Z INFO [api] \(text) latency_ms=12\n".utf8)
        }
        for i in 0..<600 {
            bytes += appLine(i, "request \(i)"); good += 1
            switch i {
            case 100: bytes += (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }.map { $0 == 10 ? 0 : $0 } + [10]
            case 200: bytes += Array("2026-11-26T10:03:20.000Z INFO [api] caf".utf8) + [0xe9, 0x20, 0xc3, 0x28] + Array(" latency_ms=5\n".utf8); good += 1
            case 300: bytes += [UInt8](repeating: 0x61, count: 10 * 1024 * 1024) + [10]
            case 400: bytes += Array(appLine(i, "windows line").dropLast()) + [13, 10]; good += 1
            default: break
            }
        }
        let plain = dir.appendingPathComponent("app.log")
        try Data(bytes).write(to: plain)
        try TestSupport.run("/bin/sh", ["-c", "gzip '\(plain.path)'"])
        let stats = dir.appendingPathComponent("stats.json")
        let result = try TestSupport.vigil(["replay", "--stats", stats.path, plain.path + ".gz"])
        #expect(result.status == 0, "\(result.stderr)")
        let s = try JSONSerialization.jsonObject(with: Data(contentsOf: stats)) as! [String: Any]
        let failed = s["lines_failed"] as! [String: Int]
        #expect(s["lines_read"] as? Int == good + 2)
        #expect(s["lines_parsed"] as? Int == good)
        #expect(failed["too_long"] == 1)
        #expect(failed["binary"]! + failed["no_match"]! == 1)
        #expect(s["crlf_lines"] as? Int == 1)
        #expect((s["invalid_utf8_lines"] as! Int) >= 1)
    }

    @Test func parseCommandReportsUnparsedLinesWithReasons() throws {
        let input = Data("2026-11-26T10:00:00Z ERROR [api] boom status=500\nnot a log line\n\n{\"level\":\"info\"}\n".utf8)
        let result = try TestSupport.vigil(["parse", "-"], stdin: input)
        #expect(result.status == 0)
        let lines = result.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].contains(#""level":"error""#) && lines[0].contains(#""service":"api""#) && lines[0].contains(#""status":500"#))
        #expect(lines[1] == #"{"line":2,"unparsed":true,"reason":"no_match"}"#)
        #expect(lines[2] == #"{"line":3,"unparsed":true,"reason":"empty"}"#)
        #expect(lines[3] == #"{"line":4,"unparsed":true,"reason":"bad_timestamp"}"#)
    }
}
