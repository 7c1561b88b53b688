import Foundation
import Testing
@testable import VigilCore

/// Rotation and identity edge cases of the fault matrix, driven in-process with a manual clock
/// (RELIABILITY R2, R4, R7, R8, R10, G2): the files are changed between two polls exactly as the
/// rotation tools and writers change them, and the tap must show every line exactly once.
@Suite struct RotationEdgeTests {
    typealias Harness = LivePipelineTests.Harness

    /// Every seq in `0..<count` exactly once, reported briefly (how many missing and repeated).
    static func expectOnce(_ h: Harness, _ count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        var seen: [Int: Int] = [:]
        for seq in h.seqs { seen[seq, default: 0] += 1 }
        let missing = (0..<count).filter { seen[$0] == nil }
        let repeated = seen.filter { $0.value > 1 }.keys.sorted()
        let extra = seen.keys.filter { $0 < 0 || $0 >= count }.sorted()
        #expect(missing.isEmpty && repeated.isEmpty && extra.isEmpty,
                "\(missing.count) missing (first \(missing.prefix(5))), \(repeated.count) repeated (first \(repeated.prefix(5))), unexpected \(extra.prefix(5))",
                sourceLocation: sourceLocation)
    }

    /// R2: three `create` rotations (`mv .1 .2; mv app.log .1; touch app.log`, 100 lines each)
    /// between two polls: the generations at `.1` and `.2` were never seen at `app.log`, and are
    /// read once all the same.
    @Test func rotationBurstBetweenTwoPollsReadsEveryGenerationOnce() throws {
        let h = try Harness(inputs: ["app.log*"])
        h.write(100, to: "app.log")
        try h.poll()
        for _ in 0..<3 {
            if FileManager.default.fileExists(atPath: h.path("app.log.1")) {
                _ = try TestSupport.run("/bin/mv", ["-f", h.path("app.log.1"), h.path("app.log.2")])
            }
            try FileManager.default.moveItem(atPath: h.path("app.log"), toPath: h.path("app.log.1"))
            h.reopen("app.log")
            h.write(100, to: "app.log")
        }
        for _ in 0..<4 { try h.poll(advance: 2_000) }
        Self.expectOnce(h, 400)
    }

    /// R4: copytruncate with a writer that did not open with O_APPEND: after `truncate -s 0` it
    /// writes at its old offset, so the file starts with a hole of NUL bytes. The hole is skipped
    /// and counted, the lines after it are parsed, and no giant NUL "line" comes out.
    @Test(arguments: [false, true])
    func sparseHoleAfterCopytruncateIsSkipped(pollBetween: Bool) throws {
        let h = try Harness(inputs: ["app.log"])
        h.write(100, to: "app.log")                   // ~9 KB, through a descriptor without O_APPEND
        try h.poll()
        try TestSupport.run("/usr/bin/truncate", ["-s", "0", h.path("app.log")])
        if pollBetween { try h.poll() }               // the tailer sees the empty file first, or not
        h.write(50, to: "app.log")                    // at the writer's old offset: a NUL hole before
        try h.poll()
        try h.poll()
        Self.expectOnce(h, 150)
        #expect(h.tapped.allSatisfy { !$0.contains("\0") }, "no line holds NUL bytes")
        #expect(h.tapped.count == 150, "no extra line made of the hole")
        #expect(h.pipeline.counters.linesParsed == 150, "the lines after the hole parse")
        #expect(h.pipeline.counters.nulBytesSkipped > 8_000, "the hole is counted: \(h.pipeline.counters.nulBytesSkipped)")
    }

    /// R7: the file is deleted while its writer goes on writing for ten seconds (longer than
    /// rotate_wait): everything written to the unlinked inode is read, and the descriptor is
    /// closed once the writer has been quiet for rotate_wait (no `(deleted)` entry left).
    @Test func deletedFileIsReadToItsEndThenClosed() throws {
        let h = try Harness(inputs: ["app.log"])
        h.write(50, to: "app.log")
        try h.poll()
        try FileManager.default.removeItem(atPath: h.path("app.log"))
        for _ in 0..<10 {
            h.write(10, to: "app.log")                // the held descriptor: the unlinked inode
            try h.poll(advance: 1_000)
        }
        try h.writers["app.log"]!.close()
        h.writers["app.log"] = nil
        Self.expectOnce(h, 150)
        try h.poll(advance: 6_000)
        Self.expectOnce(h, 150)
        #expect(Self.deletedDescriptors(under: h.dir.path) == 0, "no descriptor left on the deleted file")
    }

    /// Descriptors of this process on deleted files under `dir` (`/proc/self/fd` links).
    static func deletedDescriptors(under dir: String) -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { fd in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd) else { return false }
            return target.hasPrefix(dir) && target.hasSuffix("(deleted)")
        }.count
    }

    /// R8: Kubernetes' layout: `containers/a.log -> pods/p/0.log`; the kubelet rotates the target
    /// (rename, new `0.log`), then the link is pointed at another pod's file with `ln -sfn`. Both
    /// directories are inputs (so the link may lead into `pods/`): every line once.
    @Test func kubernetesSymlinkRotationFollowsTheTarget() throws {
        let h = try Harness(inputs: ["containers/*.log", "pods/*/*.log"])
        for dir in ["containers", "pods/p", "pods/p2"] {
            try FileManager.default.createDirectory(atPath: h.path(dir), withIntermediateDirectories: true)
        }
        h.write(100, to: "pods/p/0.log")
        try FileManager.default.createSymbolicLink(atPath: h.path("containers/a.log"), withDestinationPath: h.path("pods/p/0.log"))
        try h.poll()
        #expect(h.pipeline.pathsRefused == 0)
        h.write(20, to: "pods/p/0.log")
        // The kubelet rotates the target.
        try FileManager.default.moveItem(atPath: h.path("pods/p/0.log"), toPath: h.path("pods/p/0.log.20261126-100000"))
        h.write(10, to: "pods/p/0.log")     // through the runtime's old descriptor: the renamed file
        h.reopen("pods/p/0.log")
        h.write(30, to: "pods/p/0.log")
        try h.poll()
        try h.poll()
        // The container restarts in another pod directory: the link is retargeted.
        h.write(40, to: "pods/p2/0.log")
        _ = try TestSupport.run("/bin/ln", ["-sfn", h.path("pods/p2/0.log"), h.path("containers/a.log")])
        try h.poll()
        h.write(25, to: "pods/p2/0.log")
        for _ in 0..<3 { try h.poll(advance: 3_000) }
        Self.expectOnce(h, 225)
        #expect(h.pipeline.pathsRefused == 0)
    }

    /// R10: twenty files that share a 200-byte header are read fully and independently; an empty
    /// file and a one-byte file are read once they have content, from their start, once.
    @Test func sharedHeadersEmptyAndTinyFiles() throws {
        let h = try Harness(inputs: ["*.csv", "*.log"])
        let header = "# " + String(repeating: "timestamp,level,service,message,latency;", count: 5).prefix(197) + "\n"
        #expect(header.utf8.count == 200)
        for i in 0..<20 {
            h.write(0, to: "f\(i).csv")
            h.writers["f\(i).csv"]!.write(Data(header.utf8))
            h.write(30, to: "f\(i).csv")
        }
        _ = FileManager.default.createFile(atPath: h.path("empty.log"), contents: nil)
        try TestSupport.append(Array("x".utf8), to: h.dir.appendingPathComponent("tiny.log"))
        try h.poll()
        try h.poll()
        Self.expectOnce(h, 600)
        let headers = h.tapped.filter { $0.hasPrefix("# timestamp") }
        #expect(headers.count == 20, "each file's header is its own line")
        #expect(!h.tapped.contains { $0.hasPrefix("x") }, "a partial line is not a line yet")
        // Content arrives later: the tiny file completes its line and grows past 5 KB.
        h.writers["tiny.log"] = FileHandle(forWritingAtPath: h.path("tiny.log"))!
        h.writers["tiny.log"]!.seekToEndOfFile()
        h.writers["tiny.log"]!.write(Data("yz\n".utf8))
        h.write(60, to: "tiny.log")
        h.write(60, to: "empty.log")
        try h.poll()
        try h.poll()
        Self.expectOnce(h, 720)
        #expect(h.tapped.filter { $0 == "xyz" }.count == 1, "the tiny file is read from its start, once")
        #expect(h.pipeline.generationsSkipped == 0)
        #expect(h.pipeline.counters.sourceErrors.isEmpty, "\(h.pipeline.counters.sourceErrors)")
    }

    /// G2: an archive still being written (`gzip -c big | slow writer > arch/app.log.2.gz`): looked at
    /// while it ends in the middle of a member, it is read as far as it goes and continued as it
    /// grows: every line once, none lost.
    @Test func archiveStillBeingWrittenIsReadOnceInTheEnd() throws {
        let h = try Harness(inputs: ["arch/*.gz"])
        try FileManager.default.createDirectory(atPath: h.path("arch"), withIntermediateDirectories: true)
        h.write(3_000, to: "big.log")
        let gz = try TestSupport.run("/bin/sh", ["-c", "gzip -c '\(h.path("big.log"))'"]).stdout
        #expect(gz.count > 4_096)
        let archive = h.path("arch/app.log.2.gz")
        _ = FileManager.default.createFile(atPath: archive, contents: nil)
        let writer = FileHandle(forWritingAtPath: archive)!
        // A slow writer: a chunk, then polls that see it unchanged for over a second (so it is read
        // as it is: an archive is decided once it kept its size for `settleTime`).
        var sent = 0
        while sent < gz.count {
            let chunk = gz[gz.startIndex + sent ..< gz.startIndex + min(gz.count, sent + 512)]
            writer.write(chunk)
            sent += chunk.count
            try h.poll(advance: 600)
            try h.poll(advance: 600)
        }
        try writer.close()
        try h.poll(advance: 600)
        try h.poll(advance: 600)
        Self.expectOnce(h, 3_000)
    }
}
