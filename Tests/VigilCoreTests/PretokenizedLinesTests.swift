import Foundation
import Testing
@testable import VigilCore

/// `vigil templates` finds and tokenizes messages on several threads (`--jobs`); mining must see
/// exactly what one thread would give, in the same order, with the same line numbers.
struct PretokenizedLinesTests {
    struct Seen: Equatable {
        var source: Int
        var line: Int
        var message: [UInt8]
        var hash: UInt64
    }

    static func collect(_ lines: PretokenizedLines) throws -> [Seen] {
        var seen: [Seen] = []
        while let item = try lines.next() {
            seen.append(Seen(source: item.source, line: item.lineNumber, message: Array(item.message), hash: item.sequenceHash))
        }
        return seen
    }

    /// Every labelled template dataset in one plain file (eight formats, 1.7 MB).
    static func mixedFile(in dir: URL) throws -> URL {
        var all = Data()
        for name in ["android", "apache", "app", "hdfs", "nginx_error", "openssh", "spark", "syslog"] {
            all.append(try Data(contentsOf: TemplateAccuracyTests.root.appendingPathComponent("\(name)/lines.log")))
        }
        let file = dir.appendingPathComponent("mixed.log")
        try all.write(to: file)
        return file
    }

    /// One segment per thread, and many small ones dealt round-robin (1.7 MB / 4 KiB ≈ 420).
    @Test(arguments: [(2, Int64(1 << 20)), (3, Int64(4096)), (5, Int64(4096))])
    func threadsAndSegmentsChangeNothing(jobs: Int, segmentBytes: Int64) throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.mixedFile(in: dir)
        let sources = try SourceSet.resolve([file.path])
        let rules = try RuleSet.builtin()
        let one = try Self.collect(PretokenizedLines(sources: sources, rules: rules, jobs: 1))
        let many = try Self.collect(PretokenizedLines(sources: sources, rules: rules, jobs: jobs, segmentMinimumBytes: 1024,
                                                      segmentBytes: segmentBytes))
        let expectedLines = try Data(contentsOf: file).filter { $0 == 10 }.count
        #expect(one.count == expectedLines)
        #expect(one.map(\.line) == Array(1...expectedLines))
        #expect(many == one)

        // Mined from the hashes computed on other threads, every line gets the template it gets
        // from `add` tokenizing it itself.
        var direct = TemplateMiner(), prehashed = TemplateMiner()
        for seen in one {
            let a = seen.message.withUnsafeBufferPointer { direct.add($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count).index }
            let b = seen.message.withUnsafeBufferPointer {
                prehashed.add($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count, sequenceHash: seen.hash).index
            }
            #expect(direct.template(a).id == prehashed.template(b).id)
        }
        #expect(direct.templates == prehashed.templates)
    }

    /// Line numbers start over with each file; a gzip file is one segment read by one thread.
    @Test func filesOfSeveralSourcesKeepTheirLineNumbers() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = try Self.mixedFile(in: dir)
        let small = try TestSupport.write((1...300).map { "2026-01-05T10:00:\(String(format: "%02d", $0 % 60))Z INFO [api] job \($0) done\n" }.joined(),
                                          "jobs.log", in: dir)
        try TestSupport.run("/bin/sh", ["-c", "gzip -c '\(small.path)' > '\(dir.path)/other.log.gz'"])
        let sources = try SourceSet.resolve([big.path, dir.path + "/other.log.gz", small.path])
        let rules = try RuleSet.builtin()
        let one = try Self.collect(PretokenizedLines(sources: sources, rules: rules, jobs: 1))
        let many = try Self.collect(PretokenizedLines(sources: sources, rules: rules, jobs: 3, segmentMinimumBytes: 1024, segmentBytes: 8192))
        #expect(many == one)
        let bigLines = try Data(contentsOf: big).filter { $0 == 10 }.count
        #expect(many.filter { $0.source == 0 }.map(\.line) == Array(1...bigLines))
        #expect(many.filter { $0.source == 1 }.map(\.line) == Array(1...300))
        #expect(many.filter { $0.source == 2 }.map(\.line) == Array(1...300))
        #expect(String(decoding: many.last!.message, as: UTF8.self) == "job 300 done")
    }

    /// A file gone before it is opened is an error (exit 66 in the command); a damaged gzip file
    /// is reported after the lines read before the damage, and the next file is read.
    @Test(arguments: [1, 2])
    func missingFileThrowsAndDamagedGzipIsReportedInOrder(jobs: Int) throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = (1...5000).map { "2026-01-05T10:00:00Z WARN [api] slow call \($0) took \($0 % 97) ms\n" }.joined()
        let plain = try TestSupport.write(text, "a.log", in: dir)
        try TestSupport.run("/bin/sh", ["-c", "cd '\(dir.path)' && gzip -c a.log > full.gz && head -c $(($(stat -c %s full.gz) / 2)) full.gz > damaged.log.gz"])
        let after = try TestSupport.write("2026-01-05T10:00:00Z INFO [api] after the damage\n", "b.log", in: dir)
        let rules = try RuleSet.builtin()

        let lines = PretokenizedLines(sources: try SourceSet.resolve([dir.path + "/damaged.log.gz", after.path]), rules: rules, jobs: jobs)
        var events: [String] = []
        lines.readError = { _ in events.append("error") }
        while let item = try lines.next() { events.append(String(decoding: item.message, as: UTF8.self)) }
        let errorAt = try #require(events.firstIndex(of: "error"))
        #expect(errorAt > 100)
        // The last line before the damage may be cut short.
        #expect(events[..<(errorAt - 1)].allSatisfy { $0.hasPrefix("slow call ") })
        #expect(events[(errorAt + 1)...] == ["after the damage"])

        let sources = try SourceSet.resolve([plain.path, after.path])
        try FileManager.default.removeItem(at: after)
        let gone = PretokenizedLines(sources: sources, rules: rules, jobs: jobs)
        #expect(throws: InputError.self) { _ = try Self.collect(gone) }
    }

    /// The command: output byte-identical for any `--jobs`, several files dealt to the threads.
    @Test func commandOutputDoesNotDependOnJobs() throws {
        let files = ["android", "apache", "hdfs", "openssh"].map { TemplateAccuracyTests.root.appendingPathComponent("\($0)/lines.log").path }
        let one = try TestSupport.vigil(["templates", "--jobs", "1"] + files)
        let two = try TestSupport.vigil(["templates", "--jobs", "2"] + files)
        let four = try TestSupport.vigil(["templates", "--jobs", "4"] + files)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(!one.text.isEmpty)
        #expect(two.text == one.text)
        #expect(four.text == one.text)
        let bad = try TestSupport.vigil(["templates", "--jobs", "0"] + files)
        #expect(bad.status == 64)
        // Stdin named twice is read once (the second `-` finds its end), never by two threads at once.
        let input = (1...20_000).map { "2026-01-05T10:00:00Z INFO [api] job \($0) done" }.joined(separator: "\n") + "\n"
        let twice = try TestSupport.vigil(["templates", "--jobs", "2", "-", "-"], stdin: Data(input.utf8))
        let numbers = twice.text.split(separator: "\n").compactMap { line -> Int? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object["line"] as? Int
        }
        #expect(twice.status == 0, "\(twice.stderr)")
        #expect(numbers == Array(1...20_000))
        // Nothing to read is no error, and no wait for threads that have nothing to do.
        let empty = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        let none = try TestSupport.vigil(["templates", "--jobs", "2", empty.path])
        #expect(none.status == 0, "\(none.stderr)")
        #expect(none.text.isEmpty)
    }
}
