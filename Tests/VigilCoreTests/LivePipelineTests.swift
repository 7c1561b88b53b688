import Foundation
import Testing
@testable import VigilCore

/// `LivePipeline` driven in-process with a manual clock: files are changed between polls exactly
/// as rotation tools change them, and the tap must show every line exactly once.
@Suite struct LivePipelineTests {
    final class Harness {
        let dir = TestSupport.temporaryDirectory("live")
        var tapped: [String] = []
        var records: [Record] = []
        var now: EventTime = 1_000_000
        var pipeline: LivePipeline!
        var writers: [String: FileHandle] = [:]
        var seq = 0
        /// Appended to every line written (longer lines make files pass `FileHead.length` sooner).
        var padding = ""
        /// Written first to every file `write` creates (a header or banner many logs start with).
        var header = ""

        init(inputs: [String], tail: Bool = false) throws {
            var options = LivePipeline.Options(inputs: inputs.map { dir.appendingPathComponent($0).path }, rules: try RuleSet.builtin())
            options.tail = tail
            pipeline = makePipeline(options)
        }

        private func makePipeline(_ options: LivePipeline.Options) -> LivePipeline {
            LivePipeline(options: options, sink: { [unowned self] in records.append($0) }, tap: { [unowned self] tap in
                tapped.append(String(decoding: UnsafeBufferPointer(start: tap.line.bytes, count: tap.line.count), as: UTF8.self))
            })
        }

        /// A new pipeline (a restarted vigil) continuing from `checkpoint`, tapping into the same list.
        @discardableResult
        func restart(from checkpoint: Checkpoint, expectingNoProblems: Bool = true) -> [String] {
            pipeline = makePipeline(pipeline.options)
            let problems = pipeline.restore(checkpoint, now: now)
            if expectingNoProblems { #expect(problems.isEmpty) }
            return problems
        }

        /// logrotate's `create`: `name.1` becomes `name.2`, `name` becomes `name.1`, and the writer
        /// reopens `name` (created by the next write).
        func rotate(_ name: String) throws {
            if FileManager.default.fileExists(atPath: path(name + ".1")) {
                try FileManager.default.moveItem(atPath: path(name + ".1"), toPath: path(name + ".2"))
            }
            try FileManager.default.moveItem(atPath: path(name), toPath: path(name + ".1"))
            reopen(name)
        }

        deinit { try? FileManager.default.removeItem(at: dir) }

        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

        /// Appends `count` numbered lines through a descriptor kept open (like a logging library).
        func write(_ count: Int, to name: String, terminated: Bool = true) {
            if writers[name] == nil {
                _ = FileManager.default.createFile(atPath: path(name), contents: Data(header.utf8))
                writers[name] = FileHandle(forWritingAtPath: path(name))!
                writers[name]!.seekToEndOfFile()
            }
            var text = ""
            for _ in 0..<count {
                text += "2026-11-26T10:00:00.000Z INFO [api] seq=\(seq) padding-to-make-lines-longer\(padding) latency_ms=5\n"
                seq += 1
            }
            if !terminated { text.removeLast() }
            writers[name]!.write(Data(text.utf8))
        }

        func reopen(_ name: String) { writers[name] = nil }

        func poll(advance: EventTime = 100) throws {
            now += advance
            try pipeline.poll(now: now)
        }

        var seqs: [Int] {
            tapped.compactMap { line in line.range(of: "seq=").map { Int(line[$0.upperBound...].prefix { $0.isNumber })! } }
        }

        func expectExactlyOnce(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(seqs.sorted() == Array(0..<count), "tap: \(seqs.count) lines, \(Set(seqs).count) distinct", sourceLocation: sourceLocation)
        }
    }

    @Test func renameRotationDrainsTheOldFileFirst() throws {
        let h = try Harness(inputs: ["app.log"])
        h.write(50, to: "app.log")
        try h.poll()
        try FileManager.default.moveItem(atPath: h.path("app.log"), toPath: h.path("app.log.1"))
        h.write(20, to: "app.log")          // still through the old descriptor: goes to app.log.1
        let old = h.writers["app.log"]!
        h.reopen("app.log")
        h.write(30, to: "app.log")          // the new file
        try h.poll()
        old.write(Data("2026-11-26T10:00:00.000Z INFO [api] seq=100 straggler latency_ms=5\n".utf8))
        h.seq = 101
        try h.poll(advance: 6_000)          // past rotate_wait: the straggler is read
        try h.poll(advance: 6_000)          // quiet for rotate_wait since: the old file is closed
        h.expectExactlyOnce(101)
        #expect(h.pipeline.rotations == 1)
        #expect(h.pipeline.counters.linesRead == 101)
    }

    @Test func copytruncateReadsTheCopysUnreadTail() throws {
        let h = try Harness(inputs: ["app.log*"])
        h.write(40, to: "app.log")
        try h.poll()
        h.write(25, to: "app.log")          // not yet read when the copy is made
        try FileManager.default.copyItem(atPath: h.path("app.log"), toPath: h.path("app.log.1"))
        try FileHandle(forWritingAtPath: h.path("app.log"))!.truncate(atOffset: 0)
        h.writers["app.log"]!.seek(toFileOffset: 0)
        h.write(10, to: "app.log")
        try h.poll()
        try h.poll()
        h.expectExactlyOnce(75)
        #expect(h.pipeline.truncations == 1)
        #expect(h.pipeline.truncationsUnrecovered == 0)
    }

    @Test func refilledPastTheOldOffsetIsANewGeneration() throws {
        let h = try Harness(inputs: ["app.log"])
        h.write(30, to: "app.log")
        try h.poll()
        try FileHandle(forWritingAtPath: h.path("app.log"))!.truncate(atOffset: 0)
        h.writers["app.log"]!.seek(toFileOffset: 0)
        h.write(60, to: "app.log")          // longer than before: size alone does not tell
        try h.poll()
        h.expectExactlyOnce(90)
    }

    @Test func compressedGenerationIsNotReadTwice() throws {
        let h = try Harness(inputs: ["app.log*"])
        h.write(40, to: "app.log")
        try h.poll()
        try FileManager.default.moveItem(atPath: h.path("app.log"), toPath: h.path("app.log.1"))
        h.reopen("app.log")
        h.write(5, to: "app.log")
        try h.poll(advance: 6_000)
        try TestSupport.run("/bin/sh", ["-c", "gzip '\(h.path("app.log.1"))'"])
        try h.poll()
        try h.poll()
        h.expectExactlyOnce(45)
        #expect(h.pipeline.generationsSkipped >= 1)
    }

    /// Discovery runs once per poll when nothing shifts under it (it lists directories and opens
    /// every new candidate: not a thing to repeat).
    @Test func oneDiscoveryPassPerQuietPoll() throws {
        let h = try Harness(inputs: ["app.log*"])
        h.write(10, to: "app.log")
        h.write(10, to: "app.log.1")
        for _ in 0..<5 { try h.poll() }
        #expect(h.pipeline.discoveryPasses == 5)
    }

    /// R2 with a named input (no glob): two rotations between two looks. The middle generation was
    /// never seen at the path; it is found beside it (a rotated name that was not there at the
    /// start) and read before the newest. Older generations present at the start are left alone.
    @Test func rotationBurstOnANamedInputLosesNothing() throws {
        let h = try Harness(inputs: ["app.log"])
        h.write(20, to: "app.log.3")         // history: there before vigil looked, not read
        h.seq = 0
        h.tapped = []
        h.write(50, to: "app.log")
        try h.poll()
        #expect(h.seqs.count == 50)
        try h.rotate("app.log")
        h.write(50, to: "app.log")
        try h.rotate("app.log")
        h.write(50, to: "app.log")
        for _ in 0..<4 { try h.poll(advance: 600) }
        h.expectExactlyOnce(150)
    }

    /// The same while vigil is down: the checkpointed file is found two rotations on (`.2`), the
    /// generation written and rotated meanwhile (`.1`) is read after its tail and before the file
    /// now at the path; a generation that was there before vigil started (`.5`) is not read.
    @Test func generationsOfANamedInputRotatedWhileDownAreRead() throws {
        let h = try Harness(inputs: ["app.log"])
        h.write(20, to: "app.log.5")
        h.seq = 0
        h.write(50, to: "app.log")
        try h.poll()
        let checkpoint = Checkpoint(inputs: h.pipeline.inputsState, aggregator: h.pipeline.aggregatorSnapshot)
        h.write(10, to: "app.log")           // after the checkpoint: not read before the restart
        try h.rotate("app.log")
        h.write(50, to: "app.log")
        try h.rotate("app.log")
        h.write(50, to: "app.log")
        h.restart(from: checkpoint)
        for _ in 0..<4 { try h.poll(advance: 600) }
        h.expectExactlyOnce(160)
    }

    /// logrotate's copytruncate creates the copy empty and then fills it; inotify wakes vigil in
    /// between. The empty `.1` must not be followed as a new file (it would be read whole: every
    /// line of the generation twice); it is decided once it stopped changing, as a known copy.
    @Test func copyBeingMadeIsNotFollowedAsANewFile() throws {
        let h = try Harness(inputs: ["app.log*"])
        h.write(40, to: "app.log")
        try h.poll()
        _ = FileManager.default.createFile(atPath: h.path("app.log.1"), contents: nil)
        try h.poll(advance: 5)
        let copy = FileHandle(forWritingAtPath: h.path("app.log.1"))!
        copy.write(FileManager.default.contents(atPath: h.path("app.log"))!)
        try copy.close()
        try FileHandle(forWritingAtPath: h.path("app.log"))!.truncate(atOffset: 0)
        h.writers["app.log"]!.seek(toFileOffset: 0)
        h.write(5, to: "app.log")
        for _ in 0..<15 { try h.poll() }
        h.expectExactlyOnce(45)
        #expect(h.pipeline.generationsSkipped >= 1)
    }

    /// G1: a file read to 60 % is rotated and compressed (`mv app.log app.log.1 && touch app.log &&
    /// gzip app.log.1`). Running, the rest is read through the descriptor still open on the unlinked
    /// file and `app.log.1.gz` is known by its head; restarted from a checkpoint taken at 60 %, the
    /// rest is read from the archive, decompressed from the checkpoint's offset. Every line once.
    @Test(arguments: [false, true]) func halfReadFileCompressedIsFinishedOnce(restart: Bool) throws {
        let h = try Harness(inputs: ["app.log*"])
        h.write(60, to: "app.log")
        try h.poll()
        let checkpoint = Checkpoint(inputs: h.pipeline.inputsState, aggregator: h.pipeline.aggregatorSnapshot)
        h.write(40, to: "app.log")
        try FileManager.default.moveItem(atPath: h.path("app.log"), toPath: h.path("app.log.1"))
        h.reopen("app.log")
        h.write(0, to: "app.log")
        try TestSupport.run("/bin/sh", ["-c", "gzip '\(h.path("app.log.1"))'"])
        h.write(10, to: "app.log")
        if restart { h.restart(from: checkpoint) }
        for _ in 0..<3 { try h.poll(advance: 600) }
        h.expectExactlyOnce(110)
        #expect(h.pipeline.generationsLost == 0)
    }

    @Test func partialLineWaitsForItsNewline() throws {
        let h = try Harness(inputs: ["app.log"])
        h.write(3, to: "app.log", terminated: false)
        try h.poll()
        #expect(h.seqs == [0, 1])
        h.writers["app.log"]!.write(Data("\n".utf8))
        try h.poll()
        h.expectExactlyOnce(3)
    }

    @Test func newFilesUnderAGlobArePickedUpAndTailSkipsOldContent() throws {
        let h = try Harness(inputs: ["*.log"], tail: true)
        h.write(10, to: "a.log")
        try h.poll()
        #expect(h.seqs.isEmpty)             // present at startup, --tail
        h.write(5, to: "a.log")
        h.write(5, to: "b.log")             // appeared later: read from its start
        try h.poll()
        try h.poll()
        #expect(h.seqs.sorted() == Array(10..<20))
    }

    /// Quiet period: no lines, but the wall clock closes the windows, so an incident still opens.
    @Test func tickClosesWindowsWithoutNewLines() throws {
        let h = try Harness(inputs: ["app.log"])
        var text = ""
        let start = 1_795_687_200_000 as EventTime
        // 20 minutes of healthy traffic, then errors for 4 minutes, written all at once.
        for second in stride(from: 0, to: 24 * 60, by: 2) {
            let level = second >= 20 * 60 ? "ERROR" : "INFO"
            text += "\(CivilTime.format(start + EventTime(second) * 1000)) \(level) [api] request latency_ms=5\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: h.path("app.log")))
        h.now = start + 24 * 60_000
        try h.pipeline.poll(now: h.now)
        let before = h.records.count
        // Nothing more is written; five minutes of wall clock pass.
        for _ in 0..<5 { h.now += 60_000; h.pipeline.tick(now: h.now) }
        #expect(h.records.count > before)
        #expect(h.records.contains { $0.event == .opened && $0.labels["service"] == "api" })
    }

    /// After a restart, generations rotated and compressed while vigil was down are read before the
    /// current file, oldest first: decided at the first look, not after `settleTime` (by then the
    /// newer lines would have moved the watermark past theirs and made them all late).
    @Test func generationsRotatedWhileDownAreReadOldestFirst() throws {
        let dir = TestSupport.temporaryDirectory("restart-order")
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        // One line per second of event time: 20 minutes in three generations.
        func write(_ seqs: Range<Int>, to name: String) {
            let text = seqs.map { n in
                "2026-11-26T10:\(n / 600)\((n / 60) % 10):\((n % 60) / 10)\(n % 10).000Z INFO [api] seq=\(n) request served latency_ms=5\n"
            }.joined()
            _ = FileManager.default.createFile(atPath: path(name), contents: Data(text.utf8))
        }
        let options = LivePipeline.Options(inputs: [path("app.log*")], rules: try RuleSet.builtin())
        write(0..<400, to: "app.log")
        let before = LivePipeline(options: options, sink: { _ in })
        try before.poll(now: 1_000)
        let checkpoint = Checkpoint(inputs: before.inputsState, aggregator: before.aggregatorSnapshot)
        // While down: the read generation is rotated and compressed, a second one is written,
        // rotated and compressed, and a third is being written.
        try FileManager.default.moveItem(atPath: path("app.log"), toPath: path("app.log.2"))
        write(400..<800, to: "app.log.1")
        try TestSupport.run("/bin/sh", ["-c", "gzip '\(path("app.log.2"))' '\(path("app.log.1"))'"])
        write(800..<1200, to: "app.log")
        let after = LivePipeline(options: options, sink: { _ in })
        #expect(after.restore(checkpoint, now: 60_000).isEmpty)
        for step in 1...3 { try after.poll(now: 60_000 + EventTime(step) * 100) }
        #expect(after.counters.linesParsed == 800)
        #expect(after.counters.failed[.late] == nil, "\(after.counters.failed)")
    }
}
