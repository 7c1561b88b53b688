import Foundation
import Testing
@testable import VigilCore

/// Fault-matrix row B1: a 10 MB line, and a line that never ends while it is being followed.
/// Memory stays at max_line_bytes plus buffers, the line is counted as too long, and every line
/// after it (and every other file) is still processed.
@Suite(.serialized) struct LongLineTests {
    /// 5 lines, a 10 MB base64 line (random data, as in the matrix), 5 lines.
    static func fileWithTenMegabyteLine(in dir: URL) throws -> URL {
        let file = dir.appendingPathComponent("app.log")
        try TestSupport.append(Array((0..<5).map { TestSupport.appLine($0, "before \($0)") }.joined().utf8), to: file)
        try TestSupport.run("/bin/sh", ["-c", "head -c 7864320 /dev/urandom | base64 -w0 >> '\(file.path)'; echo >> '\(file.path)'"])
        try TestSupport.append(Array((0..<5).map { TestSupport.appLine(10 + $0, "after \($0)") }.joined().utf8), to: file)
        return file
    }

    @Test func tenMegabyteLineInReplayIsCountedAndSkipped() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.fileWithTenMegabyteLine(in: dir)
        let stats = dir.appendingPathComponent("stats.json")
        let result = try TestSupport.vigil(["replay", "--stats", stats.path, file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let s = try JSONSerialization.jsonObject(with: Data(contentsOf: stats)) as! [String: Any]
        #expect(s["lines_read"] as? Int == 11)
        #expect(s["lines_parsed"] as? Int == 10)
        #expect((s["lines_failed"] as! [String: Int])["too_long"] == 1)
    }

    @Test func tenMegabyteLineInAFollowedFile() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.fileWithTenMegabyteLine(in: dir)
        let vigil = try LiveVigil(["--sink", dir.appendingPathComponent("out.jsonl").path, file.path], in: dir)
        #expect(vigil.waitForTap(11), "tap: \(vigil.tapLines.count) lines; \(vigil.stderr)")
        let tapped = vigil.tapLines
        #expect(tapped.filter { $0.contains(#""reason":"too_long""#) }.count == 1)
        #expect(tapped.filter { $0.contains("after ") }.count == 5)
        // The whole line was never held: the peak stays far below its 10 MB (plus copies).
        let peak = try #require(vigil.status("VmHWM"))
        let stop = vigil.stop()
        #expect(stop.status == 0)
        #expect(stop.stderr.contains("11 lines read, 10 parsed, 1 failed (too_long 1)"), "\(stop.stderr)")
        #expect(peak < 48 * 1024, "peak RSS \(peak) kB")
    }

    /// The matrix's variant appends 1 MB a second for 10 minutes; shortened here to 48 MB in 1 MB
    /// chunks as fast as vigil reads them (the memory bound does not depend on the rate). A line
    /// held whole would take the peak past 48 MB; another file keeps flowing meanwhile.
    @Test func endlessLineKeepsMemoryBoundedAndOtherFilesFlowing() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let endless = dir.appendingPathComponent("endless.log"), other = dir.appendingPathComponent("other.log")
        try TestSupport.append(Array(TestSupport.appLine(0, "start").utf8), to: endless)
        try TestSupport.append(Array(TestSupport.appLine(0, "other 0").utf8), to: other)
        let vigil = try LiveVigil(["--sink", dir.appendingPathComponent("out.jsonl").path, dir.path + "/*.log"], in: dir)
        #expect(vigil.waitForTap(2))
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        for i in 1...48 {
            try TestSupport.append(chunk, to: endless)
            if i % 8 == 0 {
                // Lines of the other file are processed while the endless line is still open.
                try TestSupport.append(Array(TestSupport.appLine(i, "other \(i)").utf8), to: other)
                #expect(vigil.waitForTap(2 + i / 8), "other file stalled behind the endless line")
            }
        }
        try TestSupport.append(Array(("\n" + TestSupport.appLine(59, "after the endless line")).utf8), to: endless)
        #expect(vigil.waitForTap(2 + 6 + 2))
        let tapped = vigil.tapLines
        #expect(tapped.filter { $0.contains(#""reason":"too_long""#) }.count == 1)
        #expect(tapped.contains { $0.contains("after the endless line") })
        let peak = try #require(vigil.status("VmHWM"))
        #expect(vigil.stop().status == 0)
        #expect(peak < 48 * 1024, "peak RSS \(peak) kB")
    }
}
