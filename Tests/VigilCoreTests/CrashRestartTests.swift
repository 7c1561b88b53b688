import Foundation
import Testing
@testable import VigilCore

/// `vigil run --state` killed with SIGKILL 50 times at random moments while a writer appends 5,000 lines a
/// second and the real `logrotate` rotates the file (create, compress, delaycompress): after
/// restarting it each time, the tap must hold every line exactly once and the records must be
/// those of a run that was never interrupted (RELIABILITY C1).
@Suite(.serialized) struct CrashRestartTests {
    static let logrotate = LogrotateTests.logrotate
    static let lines = 50_000

    struct Session {
        var seqs: [Int: Int]
        /// Records without `emitted_at`, evidence reduced to time and text (line numbers and
        /// offsets depend on when logrotate happened to rotate, which differs between runs).
        var records: [String]
        var stderr: String
        var kills: Int
        var cutBack: Int
    }

    static func normalized(_ line: Substring) -> String {
        guard var record = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return "unparsable: \(line)" }
        record["emitted_at"] = nil
        if let evidence = record["evidence"] as? [[String: Any]] {
            record["evidence"] = evidence.map { ["ts": $0["ts"] ?? "", "line": $0["line"] ?? ""] }
        }
        let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func session(kills: Int, seed: UInt64) throws -> Session {
        let dir = TestSupport.temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.log").path
        let conf = try TestSupport.write("\(log) {\nrotate 100\ncreate\ncompress\ndelaycompress\nmissingok\nnomail\n}\n", "lr.conf", in: dir)
        let tap = dir.appendingPathComponent("tap.jsonl").path
        let sink = dir.appendingPathComponent("out.jsonl").path
        let stderrPath = dir.appendingPathComponent("stderr.txt").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))

        func start() throws -> Process {
            let vigil = Process()
            vigil.executableURL = URL(fileURLWithPath: TestSupport.vigilBinary)
            vigil.arguments = ["run", "--state", dir.appendingPathComponent("state").path, "--tap", tap, "--sink", sink,
                               "--poll-interval", "20", "--checkpoint-interval", "200", log + "*"]
            vigil.standardError = stderr
            vigil.standardOutput = FileHandle.nullDevice
            try vigil.run()
            return vigil
        }
        var vigil = try start()
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        writer.arguments = ["python3", TestSupport.packageRoot.appendingPathComponent("Tests/VigilCoreTests/Support/crashload.py").path,
                            log, String(lines), "5000", "15000", "17000"]
        try writer.run()
        var random = SplitMix64(seed: seed)
        var killed = 0
        var lastRotation = Date()
        while writer.isRunning {
            Thread.sleep(forTimeInterval: 0.15 + Double(random.next() % 350) / 1000)
            if Date().timeIntervalSince(lastRotation) >= 1 {
                try TestSupport.run(logrotate!, ["-f", "-s", dir.appendingPathComponent("lr.state").path, conf.path])
                lastRotation = Date()
            }
            if killed < kills {
                kill(vigil.processIdentifier, SIGKILL)
                vigil.waitUntilExit()
                killed += 1
                vigil = try start()
            }
        }
        // Kills left over (the writer was quicker): while vigil catches up.
        while killed < kills {
            Thread.sleep(forTimeInterval: 0.1 + Double(random.next() % 200) / 1000)
            kill(vigil.processIdentifier, SIGKILL)
            vigil.waitUntilExit()
            killed += 1
            vigil = try start()
        }
        // Until vigil has read everything (every seq in the tap), then SIGTERM.
        var seqs: [Int: Int] = [:]
        for _ in 0..<150 {
            Thread.sleep(forTimeInterval: 0.2)
            seqs = countSeqs(tap)
            if seqs.count >= lines { break }
        }
        vigil.terminate()
        vigil.waitUntilExit()
        try stderr.close()
        let messages = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        #expect(vigil.terminationStatus == 0, "\(messages)")
        seqs = countSeqs(tap)
        let records = try String(contentsOfFile: sink, encoding: .utf8).split(separator: "\n").map(normalized)
        return Session(seqs: seqs, records: records, stderr: messages, kills: killed,
                       cutBack: messages.components(separatedBy: "written after the last checkpoint").count - 1)
    }

    /// How often each `seq=N` occurs in a tap (a byte scan: tests call it in polling loops).
    static func countSeqs(_ tap: String) -> [Int: Int] {
        var seqs: [Int: Int] = [:]
        guard let data = FileManager.default.contents(atPath: tap) else { return seqs }
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            let n = bytes.count
            var i = 0
            var lineHasSeq = false
            while i < n {
                let b = bytes[i]
                if b == 10 { lineHasSeq = false; i += 1; continue }
                if !lineHasSeq, b == UInt8(ascii: "s"), i + 4 < n, bytes[i + 1] == UInt8(ascii: "e"), bytes[i + 2] == UInt8(ascii: "q"),
                   bytes[i + 3] == UInt8(ascii: "=") {
                    var j = i + 4
                    var value = 0
                    while j < n, bytes[j] >= 48, bytes[j] <= 57 { value = value * 10 + Int(bytes[j] - 48); j += 1 }
                    if j > i + 4 { seqs[value, default: 0] += 1; lineHasSeq = true }
                    i = j
                    continue
                }
                i += 1
            }
        }
        return seqs
    }

    @Test(.enabled(if: logrotate != nil, "logrotate is not installed (apt-get install logrotate)"))
    func killNineFiftyTimesLosesRepeatsAndChangesNothing() throws {
        let reference = try Self.session(kills: 0, seed: 1)
        let crashed = try Self.session(kills: 50, seed: 0x5eed)
        for session in [reference, crashed] {
            let duplicates = session.seqs.filter { $0.value > 1 }.count
            let missing = (0..<Self.lines).filter { session.seqs[$0] == nil }.count
            #expect(duplicates == 0, "kills \(session.kills): \(session.stderr.suffix(2000))")
            #expect(missing == 0, "kills \(session.kills): \(session.stderr.suffix(2000))")
        }
        #expect(crashed.kills == 50)
        // The load holds an error spike: incidents open and resolve, some across a kill.
        #expect(reference.records.contains { $0.contains("\"event\":\"opened\"") })
        #expect(reference.records.contains { $0.contains("\"event\":\"resolved\"") })
        #expect(crashed.records == reference.records)
        print("crash test: \(crashed.kills) kills, \(crashed.cutBack) restarts cut a torn sink tail back, \(crashed.records.count) records as in the uninterrupted run")
    }
}

/// Detection latency of `vigil run` (with --state checkpoints on): from writing the line whose
/// event time closes the step that completes an incident's condition, to the `opened` record in
/// the sink. The issue asks for under a second; the figure is printed for the notes.
@Suite(.serialized) struct DetectionLatencyTests {
    @Test func lineToRecordLatency() throws {
        let dir = TestSupport.temporaryDirectory("latency")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.log").path
        let sink = dir.appendingPathComponent("out.jsonl").path
        // 26 minutes of traffic with an error burst from minute 25 (see crashload.py).
        let load = try TestSupport.run("/usr/bin/env", ["python3", TestSupport.packageRoot.appendingPathComponent("Tests/VigilCoreTests/Support/crashload.py").path,
                                                        log, "16000", "10000000", "15000", "17000"])
        #expect(load.status == 0)
        let vigil = Process()
        vigil.executableURL = URL(fileURLWithPath: TestSupport.vigilBinary)
        vigil.arguments = ["run", "--state", dir.appendingPathComponent("state").path, "--sink", sink, log]
        vigil.standardError = FileHandle.nullDevice
        vigil.standardOutput = FileHandle.nullDevice
        try vigil.run()
        defer { vigil.terminate(); vigil.waitUntilExit() }
        func opened() -> Bool { (try? String(contentsOfFile: sink, encoding: .utf8))?.contains("\"event\":\"opened\"") ?? false }
        // Caught up: the checkpoint has seen all 16,000 lines (no incident yet: its step is open).
        Thread.sleep(forTimeInterval: 1.5)
        #expect(!opened())
        var latencies: [Double] = []
        let handle = FileHandle(forWritingAtPath: log)!
        handle.seekToEndOfFile()
        let began = Date()
        // 00:28:00 — the watermark (minus 1 min lateness) passes minute 26: the spike opens.
        handle.write(Data("2026-03-01T00:28:00.000Z ERROR [checkout] seq=16000 payment gateway timeout order=1 latency_ms=200\n".utf8))
        try handle.close()
        while !opened(), Date().timeIntervalSince(began) < 10 { usleep(1000) }
        latencies.append(Date().timeIntervalSince(began) * 1000)
        #expect(opened())
        #expect(latencies[0] < 5_000, "sanity bound; the goal is under 1,000 ms")
        print("detection latency (line written → opened record in the sink): \(Int(latencies[0])) ms")
    }
}

/// inotify: with a 10-second poll interval, a line written to a followed file is still read at
/// once (the directory watch wakes the loop); without it the wait would be the interval.
@Suite(.serialized) struct ChangeWaiterTests {
    @Test func aWriteWakesTheLoop() throws {
        let dir = TestSupport.temporaryDirectory("inotify")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.log").path
        let tap = dir.appendingPathComponent("tap.jsonl").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let vigil = Process()
        vigil.executableURL = URL(fileURLWithPath: TestSupport.vigilBinary)
        vigil.arguments = ["run", "--tap", tap, "--sink", "/dev/null", "--poll-interval", "10000", log]
        vigil.standardError = FileHandle.nullDevice
        try vigil.run()
        defer { vigil.terminate(); vigil.waitUntilExit() }
        Thread.sleep(forTimeInterval: 0.5)   // started and waiting
        let handle = FileHandle(forWritingAtPath: log)!
        let began = Date()
        handle.write(Data("2026-03-01T00:00:00.000Z INFO [app] seq=1 ok\n".utf8))
        try handle.close()
        while CrashRestartTests.countSeqs(tap)[1] == nil, Date().timeIntervalSince(began) < 9 { usleep(2000) }
        let waited = Date().timeIntervalSince(began)
        #expect(CrashRestartTests.countSeqs(tap)[1] == 1)
        #expect(waited < 5, "woken by inotify, not by the 10 s poll interval (\(waited) s)")
    }
}
