import Foundation
import Testing
@testable import VigilCore

/// Fault-matrix row B2: invalid UTF-8, binary junk, bare CR and empty lines, and UTF-16.
///
/// Decision for UTF-16 (documented in README "Bad input"): vigil reads UTF-8 only. A UTF-16 file is
/// not decoded; its "lines" (split on the 0x0A byte of each `\n\0`) hold NUL bytes, so every one is
/// counted as failed with reason `binary` — none is parsed into a wrong record.
@Suite struct EncodingTests {
    /// Good lines around the hostile ones; returns the bytes, the number of lines and of good lines.
    static func hostileBytes() -> (bytes: [UInt8], lines: Int, good: Int) {
        var bytes: [UInt8] = []
        bytes += Array(TestSupport.appLine(0, "first").utf8)
        bytes += Array("seq=1 ".utf8) + [0xff, 0xfe, 0xc3, 0x28] + Array(" ok\n".utf8)
        // 1 MB of pseudo-random junk (deterministic, so the line count is known), then a newline.
        var state: UInt64 = 0x9e3779b97f4a7c15
        var junkLines = 1
        for _ in 0..<(1 << 20) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let byte = UInt8(truncatingIfNeeded: state >> 56)
            if byte == 10 { junkLines += 1 }
            bytes.append(byte)
        }
        bytes.append(10)
        bytes += Array("a\r\nb\rc\n\n\n".utf8)
        bytes += Array(TestSupport.appLine(1, "caf\u{e9} valid UTF-8").utf8)
        bytes += Array(TestSupport.appLine(2, "last").utf8)
        return (bytes, 1 + 1 + junkLines + 4 + 2, 3)
    }

    /// Two good app lines in UTF-16LE with a BOM, as `iconv -t UTF-16LE` plus a BOM writes them.
    static func utf16Bytes() -> [UInt8] {
        let text = TestSupport.appLine(0, "hello") + TestSupport.appLine(1, "boom")
        return [0xff, 0xfe] + text.utf16.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }
    }

    @Test func replayCountsEveryHostileLine() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = Self.hostileBytes()
        let file = dir.appendingPathComponent("app.log")
        try Data(input.bytes).write(to: file)
        let stats = dir.appendingPathComponent("stats.json")
        let result = try TestSupport.vigil(["replay", "--stats", stats.path, file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let s = try JSONSerialization.jsonObject(with: Data(contentsOf: stats)) as! [String: Any]
        let failed = s["lines_failed"] as! [String: Int]
        #expect(s["lines_read"] as? Int == input.lines)
        #expect(s["lines_parsed"] as? Int == input.good)
        #expect(failed.values.reduce(0, +) == input.lines - input.good)
        #expect(failed["empty"]! >= 2)
        #expect((s["crlf_lines"] as! Int) >= 1)                     // `a\r\n` (and any `\r\n` in the junk)
        #expect((s["invalid_utf8_lines"] as! Int) >= 2)              // the seq=1 line and the junk
        #expect(s["bytes_read"] as? Int == input.bytes.count)        // offsets exact: every byte counted once
    }

    @Test func utf16IsCountedAsBinaryNotMisparsed() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("app.log")
        try Data(Self.utf16Bytes()).write(to: file)
        // The same bytes as iconv makes them, when it is there (a reference encoder, not ours).
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/iconv") {
            let text = TestSupport.appLine(0, "hello") + TestSupport.appLine(1, "boom")
            let iconv = try TestSupport.run("/usr/bin/iconv", ["-f", "UTF-8", "-t", "UTF-16LE"], stdin: Data(text.utf8))
            #expect([0xff, 0xfe] + Array(iconv.stdout) == Self.utf16Bytes())
        }
        let stats = dir.appendingPathComponent("stats.json")
        let result = try TestSupport.vigil(["replay", "--stats", stats.path, file.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)                               // no record from mis-read lines
        let s = try JSONSerialization.jsonObject(with: Data(contentsOf: stats)) as! [String: Any]
        #expect(s["lines_parsed"] as? Int == 0)
        #expect((s["lines_failed"] as! [String: Int])["binary"] == s["lines_read"] as? Int)
        let parse = try TestSupport.vigil(["parse", file.path])
        #expect(!parse.text.contains(#""service""#))
    }

    @Test func followedFileCountsTheSameAsReplay() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = Self.hostileBytes()
        let file = dir.appendingPathComponent("app.log")
        try TestSupport.append(Array(TestSupport.appLine(0, "start").utf8), to: file)
        let vigil = try LiveVigil(["--sink", dir.appendingPathComponent("out.jsonl").path, file.path], in: dir)
        #expect(vigil.waitForTap(1))
        // Written while followed, in pieces that split multi-byte sequences and CRLF pairs.
        for piece in stride(from: 0, to: input.bytes.count, by: 65_537) {
            try TestSupport.append(input.bytes[piece..<min(piece + 65_537, input.bytes.count)], to: file)
        }
        try TestSupport.append(Self.utf16Bytes(), to: file)
        let utf16Lines = Self.utf16Bytes().filter { $0 == 10 }.count
        let total = 1 + input.lines + utf16Lines
        #expect(vigil.waitForTap(total), "tap: \(vigil.tapLines.count) of \(total)")
        let tapped = vigil.tapLines
        #expect(tapped.filter { $0.contains(#""reason":"empty""#) }.count >= 2)
        let stop = vigil.stop()
        #expect(stop.status == 0)
        // The UTF-16 text ends in `\n\0`: that last NUL is a partial line, held until more comes.
        #expect(stop.stderr.contains("\(total) lines read, \(1 + input.good) parsed"), "\(stop.stderr)")
        #expect(stop.stderr.contains(" CRLF"))
        #expect(stop.stderr.contains("invalid UTF-8"))
    }
}
