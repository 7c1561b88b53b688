import Foundation
import Testing

/// A real `vigil run` in the background for the fault-matrix tests: started (optionally under
/// `ulimit -n` or as another user), watched through its tap file and `/proc/PID`, and stopped with
/// SIGTERM so its summary line can be checked.
final class LiveVigil {
    let process: Process
    let dir: URL
    let log: URL
    let tap: URL

    /// `prefix` runs before vigil in the same process (`exec`), e.g. `ulimit -n 256`; `user` runs it
    /// as that user through `setpriv` (also `exec`, so the pid is vigil's).
    init(_ arguments: [String], in dir: URL, prefix: String? = nil, user: String? = nil, tap: Bool = true) throws {
        self.dir = dir
        // Not `.log`: tests follow `DIR/*.log`, and vigil must not read its own stderr.
        log = dir.appendingPathComponent("vigil-\(UUID().uuidString.prefix(6)).stderr")
        self.tap = dir.appendingPathComponent("tap.jsonl")
        var command = [TestSupport.vigilBinary, "run"] + (tap ? ["--tap", self.tap.path] : []) + arguments
        if let user { command = ["/usr/bin/setpriv", "--reuid=\(user)", "--regid=nogroup", "--clear-groups"] + command }
        if let prefix {
            process = try ServiceSupport.start("/bin/sh", ["-c", "\(prefix); exec \"$0\" \"$@\""] + command, log: log)
        } else {
            process = try ServiceSupport.start(command[0], Array(command.dropFirst()), log: log)
        }
    }

    deinit { ServiceSupport.stop(process) }

    var pid: Int32 { process.processIdentifier }

    /// The tap's complete lines so far.
    var tapLines: [Substring] {
        guard let data = FileManager.default.contents(atPath: tap.path) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    /// A field of `/proc/PID/status` in kB (`VmHWM` is the peak resident set size).
    func status(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// Open descriptors of the process.
    var openDescriptors: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1 }

    /// Polls until the tap holds at least `count` lines; true when it does.
    @discardableResult
    func waitForTap(_ count: Int, timeout: TimeInterval = 20) -> Bool {
        ServiceSupport.waitUntil(timeout: timeout, interval: 0.1) { tapLines.count >= count || !process.isRunning }
        return tapLines.count >= count
    }

    /// What vigil wrote to stderr so far.
    var stderr: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGTERM, wait, and return the status and stderr.
    @discardableResult
    func stop() -> (status: Int32, stderr: String) {
        ServiceSupport.stop(process)
        return (process.terminationStatus, stderr)
    }
}

extension TestSupport {
    /// A well-formed app line at `second` past 10:00 with `text` in the message.
    static func appLine(_ second: Int, _ text: String, service: String = "api") -> String {
        "2026-11-26T10:\(String(format: "%02d:%02d", second / 60 % 60, second % 60)).000Z INFO [\(service)] \(text) latency_ms=5\n"
    }

    /// Appends bytes to a file (created when missing), through a descriptor opened for this call.
    static func append(_ bytes: some Sequence<UInt8>, to url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
    }
}
