import Foundation
import Testing
@testable import VigilCore

/// `vigil run --state`: crashes at each step of a commit, torn and corrupt checkpoints, a failing
/// fsync, files changed or replaced while vigil was down, and a partial line across a crash
/// (RELIABILITY C2, C3, C4, R6, R9, R11).
@Suite(.serialized) struct CheckpointTests {
    /// One state directory, log and tap; vigil started and stopped on it as a test needs.
    final class Bench {
        let dir = TestSupport.temporaryDirectory("checkpoint")
        var log: String { dir.appendingPathComponent("app.log").path }
        var tap: String { dir.appendingPathComponent("tap.jsonl").path }
        var sink: String { dir.appendingPathComponent("out.jsonl").path }
        var state: String { dir.appendingPathComponent("state").path }
        var stderrPath: String { dir.appendingPathComponent("stderr.txt").path }

        init() { _ = FileManager.default.createFile(atPath: stderrPath, contents: nil) }
        deinit { try? FileManager.default.removeItem(at: dir) }

        func start(environment: [String: String] = [:], wrapper: [String] = [], checkpointInterval: Int = 30) throws -> Process {
            let vigil = Process()
            let arguments = ["run", "--state", state, "--tap", tap, "--sink", sink, "--poll-interval", "10", "--checkpoint-interval", "\(checkpointInterval)", log]
            if wrapper.isEmpty {
                vigil.executableURL = URL(fileURLWithPath: TestSupport.vigilBinary)
                vigil.arguments = arguments
            } else {
                vigil.executableURL = URL(fileURLWithPath: wrapper[0])
                vigil.arguments = Array(wrapper.dropFirst()) + [TestSupport.vigilBinary] + arguments
            }
            var env = ProcessInfo.processInfo.environment
            for (k, v) in environment { env[k] = v }
            vigil.environment = env
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            handle.seekToEndOfFile()
            vigil.standardError = handle
            vigil.standardOutput = FileHandle.nullDevice
            try vigil.run()
            return vigil
        }

        func append(_ range: Range<Int>, to path: String? = nil) {
            let text = range.map { "2026-03-01T00:00:\(String(format: "%02d", $0 % 60)).000Z INFO [app] seq=\($0) ok latency_ms=\($0 % 50)\n" }.joined()
            let handle = FileHandle(forWritingAtPath: path ?? log) ?? {
                _ = FileManager.default.createFile(atPath: path ?? log, contents: nil)
                return FileHandle(forWritingAtPath: path ?? log)!
            }()
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try? handle.close()
        }

        var seqs: [Int: Int] { CrashRestartTests.countSeqs(tap) }

        /// Waits until the tap holds `count` distinct seqs (or a deadline), then SIGTERM.
        func stop(_ vigil: Process, after count: Int) -> Int32 {
            for _ in 0..<200 where vigil.isRunning && seqs.count < count { Thread.sleep(forTimeInterval: 0.05) }
            // Under strace, SIGTERM goes to vigil (strace's child), not to strace.
            let children = (try? String(contentsOfFile: "/proc/\(vigil.processIdentifier)/task/\(vigil.processIdentifier)/children", encoding: .utf8)) ?? ""
            let target = children.split(separator: " ").first.flatMap { Int32($0) } ?? vigil.processIdentifier
            if vigil.isRunning { kill(target, SIGTERM) }
            vigil.waitUntilExit()
            return vigil.terminationStatus
        }

        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        func checkpoints() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: state)) ?? []).filter { $0.hasPrefix("checkpoint.") }.sorted {
                (UInt64($0.dropFirst(11)) ?? 0) < (UInt64($1.dropFirst(11)) ?? 0)
            }
        }
    }

    @Test(arguments: FaultPoints.Point.allCases)
    func crashAtEveryCommitStepLosesAndRepeatsNothing(point: FaultPoints.Point) throws {
        let bench = Bench()
        bench.append(0..<2000)
        // The third commit dies at `point` (the first is at startup, the second after the backlog).
        var vigil = try bench.start(environment: ["VIGIL_FAULT": "\(point.rawValue):3"])
        var next = 2000
        // Up to 15 s: a slow disk makes commits rarer (at most a tenth of the time goes to them).
        for _ in 0..<750 where vigil.isRunning {
            bench.append(next..<next + 10)
            next += 10
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(!vigil.isRunning, "the fault point was reached")
        vigil.waitUntilExit()
        #expect(vigil.terminationReason == .uncaughtSignal)
        bench.append(next..<next + 500)
        next += 500
        vigil = try bench.start()
        #expect(bench.stop(vigil, after: next) == 0, "\(bench.stderr)")
        let seqs = bench.seqs
        #expect((0..<next).filter { seqs[$0] == nil }.isEmpty, "\(point): no line lost")
        #expect(seqs.filter { $0.value > 1 }.isEmpty, "\(point): no line repeated")
        #expect(!FileManager.default.fileExists(atPath: bench.state + "/checkpoint.tmp"))
    }

    /// strace installed and allowed to trace here (a container may forbid ptrace).
    static let straceWorks: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else { return false }
        return (try? TestSupport.run("/usr/bin/strace", ["-qq", "-o", "/dev/null", "-e", "trace=fsync", "/bin/true"]))?.status == 0
    }()

    @Test(.enabled(if: straceWorks, "strace is not installed or may not trace here"))
    func straceShowsTheDurabilityOrder() throws {
        let bench = Bench()
        bench.append(0..<500)
        let trace = bench.dir.appendingPathComponent("trace.txt").path
        let vigil = try bench.start(wrapper: ["/usr/bin/strace", "-f", "-qq", "-o", trace, "-e", "trace=openat,fsync,fdatasync,rename,renameat,renameat2"])
        #expect(bench.stop(vigil, after: 500) == 0)
        // Per commit: fsync of the sink and the tap, then of the temporary file, the rename, then
        // the directory's fsync.
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        var fds: [String: String] = [:]     // fd -> path
        var events: [String] = []
        for line in lines {
            if line.contains("openat("), let path = line.split(separator: "\"").dropFirst().first, let fd = line.split(separator: "=").last?.trimmingCharacters(in: .whitespaces) {
                fds[fd] = String(path)
            } else if line.contains("fsync("), let fd = line.split(separator: "(").last?.split(separator: ")").first {
                let path = fds[String(fd)] ?? "?"
                events.append(path.hasSuffix("out.jsonl") ? "sink" : path.hasSuffix("tap.jsonl") ? "tap" : path.hasSuffix("checkpoint.tmp") ? "tmp" : path.hasSuffix("state") ? "dir" : "other")
            } else if line.contains("rename") && line.contains("checkpoint.tmp") {
                events.append("rename")
            }
        }
        let commits = events.split(separator: "dir").map(Array.init).filter { $0.contains("rename") }
        #expect(commits.count >= 2, "\(events)")
        for commit in commits { #expect(commit.suffix(4) == ["sink", "tap", "tmp", "rename"], "\(events)") }
    }

    @Test func tornCorruptOrForeignCheckpointFallsBackToThePreviousGeneration() throws {
        for damage in ["torn", "zeroed", "version"] {
            let bench = Bench()
            bench.append(0..<1000)
            var vigil = try bench.start()
            #expect(bench.stop(vigil, after: 1000) == 0)
            bench.append(1000..<2000)
            vigil = try bench.start()
            #expect(bench.stop(vigil, after: 2000) == 0)
            let newest = bench.state + "/" + bench.checkpoints().last!
            var data = try Data(contentsOf: URL(fileURLWithPath: newest))
            switch damage {
            case "torn": data = data.prefix(37)
            case "zeroed": data.replaceSubrange(0..<min(512, data.count), with: Data(count: min(512, data.count)))
            default: data = Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "vigil-checkpoint \(Checkpoint.currentVersion) ", with: "vigil-checkpoint 9 ").utf8)
            }
            try data.write(to: URL(fileURLWithPath: newest))
            bench.append(2000..<2500)
            vigil = try bench.start()
            #expect(bench.stop(vigil, after: 2500) == 0, "\(damage): \(bench.stderr)")
            #expect(bench.stderr.contains("checkpoint not usable, using the previous generation"), "\(damage): \(bench.stderr)")
            let seqs = bench.seqs
            #expect((0..<2500).filter { seqs[$0] == nil }.isEmpty, "\(damage): no line lost")
            #expect(seqs.filter { $0.value > 1 }.isEmpty, "\(damage): the tap was cut back with the older generation, no repeat")
        }
    }

    @Test(.enabled(if: straceWorks, "strace is not installed or may not trace here"))
    func failingFsyncNeverAdvancesTheCheckpoint() throws {
        let bench = Bench()
        bench.append(0..<1000)
        // Every fsync from the 9th on (after two good commits) fails with EIO: nothing after that may be acknowledged.
        let vigil = try bench.start(wrapper: ["/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e", "inject=fsync:error=EIO:when=9+"])
        bench.append(1000..<1500)
        let status = bench.stop(vigil, after: 1500)
        #expect(status == 74, "an fsync that fails is an I/O error: \(bench.stderr)")
        let generations = bench.checkpoints()
        // Restart without the fault: the last good checkpoint is used, and nothing is repeated.
        let again = try bench.start()
        #expect(bench.stop(again, after: 1500) == 0, "\(bench.stderr)")
        let seqs = bench.seqs
        #expect(!generations.isEmpty)
        #expect((0..<1500).filter { seqs[$0] == nil }.isEmpty)
        #expect(seqs.filter { $0.value > 1 }.isEmpty)
    }

    @Test func fileTruncatedAndRewrittenWhileStoppedIsReadFromItsStart() throws {
        let bench = Bench()
        bench.append(0..<1000)
        var vigil = try bench.start()
        #expect(bench.stop(vigil, after: 1000) == 0)
        // (a) truncated and 5 lines written while vigil was stopped: those 5 are read, once.
        try Data().write(to: URL(fileURLWithPath: bench.log))
        bench.append(5000..<5005)
        vigil = try bench.start()
        #expect(bench.stop(vigil, after: 1005) == 0)
        vigil = try bench.start()
        #expect(bench.stop(vigil, after: 1005) == 0)
        // (b) same inode, longer, other content: read from 0, not from the stale offset.
        let longer = (0..<2000).map { "2026-03-01T00:01:00.000Z INFO [app] seq=\(10_000 + $0) other content\n" }.joined()
        let handle = FileHandle(forUpdatingAtPath: bench.log)!
        handle.truncateFile(atOffset: 0)
        handle.write(Data(longer.utf8))
        try handle.close()
        vigil = try bench.start()
        #expect(bench.stop(vigil, after: 3005) == 0)
        let seqs = bench.seqs
        #expect(seqs.count == 3005, "\(bench.stderr)")
        #expect(seqs.filter { $0.value > 1 }.isEmpty)
    }

    @Test func reusedInodeIsANewFile() throws {
        let bench = Bench()
        bench.append(0..<100)
        var vigil = try bench.start()
        #expect(bench.stop(vigil, after: 100) == 0)
        // Deleted and a new file created under the same name (ext4 hands out the same inode at once).
        try FileManager.default.removeItem(atPath: bench.log)
        bench.append(200..<205)
        vigil = try bench.start()
        #expect(bench.stop(vigil, after: 105) == 0)
        let seqs = bench.seqs
        #expect((200..<205).allSatisfy { seqs[$0] == 1 }, "the new file is read from its start: \(bench.stderr)")
        #expect(seqs.count == 105)
    }

    /// `--sink /dev/null` and `--tap /dev/null` with `--state` (issue 16 item 4): a character device
    /// is written but not fsynced (fsync fails on it with EINVAL) and has no length to commit.
    @Test func characterDeviceSinkAndTapAreNotFsynced() throws {
        let bench = Bench()
        bench.append(0..<100)
        // The second run continues from the checkpoint: nothing more to read.
        for expected in [100, 0] {
            let vigil = try LiveVigil(["--state", bench.state, "--sink", "/dev/null", "--tap", "/dev/null",
                                       "--poll-interval", "10", "--checkpoint-interval", "30", bench.log], in: bench.dir, tap: false)
            Thread.sleep(forTimeInterval: 0.5)
            #expect(vigil.process.isRunning, "\(vigil.stderr)")
            let (status, stderr) = vigil.stop()
            #expect(status == 0, "\(stderr)")
            #expect(stderr.contains("vigil run: \(expected) lines read"), "\(stderr)")
        }
        #expect(!bench.checkpoints().isEmpty)
    }

    @Test func partialLineAcrossAKillIsOneLine() throws {
        let bench = Bench()
        bench.append(0..<10)
        let handle = FileHandle(forWritingAtPath: bench.log)!
        handle.seekToEndOfFile()
        handle.write(Data("2026-03-01T00:00:59.000Z INFO [app] seq=10 abc".utf8))
        var vigil = try bench.start()
        for _ in 0..<100 where bench.seqs.count < 10 { Thread.sleep(forTimeInterval: 0.05) }
        Thread.sleep(forTimeInterval: 0.2)   // past a few commits with the partial line pending
        kill(vigil.processIdentifier, SIGKILL)
        vigil.waitUntilExit()
        handle.write(Data("def\n".utf8))
        try handle.close()
        vigil = try bench.start()
        #expect(bench.stop(vigil, after: 11) == 0)
        let text = try String(contentsOfFile: bench.tap, encoding: .utf8)
        #expect(text.components(separatedBy: "seq=10 abcdef").count == 2, "exactly one line abcdef: \(text.suffix(500))")
        #expect(bench.seqs.count == 11 && bench.seqs.values.allSatisfy { $0 == 1 })
    }
}

/// The sink, tap and state on a file system that fills up (a size-limited tmpfs): inputs are held,
/// nothing unwritten is acknowledged, and once space returns vigil goes on without loss or
/// repetition; if it never returns, exit 74, and a restart still loses nothing (RELIABILITY F5).
@Suite(.serialized) struct DiskFullTests {
    /// A 2 MiB tmpfs mounted for the test (root only; nil when mounting is not allowed here).
    static func mountSmallFileSystem(at dir: URL) -> URL? {
        let mountPoint = dir.appendingPathComponent("full")
        try? FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard let result = try? TestSupport.run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.path]), result.status == 0 else { return nil }
        return mountPoint
    }

    static let canMount: Bool = {
        let dir = TestSupport.temporaryDirectory("mount-probe")
        defer { try? FileManager.default.removeItem(at: dir) }
        guard let point = mountSmallFileSystem(at: dir) else { return false }
        _ = try? TestSupport.run("/bin/umount", [point.path])
        return true
    }()

    /// Fills the file system but for `free` bytes.
    static func fill(_ point: URL, leaving free: Int) throws {
        var info = statvfs()
        statvfs(point.path, &info)
        let available = Int(info.f_bavail) * Int(info.f_frsize)
        try Data(count: max(0, available - free)).write(to: point.appendingPathComponent("filler"))
    }

    func run(giveUp: Bool) throws {
        let bench = CheckpointTests.Bench()
        guard let point = Self.mountSmallFileSystem(at: bench.dir) else { return }
        defer { _ = try? TestSupport.run("/bin/umount", ["-l", point.path]) }
        bench.append(0..<3000)
        try Self.fill(point, leaving: 64 * 1024)
        let vigil = Process()
        vigil.executableURL = URL(fileURLWithPath: TestSupport.vigilBinary)
        let sink = point.appendingPathComponent("out.jsonl").path, tap = point.appendingPathComponent("tap.jsonl").path
        let arguments = ["run", "--state", point.appendingPathComponent("state").path, "--sink", sink, "--tap", tap,
                         "--poll-interval", "10", "--checkpoint-interval", "30", "--io-timeout", giveUp ? "1" : "60", bench.log]
        vigil.arguments = arguments
        let stderr = Pipe()
        vigil.standardError = stderr
        vigil.standardOutput = FileHandle.nullDevice
        try vigil.run()
        if giveUp {
            vigil.waitUntilExit()
            let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(vigil.terminationStatus == 74, "\(message)")
            #expect(message.contains("No space left on device"), "\(message)")
        } else {
            // Held while full: the tap stops short of the input.
            Thread.sleep(forTimeInterval: 1)
            #expect(vigil.isRunning)
            #expect(CrashRestartTests.countSeqs(tap).count < 3000)
        }
        try FileManager.default.removeItem(at: point.appendingPathComponent("filler"))
        let again: Process
        if giveUp {
            again = Process()
            again.executableURL = URL(fileURLWithPath: TestSupport.vigilBinary)
            again.arguments = arguments
            again.standardError = FileHandle.nullDevice
            again.standardOutput = FileHandle.nullDevice
            try again.run()
        } else {
            again = vigil
        }
        for _ in 0..<200 where CrashRestartTests.countSeqs(tap).count < 3000 { Thread.sleep(forTimeInterval: 0.05) }
        again.terminate()
        again.waitUntilExit()
        #expect(again.terminationStatus == 0)
        let seqs = CrashRestartTests.countSeqs(tap)
        #expect((0..<3000).filter { seqs[$0] == nil }.isEmpty, "no line lost")
        #expect(seqs.filter { $0.value > 1 }.isEmpty, "no line repeated")
        // Every line of the tap is whole JSON (no torn record left by the full disk).
        let lines = try String(contentsOfFile: tap, encoding: .utf8).split(separator: "\n")
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
    }

    @Test(.enabled(if: canMount, "mounting a tmpfs needs root"))
    func inputsAreHeldUntilSpaceReturns() throws { try run(giveUp: false) }

    @Test(.enabled(if: canMount, "mounting a tmpfs needs root"))
    func givesUpWithExit74AndARestartLosesNothing() throws { try run(giveUp: true) }

    /// `/readyz` answers 503 while the inputs are held by the full disk, 200 again once they go on
    /// (issue 16 item 4: it stayed ready).
    @Test(.enabled(if: canMount, "mounting a tmpfs needs root"))
    func notReadyWhileInputsAreHeld() throws {
        let bench = CheckpointTests.Bench()
        guard let point = Self.mountSmallFileSystem(at: bench.dir) else { return }
        defer { _ = try? TestSupport.run("/bin/umount", ["-l", point.path]) }
        bench.append(0..<3000)
        try Self.fill(point, leaving: 64 * 1024)
        let port = ServiceSupport.freePort()
        let tap = point.appendingPathComponent("tap.jsonl").path
        let vigil = try ServiceSupport.start(TestSupport.vigilBinary, [
            "run", "--state", point.appendingPathComponent("state").path, "--sink", point.appendingPathComponent("out.jsonl").path,
            "--tap", tap, "--listen", "127.0.0.1:\(port)", "--poll-interval", "10", bench.log,
        ], log: bench.dir.appendingPathComponent("vigil.err"))
        defer { ServiceSupport.stop(vigil) }
        // Held (the metric says so), and then not ready.
        #expect(ServiceSupport.waitUntil(timeout: 10) { ServiceSupport.http(port, "/metrics")?.body.contains("\nvigil_input_paused 1") == true })
        let readyz = ServiceSupport.http(port, "/readyz")
        #expect(readyz?.status == 503, "\(readyz.map { "\($0.status) \($0.body)" } ?? "no answer")")
        #expect(readyz?.body.contains("inputs held") == true)
        try FileManager.default.removeItem(at: point.appendingPathComponent("filler"))
        #expect(ServiceSupport.waitUntil(timeout: 10) { ServiceSupport.http(port, "/readyz")?.status == 200 }, "ready again")
        #expect(ServiceSupport.waitUntil(timeout: 10) { CrashRestartTests.countSeqs(tap).count == 3000 })
    }
}
