import Foundation
import Testing
@testable import VigilCore

/// `vigil run --journal` over journal files made by the real `systemd-journal-remote` and read by
/// the real `journalctl --file … -f`: killed with SIGKILL and restarted while entries keep being
/// added, it resumes right after the last entry it processed (RELIABILITY J1).
@Suite(.serialized) struct JournalResumeTests {
    static let journalRemote = ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Entries `range` in journal export format, one second apart from 2026-03-01T00:00:00Z.
    static func export(_ range: Range<Int>) -> String {
        var text = ""
        for i in range {
            text += "__REALTIME_TIMESTAMP=\(1_772_323_200_000_000 + Int64(i) * 1_000_000)\n__MONOTONIC_TIMESTAMP=\(i * 1_000_000 + 1)\n"
            text += "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=test\nSYSLOG_IDENTIFIER=demo\nPRIORITY=6\n"
            text += "MESSAGE=request served seq=\(i)\n\n"
        }
        return text
    }

    static func append(_ range: Range<Int>, to journal: String, in dir: URL) throws {
        let file = try TestSupport.write(export(range), "batch-\(range.lowerBound).export", in: dir)
        let result = try TestSupport.run(journalRemote!, ["--output=" + journal, file.path])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test(.enabled(if: journalRemote != nil, "systemd-journal-remote is not installed (apt-get install systemd-journal-remote)"))
    func killedAndRestartedResumesAfterTheLastCursor() throws {
        let dir = TestSupport.temporaryDirectory("journal")
        defer { try? FileManager.default.removeItem(at: dir) }
        // journalctl -f needs an absolute --file path (a relative one fails with "Failed to get journal fd").
        let journal = dir.appendingPathComponent("remote.journal").path
        let tap = dir.appendingPathComponent("tap.jsonl").path
        try Self.append(0..<300, to: journal, in: dir)

        func start() throws -> Process {
            let vigil = Process()
            vigil.executableURL = URL(fileURLWithPath: TestSupport.vigilBinary)
            vigil.arguments = ["run", "--journal", "--journalctl-arg=--file=" + journal, "--state", dir.appendingPathComponent("state").path,
                               "--tap", tap, "--sink", dir.appendingPathComponent("out.jsonl").path, "--poll-interval", "20",
                               "--checkpoint-interval", "50"]
            vigil.standardOutput = FileHandle.nullDevice
            vigil.standardError = FileHandle.nullDevice
            try vigil.run()
            return vigil
        }
        func waitFor(_ count: Int) -> [Int: Int] {
            var seqs: [Int: Int] = [:]
            for _ in 0..<100 {
                seqs = CrashRestartTests.countSeqs(tap)
                if seqs.count >= count { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return seqs
        }
        var vigil = try start()
        #expect(waitFor(300).count == 300)
        // Killed while idle; entries added while it is down.
        kill(vigil.processIdentifier, SIGKILL)
        vigil.waitUntilExit()
        try Self.append(300..<500, to: journal, in: dir)
        vigil = try start()
        #expect(waitFor(500).count == 500)
        // Killed while entries are being added.
        try Self.append(500..<700, to: journal, in: dir)
        kill(vigil.processIdentifier, SIGKILL)
        vigil.waitUntilExit()
        try Self.append(700..<800, to: journal, in: dir)
        vigil = try start()
        let seqs = waitFor(800)
        vigil.terminate()
        vigil.waitUntilExit()
        #expect(vigil.terminationStatus == 0)
        #expect((0..<800).filter { seqs[$0] == nil }.isEmpty, "no gap")
        #expect(seqs.filter { $0.value > 1 }.isEmpty, "no repeat")
        // The tap is in journal order: each restart continued right after the last entry.
        let order = try String(contentsOfFile: tap, encoding: .utf8).split(separator: "\n").compactMap { line in
            line.range(of: "seq=").map { Int(line[$0.upperBound...].prefix { $0.isNumber })! }
        }
        #expect(order == Array(0..<800))
    }
}
