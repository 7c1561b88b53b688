import Foundation
import Testing
@testable import VigilCore

/// Fault-matrix row F7: a `--state` path that cannot hold state fails at startup with its reason
/// and exit 74 (as a failed state write always did), for `replay` and `run` alike; unreadable input
/// is a clear EACCES; as `nobody`, vigil reads only what nobody may read, unless given
/// CAP_DAC_READ_SEARCH.
@Suite struct StatePrivilegeTests {
    static let runsAsRoot = FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") && getuid() == 0

    enum BadState: String, CaseIterable { case regularFile, missingParent, worldWritable, readOnly }

    /// Sets up the case in `dir`; returns the `--state` path and the user to run as.
    static func prepare(_ bad: BadState, in dir: URL) throws -> (path: String, user: String?) {
        switch bad {
        case .regularFile:
            return (try TestSupport.write("not a directory\n", "state", in: dir).path, nil)
        case .missingParent:
            return (dir.appendingPathComponent("no/such/parent/state").path, nil)
        case .worldWritable:
            let path = dir.appendingPathComponent("state")
            try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
            chmod(path.path, 0o777)
            return (path.path, nil)
        case .readOnly:
            // Root writes anywhere: the read-only case runs as nobody.
            let path = dir.appendingPathComponent("state")
            try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
            chmod(path.path, 0o755)
            return (path.path, runsAsRoot ? "nobody" : nil)
        }
    }

    static let reasons: [BadState: String] = [.regularFile: "not a directory", .missingParent: "parent directory",
                                              .worldWritable: "writable by every user", .readOnly: "not writable"]

    @Test(arguments: BadState.allCases, ["replay", "run"])
    func badStateDirectoryFailsAtStartup(_ bad: BadState, _ command: String) throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try TestSupport.write(TestSupport.appLine(0, "hello"), "app.log", in: dir)
        chmod(log.path, 0o644)
        let (state, user) = try Self.prepare(bad, in: dir)
        if bad == .readOnly && user == nil && getuid() == 0 { return }   // no way to drop root here: nothing to check
        let sink = dir.appendingPathComponent("out-\(command).jsonl").path
        var arguments = [TestSupport.vigilBinary, command, "--state", state, "--sink", command == "run" ? sink : "-", log.path]
        if let user { arguments = ["/usr/bin/setpriv", "--reuid=\(user)", "--regid=nogroup", "--clear-groups"] + arguments }
        // `run` would follow app.log for ever if it started: the deadline is the test's guard.
        let result = try TestSupport.run("/usr/bin/timeout", ["20"] + arguments)
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderr.contains("--state \(state): \(Self.reasons[bad]!)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func usableStateDirectoryIsCreatedPrivate() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try TestSupport.write(TestSupport.appLine(0, "hello"), "app.log", in: dir)
        let state = dir.appendingPathComponent("state")
        let result = try TestSupport.vigil(["replay", "--state", state.path, log.path])
        #expect(result.status == 0, "\(result.stderr)")
        var info = stat()
        #expect(stat(state.path, &info) == 0)
        #expect(info.st_mode & 0o077 == 0, "mode \(String(info.st_mode & 0o777, radix: 8))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.path).allSatisfy { !$0.hasPrefix(".vigil-probe") })
    }

    /// F7: what `vigil run` writes is not for every user to read: checkpoints 0600 (they hold log
    /// lines as evidence), sink and tap 0640, whatever the umask.
    @Test func runCreatesStateAndOutputsWithoutWorldAccess() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try TestSupport.write(TestSupport.appLine(0, "hello"), "app.log", in: dir)
        let state = dir.appendingPathComponent("state")
        let sink = dir.appendingPathComponent("out.jsonl")
        let tap = dir.appendingPathComponent("tap.jsonl")
        let vigil = Process()
        vigil.executableURL = URL(fileURLWithPath: "/bin/sh")
        vigil.arguments = ["-c", "umask 000 && exec \"$0\" \"$@\"", TestSupport.vigilBinary, "run", "--state", state.path, "--sink", sink.path,
                           "--tap", tap.path, log.path]
        vigil.standardError = FileHandle.nullDevice
        try vigil.run()
        #expect(ServiceSupport.waitUntil(timeout: 10) { (try? String(contentsOf: tap, encoding: .utf8))?.contains("hello") ?? false })
        vigil.terminate()
        vigil.waitUntilExit()
        #expect(vigil.terminationStatus == 0)
        func mode(_ path: String) -> mode_t {
            var info = stat()
            return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0o7777
        }
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: state.path).filter { $0.hasPrefix("checkpoint.") }
        #expect(!checkpoints.isEmpty)
        for name in checkpoints { #expect(mode(state.appendingPathComponent(name).path) == 0o600, "\(name)") }
        #expect(mode(state.path) & 0o077 == 0)
        #expect(mode(sink.path) == 0o640)
        #expect(mode(tap.path) == 0o640)
    }

    /// As nobody: an unreadable file is a clear "permission denied" (exit 66, SPEC "input not found
    /// or unreadable"), also inside a directory; with
    /// CAP_DAC_READ_SEARCH (the matrix's least privilege for a log reader) it is read as well.
    @Test(.enabled(if: runsAsRoot, "needs root to run vigil as nobody"))
    func nobodyReadsOnlyWhatNobodyMay() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let open = try TestSupport.write(TestSupport.appLine(0, "public"), "public.log", in: logs)
        let secret = try TestSupport.write(TestSupport.appLine(1, "secret"), "secret.log", in: logs)
        chmod(open.path, 0o644)
        chmod(secret.path, 0o600)
        let nobody = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]

        let single = try TestSupport.run(nobody[0], Array(nobody.dropFirst()) + [TestSupport.vigilBinary, "replay", secret.path])
        #expect(single.status == 66)
        #expect(single.stderr.contains("secret.log: permission denied"), "\(single.stderr)")

        // A directory holding an unreadable file is refused whole, naming the file (nothing is read
        // while some of the input is missing: the records would look complete and not be).
        let whole = try TestSupport.run(nobody[0], Array(nobody.dropFirst()) + [TestSupport.vigilBinary, "parse", logs.path])
        #expect(whole.status == 66)
        #expect(!whole.text.contains("secret"))
        #expect(whole.stderr.contains("secret.log: permission denied"), "\(whole.stderr)")

        let caps = ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
        let capable = try TestSupport.run(nobody[0], Array(nobody.dropFirst()) + caps + [TestSupport.vigilBinary, "parse", secret.path])
        try #require(!capable.stderr.contains("setpriv:"), "ambient capabilities unavailable here: \(capable.stderr)")
        #expect(capable.status == 0, "\(capable.stderr)")
        #expect(capable.text.contains("secret"))
    }
}
