import Foundation
import Testing
@testable import VigilCore

/// A stream that hands out its bytes in the chunk sizes given (cycled), to drip-feed the framer.
final class ChunkedStream: ByteStream {
    private let bytes: [UInt8]
    private let sizes: [Int]
    private var position = 0, turn = 0

    init(_ bytes: [UInt8], sizes: [Int]) { self.bytes = bytes; self.sizes = sizes }

    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        let n = min(capacity, sizes[turn % sizes.count], bytes.count - position)
        turn += 1
        for i in 0..<n { buffer[i] = bytes[position + i] }
        position += n
        return n
    }
}

@Suite struct InputTests {
    static func lines(_ bytes: [UInt8], sizes: [Int], max: Int = 64) throws -> [(String, Int, Int64, Bool)] {
        let reader = LineReader(stream: ChunkedStream(bytes, sizes: sizes), maxLineBytes: max, chunkBytes: 16)
        var out: [(String, Int, Int64, Bool)] = []
        while let line = try reader.next() {
            let text = line.tooLong ? "<too long \(line.count)>" : String(decoding: UnsafeBufferPointer(start: line.bytes, count: line.count), as: UTF8.self)
            out.append((text, line.number, line.offset, line.hadCarriageReturn))
        }
        return out
    }

    @Test(arguments: [[1], [2, 3], [7], [16], [1000], [1, 5, 13, 2]])
    func framerGivesTheSameLinesWhateverTheChunking(_ sizes: [Int]) throws {
        let long = String(repeating: "x", count: 100)
        let input = Array("one\r\ntwo\n\n\(long)\nafter long\nlast without newline".utf8)
        let got = try Self.lines(input, sizes: sizes)
        #expect(got.map(\.0) == ["one", "two", "", "<too long 100>", "after long", "last without newline"])
        #expect(got.map(\.1) == [1, 2, 3, 4, 5, 6])
        #expect(got.map(\.2) == [0, 5, 9, 10, 111, 122])
        #expect(got.map(\.3) == [true, false, false, false, false, false])
    }

    @Test func emptyInputHasNoLines() throws {
        #expect(try Self.lines([], sizes: [4]).isEmpty)
        #expect(try Self.lines(Array("\n".utf8), sizes: [4]).map(\.0) == [""])
    }

    static func gzip(_ text: String, in dir: URL, name: String) throws -> URL {
        let plain = try TestSupport.write(text, name + ".plain", in: dir)
        let result = try TestSupport.run("/bin/sh", ["-c", "gzip -c '\(plain.path)'"])
        let url = dir.appendingPathComponent(name)
        try result.stdout.write(to: url)
        return url
    }

    static func readAll(_ path: String) throws -> [String] {
        let reader = LineReader(stream: try InputOpener.open(path))
        var out: [String] = []
        while let line = try reader.next() { out.append(String(decoding: UnsafeBufferPointer(start: line.bytes, count: line.count), as: UTF8.self)) }
        return out
    }

    @Test func gzipWithSeveralMembersIsReadToTheEnd() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Self.gzip("a1\na2\n", in: dir, name: "a.gz")
        let b = try Self.gzip("b1\nb2\n", in: dir, name: "b.gz")
        let joined = dir.appendingPathComponent("joined.log.gz")
        try (try Data(contentsOf: a) + Data(contentsOf: b)).write(to: joined)
        #expect(try Self.readAll(joined.path) == ["a1", "a2", "b1", "b2"])
        // Detected by magic bytes, not by name.
        let misnamed = dir.appendingPathComponent("looks-plain.log")
        try FileManager.default.copyItem(at: joined, to: misnamed)
        #expect(try Self.readAll(misnamed.path) == ["a1", "a2", "b1", "b2"])
    }

    @Test func truncatedGzipKeepsWhatCameBeforeAndReportsIt() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = (1...2000).map { "line \($0) with some padding to compress" }.joined(separator: "\n") + "\n"
        let full = try Data(contentsOf: try Self.gzip(text, in: dir, name: "x.gz"))
        let cut = dir.appendingPathComponent("cut.gz")
        try full.prefix(full.count / 2).write(to: cut)
        let reader = LineReader(stream: try InputOpener.open(cut.path))
        var count = 0
        var failure: InputError?
        do { while try reader.next() != nil { count += 1 } } catch { failure = error }
        #expect(count > 100)
        #expect(failure?.kind == .corrupt)
    }

    @Test func missingAndUnreadablePathsAreReported() throws {
        #expect(throws: InputError.self) { _ = try SourceSet.resolve(["/nonexistent/vigil/app.log"]) }
        do { _ = try SourceSet.resolve(["/nonexistent/vigil/app.log"]) } catch { #expect(error.kind == .notFound) }
    }

    @Test func rotatedSetsAreGroupedOldestFirst() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["app.log", "app.log.1", "app.log.2.gz", "app.log.10.gz", "other.log", "web.log-20261125.gz", "web.log-20261124.gz", "web.log"] {
            try TestSupport.write("x\n", name, in: dir)
        }
        let sources = try SourceSet.resolve([dir.path])
        let byName = Dictionary(uniqueKeysWithValues: sources.map { ($0.name, $0.files.map { ($0 as NSString).lastPathComponent }) })
        #expect(byName["app.log"] == ["app.log.10.gz", "app.log.2.gz", "app.log.1", "app.log"])
        #expect(byName["web.log"] == ["web.log-20261124.gz", "web.log-20261125.gz", "web.log"])
        #expect(byName["other.log"] == ["other.log"])
        #expect(sources.first { $0.name == "app.log" }?.defaultService == "app")
        let named = try SourceSet.resolve(["checkout=\(dir.path)/other.log"])
        #expect(named == [Source(name: "checkout", defaultService: "checkout", files: [dir.path + "/other.log"])])
    }
}
