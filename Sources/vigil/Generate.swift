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

            Shaped traffic for benchmarks: --wave makes every service's rate follow \
            max(0.05, 1 + Σ A·sin(2π(t − start)/PERIOD + PHASE)) (a daily shape is one wave whose period is \
            the day, e.g. --wave 0.5:24h:-1.57 for a trough at the start); --service-rate, --base-error and \
            --base-latency set one service's volume and baseline. With any of them, truth.json also lists \
            waves, service_rates, base_errors and base_latencies_ms.

              vigil generate --out day --duration 4h --wave 0.6:40m --wave 0.3:4h:1.2 --service-rate checkout=12 \
                --base-error checkout=0.02 --anomaly error_burst:checkout:90m:8m:0.04
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

    @Option(help: ArgumentHelp("AMPLITUDE:PERIOD[:PHASE], a load wave shared by all services (PHASE in radians, default 0); repeatable.", valueName: "WAVE"))
    var wave: [String] = []

    @Option(help: ArgumentHelp("SERVICE=R: mean lines per second of one service instead of --rate; repeatable.", valueName: "SERVICE=R"))
    var serviceRate: [String] = []

    @Option(help: ArgumentHelp("SERVICE=P: baseline error share of one service (default 0.002 to 0.01 by service); repeatable.", valueName: "SERVICE=P"))
    var baseError: [String] = []

    @Option(help: ArgumentHelp("SERVICE=MS: median latency of one service in ms (default 15 to 74 by service); repeatable.", valueName: "SERVICE=MS"))
    var baseLatency: [String] = []

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
        for spec in wave {
            let parts = spec.split(separator: ":").map(String.init)
            guard parts.count == 2 || parts.count == 3, let amplitude = Double(parts[0]), let phase = Double(parts.count == 3 ? parts[2] : "0") else {
                throw fail("--wave: expected AMPLITUDE:PERIOD[:PHASE], got \(spec)", Exit.usage)
            }
            let period = try parseDuration(parts[1], "--wave period")
            guard period > 0 else { throw fail("--wave: the period must be positive, got \(spec)", Exit.usage) }
            generator.waves.append(.init(amplitude: amplitude, period: period, phase: phase))
        }
        let names = Set(generator.services)
        generator.serviceRates = try perService(serviceRate, "--service-rate", names) { $0 > 0 }
        generator.baseErrors = try perService(baseError, "--base-error", names) { $0 >= 0 && $0 <= 1 }
        generator.baseLatencies = try perService(baseLatency, "--base-latency", names) { $0 > 0 }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (name, bytes) in generator.generate() {
            guard FileManager.default.createFile(atPath: out + "/" + name, contents: Data(bytes)) else { throw fail("\(out)/\(name): cannot write", Exit.io) }
        }
        guard FileManager.default.createFile(atPath: out + "/truth.json", contents: Data(generator.groundTruth())) else {
            throw fail("\(out)/truth.json: cannot write", Exit.io)
        }
    }

    /// `SERVICE=VALUE` options, checked against the generated services so that a typo is an error, not a no-op.
    private func perService(_ specs: [String], _ option: String, _ services: Set<String>, valid: (Double) -> Bool) throws -> [String: Double] {
        var values: [String: Double] = [:]
        for spec in specs {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]), valid(value) else { throw fail("\(option): expected SERVICE=NUMBER in range, got \(spec)", Exit.usage) }
            guard services.contains(parts[0]) else {
                throw fail("\(option): no service \(parts[0]) among \(services.sorted().joined(separator: ", "))", Exit.usage)
            }
            values[parts[0]] = value
        }
        return values
    }

    private func parseDuration(_ text: String, _ option: String) throws -> EventTime {
        var diagnostics: [Diagnostic] = []
        guard let value = RuleSet.duration(Located(value: text, file: option, line: 1, column: 1), &diagnostics) else {
            throw fail("\(option): invalid duration \(text) (e.g. 90s, 10m, 1h)", Exit.usage)
        }
        return value
    }
}
