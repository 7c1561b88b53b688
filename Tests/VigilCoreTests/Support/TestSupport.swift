import Foundation
import Testing
@testable import VigilCore

/// Paths and helpers shared by the tests: the package root, the built `vigil`, temp dirs,
/// running commands, and validating records against the schema.
enum TestSupport {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var fixtures: URL { packageRoot.appendingPathComponent("Fixtures") }

    /// The `vigil` executable built next to the test bundle.
    static var vigilBinary: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("vigil").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/vigil").path
    }

    /// Whether goldens should be rewritten instead of compared (`VIGIL_UPDATE=1 swift test`).
    static var updateGoldens: Bool { ProcessInfo.processInfo.environment["VIGIL_UPDATE"] == "1" }

    static func temporaryDirectory(_ name: String = #function) -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-test-\(safe)-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    struct Output {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs a program to completion and collects its output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], cwd: URL? = nil, stdin: Data? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so a full stderr pipe cannot stall the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
    }

    static func vigil(_ arguments: [String], cwd: URL? = nil, stdin: Data? = nil) throws -> Output {
        try run(vigilBinary, arguments, cwd: cwd, stdin: stdin)
    }

    /// Validates JSONL files against the record schema with Python's `jsonschema` (a reference
    /// implementation, not ours). Returns the problems found, one per line; empty when valid.
    static func schemaProblems(_ files: [URL]) throws -> String {
        let schema = fixtures.appendingPathComponent("schema/vigil-record.v1.schema.json").path
        let script = packageRoot.appendingPathComponent("Tests/VigilCoreTests/Support/validate_records.py").path
        let result = try run("/usr/bin/env", ["python3", script, schema] + files.map(\.path))
        if result.status != 0, result.text.isEmpty { return "validator failed: \(result.stderr)" }
        return result.text
    }

    /// Validates records given as bytes.
    static func schemaProblems(_ jsonl: [UInt8]) throws -> String {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("records.jsonl")
        try Data(jsonl).write(to: file)
        return try schemaProblems([file])
    }

    /// Runs the pipeline in-process and returns the encoded JSONL and the counters.
    static func replay(_ paths: [String], rules: RuleSet? = nil, year: Int? = 2026) throws -> (jsonl: [UInt8], records: [Record], counters: PipelineCounters) {
        var pipeline = ReplayPipeline(sources: try SourceSet.resolve(paths), rules: try rules ?? RuleSet.builtin())
        pipeline.year = year
        var bytes: [UInt8] = []
        var records: [Record] = []
        let counters = try pipeline.run { record in
            records.append(record)
            bytes += RecordEncoder.encode(record)
        }
        return (bytes, records, counters)
    }

    /// Writes every file `generator` makes into `dir`; returns their paths, sorted (replay order).
    static func write(_ generator: LogGenerator, into dir: URL) throws -> [String] {
        var paths: [String] = []
        for (name, bytes) in generator.generate() {
            let url = dir.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            paths.append(url.path)
        }
        return paths.sorted()
    }

    /// Writes `text` to `name` in `dir`.
    @discardableResult
    static func write(_ text: String, _ name: String, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }
}

/// The embedded built-in rule files, for tests that build on them.
enum BuiltinRulesAccess {
    static var files: [RuleSet.SourceFile] { BuiltinRules.files.map { ("builtin/" + $0.path, $0.text) } }
}
