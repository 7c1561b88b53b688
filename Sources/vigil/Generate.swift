import ArgumentParser
import Foundation
import VigilCore

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write realistic mixed logs with injected anomalies, and their ground truth.",
        discussion: """
            For tests, demos and benchmarks. Services are dealt over the shapes (app log, nginx access log, \
            JSON lines, logfmt), one file per shape, plus truth.json listing the injected anomalies. \
            The same seed and options always give the same bytes.

              vigil generate --out demo --duration 1h --anomaly error_burst:payments:20m:8m --anomaly latency:cart:40m:10m
            """
    )

    @Option(help: "Directory to write into (created).")
    var out: String

    @Option(help: "Seed of the random generator.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("First event time (RFC 3339).", valueName: "TIME"))
    var start = "2026-11-26T10:00:00Z"

    @Option(help: ArgumentHelp("Length of the generated period (e.g. 1h, 90m).", valueName: "DURATION"))
    var duration = "1h"

    @Option(help: "Number of services.")
    var services = 12

    @Option(help: "Mean lines per second per service.")
    var rate = 4.0

    @Option(help: ArgumentHelp("Comma-separated line shapes: app, nginx, json, logfmt, journald, syslog, syslog5424, logback.", valueName: "LIST"))
    var shapes = "app,nginx,json,logfmt"

    @Option(help: ArgumentHelp("Write every line to this one file instead of one file per shape.", valueName: "NAME"))
    var combined: String?

    @Option(help: ArgumentHelp("KIND:SERVICE:OFFSET:DURATION[:INTENSITY], KIND error_burst (intensity: error share), latency (multiplier), deploy (version 2.INTENSITY.0), new_error (share of lines), silence or volume (rate multiplier); repeatable.", valueName: "SPEC"))
    var anomaly: [String] = []

    func run() throws {
        var generator = LogGenerator()
        generator.seed = seed
        guard let startTime = TimestampParser().parse(start) else { throw fail("--start: not an RFC 3339 time: \(start)", Exit.usage) }
        generator.start = startTime
        generator.duration = try parseDuration(duration, "--duration")
        generator.serviceCount = services
        generator.rate = rate
        generator.combinedFileName = combined
        generator.shapes = try shapes.split(separator: ",").map {
            guard let shape = LogGenerator.Shape(rawValue: String($0)) else { throw fail("--shapes: unknown shape \($0)", Exit.usage) }
            return shape
        }
        for spec in anomaly {
            let parts = spec.split(separator: ":").map(String.init)
            guard parts.count >= 4, let kind = LogGenerator.AnomalyKind(rawValue: parts[0]) else {
                throw fail("--anomaly: expected KIND:SERVICE:OFFSET:DURATION[:INTENSITY], got \(spec)", Exit.usage)
            }
            let intensity = parts.count > 4 ? Double(parts[4]) : nil
            generator.anomalies.append(.init(kind: kind, service: parts[1], start: startTime + (try parseDuration(parts[2], "--anomaly offset")),
                                             duration: try parseDuration(parts[3], "--anomaly duration"), intensity: intensity))
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (name, bytes) in generator.generate() {
            guard FileManager.default.createFile(atPath: out + "/" + name, contents: Data(bytes)) else { throw fail("\(out)/\(name): cannot write", Exit.io) }
        }
        guard FileManager.default.createFile(atPath: out + "/truth.json", contents: Data(generator.groundTruth())) else {
            throw fail("\(out)/truth.json: cannot write", Exit.io)
        }
    }

    private func parseDuration(_ text: String, _ option: String) throws -> EventTime {
        var diagnostics: [Diagnostic] = []
        guard let value = RuleSet.duration(Located(value: text, file: option, line: 1, column: 1), &diagnostics) else {
            throw fail("\(option): invalid duration \(text) (e.g. 90s, 10m, 1h)", Exit.usage)
        }
        return value
    }
}
