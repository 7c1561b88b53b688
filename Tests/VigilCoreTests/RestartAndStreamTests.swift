import Foundation
import Testing
@testable import VigilCore

/// `vigil run` as a process: gzip members appended across restarts, a journald cursor the new
/// journal does not hold, stdin's end, its producer's death and a slow tap, and SIGHUP/SIGTERM
/// under load (RELIABILITY G3, J2, J3, C5).
@Suite(.serialized) struct RestartAndStreamTests {
    static func lines(_ range: Range<Int>) -> String {
        range.map { "2026-03-01T00:\(String(format: "%02d:%02d", $0 / 60 % 60, $0 % 60)).000Z INFO [app] seq=\($0) request served latency_ms=\($0 % 50)\n" }.joined()
    }

    /// One gzip member holding `text`, made by the real gzip.
    static func gzipMember(_ text: String) throws -> Data {
        let result = try TestSupport.run("/bin/gzip", ["-c"], stdin: Data(text.utf8))
        #expect(result.status == 0)
        return result.stdout
    }

    /// Every seq in `range` exactly once, and nothing else.
    static func expectOnce(_ seqs: [Int: Int], _ range: Range<Int>, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let missing = range.filter { seqs[$0] == nil }
        let repeated = seqs.filter { $0.value > 1 }.keys.sorted()
        let extra = seqs.keys.filter { !range.contains($0) }.sorted()
        #expect(missing.isEmpty && repeated.isEmpty && extra.isEmpty,
                "\(missing.count) missing (first \(missing.prefix(5))), \(repeated.count) repeated (first \(repeated.prefix(5))), unexpected \(extra.prefix(5)): \(context)",
                sourceLocation: sourceLocation)
    }

    /// G3: `gzip -c a > x.gz`; run; `gzip -c b >> x.gz`; restart; `gzip -c c >> x.gz`; restart: every
    /// member is read, each restart reads only the new member, and offsets only grow.
    @Test func gzipMembersAppendedAcrossRestartsAreReadOnce() throws {
        let dir = TestSupport.temporaryDirectory("gzmembers")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("arch"), withIntermediateDirectories: true)
        let archive = dir.appendingPathComponent("arch/x.gz")
        let tap = dir.appendingPathComponent("tap.jsonl").path
        let arguments = ["--state", dir.appendingPathComponent("state").path, "--sink", dir.appendingPathComponent("out.jsonl").path,
                         "--poll-interval", "10", "--checkpoint-interval", "30", dir.appendingPathComponent("arch").path + "/*.gz"]
        for (round, range) in [0..<400, 400..<700, 700..<1000].enumerated() {
            try TestSupport.append(try Self.gzipMember(Self.lines(range)), to: archive)
            let vigil = try LiveVigil(arguments, in: dir)
            #expect(vigil.waitForTap(range.upperBound, timeout: 10), "round \(round): \(vigil.tapLines.count) lines in the tap: \(vigil.stderr)")
            let stopped = vigil.stop()
            #expect(stopped.status == 0, "\(stopped.stderr)")
            Self.expectOnce(CrashRestartTests.countSeqs(tap), 0..<range.upperBound, "round \(round)")
        }
        // The tap's offsets (decompressed) only grow: each run went on where the previous one stopped.
        let offsets = try String(contentsOfFile: tap, encoding: .utf8).split(separator: "\n").compactMap { line -> Int? in
            guard let range = line.range(of: "\"offset\":") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        #expect(offsets.count == 1000 && zip(offsets, offsets.dropFirst()).allSatisfy { $0 < $1 })
    }

    /// J2: the checkpoint's cursor belongs to another journal (another boot, a vacuumed or replaced
    /// file). journalctl accepts such a cursor and seeks near it, so `--after-cursor` would drop the
    /// entry it lands on: vigil must see that the entry is not there, warn, fall back to `--since`,
    /// and read the new journal, without hanging.
    @Test(.enabled(if: JournalResumeTests.journalRemote != nil, "systemd-journal-remote is not installed"))
    func cursorOfAnotherJournalFallsBackToSince() throws {
        let dir = TestSupport.temporaryDirectory("journalcursor")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("first.journal").path
        let second = dir.appendingPathComponent("second.journal").path
        try JournalResumeTests.append(0..<200, to: first, in: dir)
        // The other journal: entries later in time, from another systemd-journal-remote run.
        try JournalResumeTests.append(1_000..<1_200, to: second, in: dir)
        let tap = dir.appendingPathComponent("tap.jsonl").path
        func arguments(_ journal: String) -> [String] {
            ["--journal", "--journalctl-arg=--file=" + journal, "--state", dir.appendingPathComponent("state").path,
             "--sink", dir.appendingPathComponent("out.jsonl").path, "--poll-interval", "20", "--checkpoint-interval", "50"]
        }
        var vigil = try LiveVigil(arguments(first), in: dir)
        #expect(vigil.waitForTap(200, timeout: 10))
        #expect(vigil.stop().status == 0)
        vigil = try LiveVigil(arguments(second), in: dir)
        let complete = ServiceSupport.waitUntil(timeout: 10, interval: 0.1) { CrashRestartTests.countSeqs(tap).count >= 400 }
        let stopped = vigil.stop()
        #expect(complete, "the second journal was read: \(stopped.stderr)")
        #expect(stopped.status == 0)
        #expect(stopped.stderr.contains("journal cursor of the checkpoint is not valid for this journal"), "\(stopped.stderr)")
        let seqs = CrashRestartTests.countSeqs(tap)
        Self.expectOnce(seqs.filter { $0.key >= 1_000 }, 1_000..<1_200, "the other journal, from its first entry")
        Self.expectOnce(seqs.filter { $0.key < 1_000 }, 0..<200, "the first journal, not again")
    }

    /// J3 (a): `head -n 1000 gen.txt | vigil run -`: at EOF everything is processed, the tap and
    /// sink are flushed, exit 0.
    @Test func stdinEndFlushesAndExitsZero() throws {
        let dir = TestSupport.temporaryDirectory("stdinend")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gen = try TestSupport.write(Self.lines(0..<5_000), "gen.txt", in: dir)
        let tap = dir.appendingPathComponent("tap.jsonl").path
        let result = try TestSupport.run("/bin/sh", ["-c", "head -n 1000 '\(gen.path)' | exec \"$0\" run --tap '\(tap)' --sink '\(dir.path)/out.jsonl' -",
                                                     TestSupport.vigilBinary])
        #expect(result.status == 0, "\(result.stderr)")
        Self.expectOnce(CrashRestartTests.countSeqs(tap), 0..<1_000, result.stderr)
        #expect(result.stderr.contains("1000 lines read"), "\(result.stderr)")
    }

    /// J3 (b): the producer is killed mid-stream (SIGKILL) after writing half a line: vigil sees
    /// EOF, processes the partial last line as a line (R11), and exits 0.
    @Test func producerKilledMidStreamIsAnEnd() throws {
        let dir = TestSupport.temporaryDirectory("producerkill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tap = dir.appendingPathComponent("tap.jsonl").path
        let pidFile = dir.appendingPathComponent("producer.pid").path
        let producer = """
            import os, sys, time
            open(sys.argv[1], "w").write(str(os.getpid()))
            sys.stdout.write(sys.argv[2] + "2026-03-01T00:09:00.000Z INFO [app] seq=500 half a li")
            sys.stdout.flush()
            time.sleep(60)
            """
        let script = try TestSupport.write(producer, "producer.py", in: dir)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "python3 \"$1\" \"$2\" \"$3\" | exec \"$0\" run --tap \"$4\" -",
                           TestSupport.vigilBinary, script.path, pidFile, Self.lines(0..<500), tap]
        shell.standardOutput = FileHandle.nullDevice
        shell.standardError = FileHandle.nullDevice
        try shell.run()
        defer { ServiceSupport.stop(shell) }
        #expect(ServiceSupport.waitUntil(timeout: 10, interval: 0.05) { CrashRestartTests.countSeqs(tap).count >= 500 })
        #expect(shell.isRunning, "vigil waits for more while the producer lives")
        let pid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "") ?? 0
        #expect(pid > 0)
        kill(pid, SIGKILL)
        #expect(ServiceSupport.waitUntil(timeout: 5, interval: 0.05) { !shell.isRunning }, "EOF ends vigil run -")
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        Self.expectOnce(CrashRestartTests.countSeqs(tap), 0..<501, "the half line is the last line")
        #expect(try String(contentsOfFile: tap, encoding: .utf8).contains("seq=500 half a li"))
    }

    /// J3 (c): backpressure. The tap is a FIFO the test reads slowly: vigil blocks on it, stops
    /// reading stdin, the pipe fills and the producer blocks. Memory stays bounded and no line is
    /// dropped.
    @Test func slowTapBlocksTheProducerWithBoundedMemory() throws {
        let dir = TestSupport.temporaryDirectory("backpressure")
        defer { try? FileManager.default.removeItem(at: dir) }
        let count = 100_000
        let fifo = dir.appendingPathComponent("tap.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let done = dir.appendingPathComponent("producer.done").path
        let producer = try TestSupport.write("""
            import sys
            n = int(sys.argv[1])
            for i in range(0, n, 100):
                sys.stdout.write("".join(f"2026-03-01T00:00:{j % 60:02d}.000Z INFO [app] seq={j} request served latency_ms={j % 50}\\n" for j in range(i, min(n, i + 100))))
            sys.stdout.flush()
            open(sys.argv[2], "w").write("done")
            """, "producer.py", in: dir)
        let pipe = Pipe()
        let vigil = Process()
        vigil.executableURL = URL(fileURLWithPath: TestSupport.vigilBinary)
        vigil.arguments = ["run", "--tap", fifo, "--sink", dir.appendingPathComponent("out.jsonl").path, "-"]
        vigil.standardInput = pipe
        vigil.standardOutput = FileHandle.nullDevice
        vigil.standardError = FileHandle.nullDevice
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        writer.arguments = ["python3", producer.path, String(count), done]
        writer.standardOutput = pipe
        // The reader end is opened first (non-blocking), so vigil's open of the FIFO does not wait.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        _ = fcntl(reader, F_SETFL, 0)
        defer { close(reader) }
        try vigil.run()
        try writer.run()
        try pipe.fileHandleForWriting.close()
        defer { ServiceSupport.stop(writer); ServiceSupport.stop(vigil) }

        var tap = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var blockedSeen = false
        var peakKB = 0, firstKB = 0
        var lines = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
            if n < 0 { break }
            if n == 0 {
                // No writer (yet, or any more): the end only once vigil has exited.
                if !vigil.isRunning { break }
                usleep(1_000)
                continue
            }
            tap += buffer[0..<n]
            lines += buffer[0..<n].lazy.filter { $0 == 10 }.count
            // A third of the way through the tap, the producer cannot have finished: what vigil
            // and the pipes can hold is far less than the rest of the input.
            if !blockedSeen, lines >= count / 3, lines < count / 2 {
                blockedSeen = !FileManager.default.fileExists(atPath: done)
                #expect(blockedSeen, "the producer finished while the tap was a third read: no backpressure")
            }
            if let text = try? String(contentsOfFile: "/proc/\(vigil.processIdentifier)/status", encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
               let kb = Int(line.split(separator: " ").dropFirst().first ?? "") {
                peakKB = max(peakKB, kb)
                if firstKB == 0 { firstKB = kb }
            }
            usleep(1_000)                   // the slow reader
        }
        vigil.waitUntilExit()
        #expect(vigil.terminationStatus == 0)
        #expect(blockedSeen)
        let tapBytes = tap.count
        #expect(tapBytes > 16 << 20, "the tap is big enough for unbounded buffering to show: \(tapBytes) bytes")
        // Growth from the first sample (vigil running, tap open) well below what passed through.
        #expect(firstKB > 0 && peakKB - firstKB < 8 * 1024, "resident set bounded: \(firstKB) kB, then peak \(peakKB) kB while \(tapBytes >> 20) MB passed through")
        let path = dir.appendingPathComponent("tap.jsonl")
        try Data(tap).write(to: path)
        Self.expectOnce(CrashRestartTests.countSeqs(path.path), 0..<count, "no line dropped")
    }

    /// SIGHUP swaps the rules: lines in a format added to the rule directory parse from the reload
    /// on; a broken rule file is then refused with its position, and the rules in use stay.
    @Test func hangupSwapsRulesAndRefusesABrokenSet() throws {
        let dir = TestSupport.temporaryDirectory("hup-rules")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("rules")
        try FileManager.default.copyItem(at: TestSupport.packageRoot.appendingPathComponent("Rules"), to: rules)
        let log = dir.appendingPathComponent("app.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let vigil = try LiveVigil(["--rules", rules.path, "--sink", dir.appendingPathComponent("out.jsonl").path, "--poll-interval", "20", log.path], in: dir)
        func custom(_ n: Int) -> String { "CUSTOM|2026-11-26T10:00:\(String(format: "%02d", n)).000Z|api|request \(n) served\n" }
        func reasons() -> [String] { vigil.tapLines.map { $0.contains("\"reason\"") ? "failed" : "parsed" } }
        try TestSupport.append(custom(0).utf8, to: log)
        #expect(vigil.waitForTap(1))
        try Data("[format custom]\npattern = ^CUSTOM\\|(?<ts>[^|]+)\\|(?<service>[^|]+)\\|(?<message>.*)$\n".utf8)
            .write(to: rules.appendingPathComponent("0-custom.rules"))
        kill(vigil.pid, SIGHUP)
        #expect(ServiceSupport.waitUntil(timeout: 5) { vigil.stderr.contains("rules reloaded") }, "\(vigil.stderr)")
        try TestSupport.append(custom(1).utf8, to: log)
        #expect(vigil.waitForTap(2))
        // A broken file: refused with FILE:LINE:COL, the custom format still in use.
        try Data("[format broken]\npattern = (unclosed\n".utf8).write(to: rules.appendingPathComponent("1-broken.rules"))
        kill(vigil.pid, SIGHUP)
        #expect(ServiceSupport.waitUntil(timeout: 5) { vigil.stderr.contains("1-broken.rules:2:") }, "\(vigil.stderr)")
        try TestSupport.append(custom(2).utf8, to: log)
        #expect(vigil.waitForTap(3))
        #expect(reasons() == ["failed", "parsed", "parsed"], "\(vigil.tapLines)")
        #expect(vigil.stop().status == 0)
    }

    /// C5: SIGHUP three times while lines flow (rules reloaded each time), then SIGTERM: exit 0
    /// promptly; a restart then reads the rest, and no line is repeated.
    @Test func hangupsThenTerminateUnderLoadLoseAndRepeatNothing() throws {
        let dir = TestSupport.temporaryDirectory("hupterm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.log").path
        let count = 30_000
        let arguments = ["--state", dir.appendingPathComponent("state").path, "--sink", dir.appendingPathComponent("out.jsonl").path,
                         "--poll-interval", "10", "--checkpoint-interval", "100", log]
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        writer.arguments = ["python3", TestSupport.packageRoot.appendingPathComponent("Tests/VigilCoreTests/Support/loggen.py").path,
                            log, String(count), "10000", "hold"]
        var vigil = try LiveVigil(arguments, in: dir)
        try writer.run()
        defer { ServiceSupport.stop(writer) }
        let tap = vigil.tap.path
        for round in 1...3 {
            // Lines keep arriving between the hangups.
            let before = CrashRestartTests.countSeqs(tap).count
            #expect(ServiceSupport.waitUntil(timeout: 10, interval: 0.02) { CrashRestartTests.countSeqs(tap).count >= before + 2_000 })
            kill(vigil.pid, SIGHUP)
            #expect(ServiceSupport.waitUntil(timeout: 5, interval: 0.02) { vigil.stderr.components(separatedBy: "rules reloaded").count > round },
                    "reload \(round): \(vigil.stderr)")
        }
        #expect(writer.isRunning, "SIGTERM comes while lines still flow")
        let termAt = Date()
        kill(vigil.pid, SIGTERM)
        #expect(ServiceSupport.waitUntil(timeout: 3, interval: 0.02) { !vigil.process.isRunning }, "exits promptly after SIGTERM")
        let stopped = vigil.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(Date().timeIntervalSince(termAt) < 3)
        #expect(!stopped.stderr.contains("reload refused"))
        writer.waitUntilExit()
        vigil = try LiveVigil(arguments, in: dir)
        #expect(vigil.waitForTap(count, timeout: 15), "\(vigil.tapLines.count) lines: \(vigil.stderr)")
        #expect(vigil.stop().status == 0)
        Self.expectOnce(CrashRestartTests.countSeqs(tap), 0..<count, "across the SIGTERM restart")
    }
}
