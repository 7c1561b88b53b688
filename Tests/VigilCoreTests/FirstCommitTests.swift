import Foundation
import Testing
@testable import VigilCore

/// The first seconds of `vigil run --state`, before any periodic checkpoint: a kill there, with
/// the file rotated while vigil is down, loses no generation (RELIABILITY C6); and a first commit
/// that cannot be made durable deletes no checkpoint and lets no output out that a restart could
/// not cut back (RELIABILITY C7).
@Suite(.serialized) struct FirstCommitTests {
    typealias Bench = CheckpointTests.Bench

    /// Kills vigil once the tap holds `count` lines (or after 10 s).
    static func kill9(_ vigil: Process, bench: Bench, after count: Int) {
        for _ in 0..<200 where vigil.isRunning && bench.seqs.count < count { Thread.sleep(forTimeInterval: 0.05) }
        kill(vigil.processIdentifier, SIGKILL)
        vigil.waitUntilExit()
    }

    static func expectExactlyOnce(_ bench: Bench, _ range: Range<Int>, _ comment: Comment) {
        let seqs = bench.seqs
        #expect(range.filter { seqs[$0] == nil }.isEmpty, "\(comment): no line lost: \(bench.stderr)")
        #expect(seqs.filter { $0.value > 1 }.isEmpty, "\(comment): no line repeated")
        #expect(seqs.count == range.count, "\(comment)")
    }

    /// Issue 16 item 2: killed before its first periodic checkpoint, the file renamed (and, in the
    /// second case, compressed) while vigil is down, and a new file at the path.
    @Test(arguments: [false, true])
    func earlyKillThenRotationReadsBothGenerations(compress: Bool) throws {
        let bench = Bench()
        bench.append(0..<1000)
        var vigil = try bench.start(checkpointInterval: 60_000)
        Self.kill9(vigil, bench: bench, after: 1000)
        try FileManager.default.moveItem(atPath: bench.log, toPath: bench.log + ".1")
        if compress { #expect(try TestSupport.run("/bin/gzip", [bench.log + ".1"]).status == 0) }
        bench.append(1000..<2000)
        vigil = try bench.start()
        #expect(bench.stop(vigil, after: 2000) == 0, "\(bench.stderr)")
        Self.expectExactlyOnce(bench, 0..<2000, compress ? "renamed and compressed" : "renamed")
    }

    /// A file that appears after the first commit is named by a checkpoint soon after it is
    /// opened, not only at the next interval: rotated away while vigil is down, it is found again.
    @Test func fileOpenedAfterStartThenRotatedWhileDown() throws {
        let bench = Bench()
        var vigil = try bench.start(checkpointInterval: 60_000)
        Thread.sleep(forTimeInterval: 0.3)
        bench.append(0..<1000)
        Self.kill9(vigil, bench: bench, after: 1000)
        try FileManager.default.moveItem(atPath: bench.log, toPath: bench.log + ".1")
        bench.append(1000..<2000)
        vigil = try bench.start()
        #expect(bench.stop(vigil, after: 2000) == 0, "\(bench.stderr)")
        Self.expectExactlyOnce(bench, 0..<2000, "opened after start")
    }

    /// Issue 16 item 3: the directory fsync of the first commit fails once. The only checkpoint
    /// is not deleted, nothing is read before a commit is durable, and a kill before the next
    /// periodic commit then repeats nothing.
    @Test func firstCommitFailingOnceRepeatsNothing() throws {
        let bench = Bench()
        bench.append(0..<1000)
        var vigil = try bench.start(environment: ["VIGIL_FAULT": "dir_fsync_eio:1"], checkpointInterval: 60_000)
        Self.kill9(vigil, bench: bench, after: 1000)
        #expect(!bench.checkpoints().isEmpty, "a checkpoint stays")
        vigil = try bench.start()
        #expect(bench.stop(vigil, after: 1000) == 0, "\(bench.stderr)")
        Self.expectExactlyOnce(bench, 0..<1000, "first commit failed once")
    }

    /// The directory fsync keeps failing: vigil writes nothing to the sink or tap (no checkpoint
    /// could cut it back), and keeps the one checkpoint file it wrote.
    @Test func noOutputWhileNoCheckpointIsDurable() throws {
        let bench = Bench()
        bench.append(0..<1000)
        var vigil = try bench.start(environment: ["VIGIL_FAULT": "dir_fsync_eio:1-1000000"])
        Thread.sleep(forTimeInterval: 1.5)
        #expect(vigil.isRunning, "still retrying: \(bench.stderr)")
        #expect(bench.seqs.isEmpty, "nothing read while no checkpoint is durable")
        #expect(bench.checkpoints() == ["checkpoint.1"], "the only checkpoint is kept")
        kill(vigil.processIdentifier, SIGKILL)
        vigil.waitUntilExit()
        vigil = try bench.start()
        #expect(bench.stop(vigil, after: 1000) == 0, "\(bench.stderr)")
        Self.expectExactlyOnce(bench, 0..<1000, "commits failing from the start")
    }
}
