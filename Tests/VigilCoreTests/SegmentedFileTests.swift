import Foundation
import Testing
@testable import VigilCore

/// How a large plain file is cut for several threads (`replay --jobs`, `templates --jobs`).
struct SegmentedFileTests {
    static func read(_ file: SegmentedFile, _ range: (start: Int64, end: Int64)) throws -> [UInt8] {
        let stream = RangeStream(file, start: range.start, end: range.end)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try buffer.withUnsafeMutableBufferPointer { try stream.read(into: $0.baseAddress!, capacity: $0.count) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// Cuts fall just after a newline, the segments cover the file exactly once, and a segment
    /// read after the file was replaced at its path still reads the file that was cut.
    @Test func segmentsCoverTheFileAtLineStartsAndSurviveARename() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = (1...20_000).map { "line \($0) " + String(repeating: "x", count: $0 % 50) + "\n" }.joined()
        let path = try TestSupport.write(text, "app.log", in: dir).path
        let file = try #require(SegmentedFile.open(path, atLeast: 2, minimumBytes: 1024, segmentBytes: 16 * 1024))
        #expect(file.ranges.count > 20)
        try TestSupport.write("replaced\n", "new.log", in: dir)
        #expect(rename(dir.path + "/new.log", path) == 0)
        var whole: [UInt8] = []
        for range in file.ranges {
            let bytes = try Self.read(file, range)
            #expect(bytes.last == 10)
            if range.start > 0 { #expect(Array(text.utf8)[Int(range.start) - 1] == 10) }
            whole += bytes
        }
        #expect(whole == Array(text.utf8))
    }

    /// A long stretch without a newline (the NUL hole a copytruncate leaves) is scanned once, not
    /// once per wanted cut: 256 MiB with one newline at the start is one segment.
    @Test func aLongStretchWithoutNewlineIsScannedOnce() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try TestSupport.write("first line\n", "holey.log", in: dir).path
        #expect(truncate(path, 256 << 20) == 0)
        let file = try #require(SegmentedFile.open(path, atLeast: 2, minimumBytes: 1024, segmentBytes: 1 << 20))
        #expect(file.ranges.count == 1)
        #expect(file.ranges.first?.start == 0)
    }

    /// Gzip, small files and things that are not regular files are read whole.
    @Test func onlyLargePlainRegularFilesAreCut() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = String(repeating: "2026-01-05T10:00:00Z INFO [api] ok\n", count: 1000)
        let plain = try TestSupport.write(text, "a.log", in: dir).path
        try TestSupport.run("/bin/sh", ["-c", "gzip -c '\(plain)' > '\(dir.path)/b.log.gz'"])
        #expect(SegmentedFile.open(plain, atLeast: 2, minimumBytes: 1024, segmentBytes: 4096) != nil)
        #expect(SegmentedFile.open(plain, atLeast: 2, minimumBytes: 1 << 20, segmentBytes: 4096) == nil)
        #expect(SegmentedFile.open(dir.path + "/b.log.gz", atLeast: 2, minimumBytes: 16, segmentBytes: 4096) == nil)
        #expect(SegmentedFile.open(dir.path, atLeast: 2, minimumBytes: 16, segmentBytes: 4096) == nil)
        #expect(SegmentedFile.open(dir.path + "/missing.log", atLeast: 2, minimumBytes: 16, segmentBytes: 4096) == nil)
    }
}
