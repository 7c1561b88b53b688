import Foundation
import Testing
@testable import VigilCore

/// Fault-matrix rows F1 (symlink to a secret outside the log directories) and F2 (FIFO, device,
/// directory and symlink loop matched by a glob): never read, never hang, each reported once.
@Suite struct PathSafetyTests {
    static func hostileDirectory() throws -> (dir: URL, secret: URL) {
        let base = TestSupport.temporaryDirectory("paths")
        let logs = base.appendingPathComponent("logs"), outside = base.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let secret = try TestSupport.write("2026-11-26T10:00:00.000Z ERROR [secret] root:password-hash\n", "shadow", in: outside)
        try TestSupport.write("2026-11-26T10:00:00.000Z INFO [api] fine latency_ms=3\n", "good.log", in: logs)
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: logs.appendingPathComponent("evil.log").path, withDestinationPath: secret.path)
        try fm.createSymbolicLink(atPath: logs.appendingPathComponent("inside.log").path, withDestinationPath: "good.log")
        #expect(mkfifo(logs.appendingPathComponent("pipe.log").path, 0o600) == 0)
        try fm.createSymbolicLink(atPath: logs.appendingPathComponent("zero.log").path, withDestinationPath: "/dev/zero")
        try fm.createDirectory(at: logs.appendingPathComponent("dir.log"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: logs.appendingPathComponent("a.log").path, withDestinationPath: "b.log")
        try fm.createSymbolicLink(atPath: logs.appendingPathComponent("b.log").path, withDestinationPath: "a.log")
        return (logs, secret)
    }

    @Test func guardRefusesEachHostileEntryWithItsReason() throws {
        let (logs, _) = try Self.hostileDirectory()
        defer { try? FileManager.default.removeItem(at: logs.deletingLastPathComponent()) }
        let guardian = PathGuard(roots: [logs.path])
        func check(_ name: String) -> PathGuard.Refusal? { guardian.check(logs.appendingPathComponent(name).path) }
        #expect(check("good.log") == nil)
        #expect(check("inside.log") == nil)
        if case .outsideRoots = check("evil.log") {} else { Issue.record("evil.log: \(String(describing: check("evil.log")))") }
        #expect(check("pipe.log") == .notRegular("FIFO"))
        #expect(check("zero.log") == .notRegular("device"))
        #expect(check("dir.log") == .notRegular("directory"))
        #expect(check("a.log") == .symlinkLoop)
    }

    @Test func liveGlobReadsOnlyTheSafeFilesAndReportsTheRestOnce() throws {
        let (logs, _) = try Self.hostileDirectory()
        defer { try? FileManager.default.removeItem(at: logs.deletingLastPathComponent()) }
        var tapped: [String] = []
        let pipeline = LivePipeline(options: .init(inputs: [logs.path + "/*.log"], rules: try RuleSet.builtin()), sink: { _ in }) { tap in
            tapped.append(String(decoding: UnsafeBufferPointer(start: tap.line.bytes, count: tap.line.count), as: UTF8.self))
        }
        try pipeline.poll(now: 1_000)
        try pipeline.poll(now: 2_000)
        try pipeline.poll(now: 3_000)
        #expect(tapped.count == 1)                       // good.log once (inside.log is the same file)
        #expect(!tapped.contains { $0.contains("secret") })
        #expect(pipeline.pathsRefused == 6)              // evil, pipe, zero, dir, and both links of the loop
        #expect(pipeline.counters.sourceErrors.filter { $0.contains("skipped") }.count == pipeline.pathsRefused)
    }

    @Test func replayOfADirectorySkipsTheHostileEntries() throws {
        let (logs, _) = try Self.hostileDirectory()
        defer { try? FileManager.default.removeItem(at: logs.deletingLastPathComponent()) }
        let stats = logs.deletingLastPathComponent().appendingPathComponent("stats.json")
        let result = try TestSupport.vigil(["replay", "--stats", stats.path, logs.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("evil.log: skipped: symlink to"))
        #expect(result.stderr.contains("pipe.log: skipped: not a regular file (FIFO)"))
        let s = try JSONSerialization.jsonObject(with: Data(contentsOf: stats)) as! [String: Any]
        #expect(s["lines_read"] as? Int == 2)            // good.log and inside.log, its in-directory link
    }
}
