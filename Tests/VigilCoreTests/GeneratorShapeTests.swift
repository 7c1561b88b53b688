import Foundation
import Testing
@testable import VigilCore

/// The generator's traffic-shaping options (waves, per-service rate, baseline error share and
/// latency) do what they say, and leave the output of configurations without them untouched.
@Suite struct GeneratorShapeTests {
    static let minute: EventTime = 60_000

    static func hex(_ bytes: [UInt8]) -> String { SHA256.digest(bytes).map { String(format: "%02x", $0) }.joined() }

    /// Every shape and every anomaly kind, as written by the generator before the new options existed
    /// (`vigil generate --seed 3 --duration 20m --services 9 --rate 2 --shapes <all eight> --anomaly …`).
    /// Golden and benchmark files depend on these bytes: a change here must be deliberate.
    @Test func outputWithoutTheNewOptionsKeepsItsBytes() {
        var g = LogGenerator()
        g.seed = 3
        g.duration = 20 * Self.minute
        g.serviceCount = 9
        g.rate = 2
        g.shapes = LogGenerator.Shape.allCases
        let t0 = g.start, m = Self.minute
        g.anomalies = [
            .init(kind: .errorBurst, service: "payments", start: t0 + 5 * m, duration: 4 * m),
            .init(kind: .volume, service: "cart", start: t0 + 2 * m, duration: 5 * m, intensity: 3),
            .init(kind: .deploy, service: "cart", start: t0 + 8 * m, duration: 1000),
            .init(kind: .newError, service: "search", start: t0 + 10 * m, duration: 5 * m),
            .init(kind: .silence, service: "auth", start: t0 + 3 * m, duration: 10 * m),
            .init(kind: .latencyRegression, service: "catalog", start: t0 + 6 * m, duration: 5 * m, intensity: 3),
        ]
        let files = g.generate()
        let expected = [
            "access.log": "ac087e54f5da33718512f93cad425918dd7b6d43d6e76086694b4a0f1fb3567e",
            "app.log": "02cf8cf66a39e2485bb35e104b5f4b96d777ad83e34dbae02c5a63cf361b2d04",
            "events.jsonl": "0835baf779498cc64f4efe2a302eb1eb9f1f0f2fb4e65e5336c43d759ced6327",
            "journal.json": "8bf15c49a79f3c046a7b938887ee9cb9b67c36edec5e343b9e3d574d7c4a5362",
            "server.log": "c738b773b84eef7bd64e76424d8d1e0ea72c3a51e4b0ca039a40a32d427ae389",
            "syslog": "8ad0202ff28e9fe7c982f0d3b285bb2f773a274832c8be9325f7f315ccecf8d9",
            "syslog5424.log": "cfa9bcc4dfb0c2f51217fb4f8cf9fc2f613538365557a9b5db25828fd7269133",
            "worker.log": "311e32187d767d7a35f9650bcc2d5ad5150f4dbe8f93186d5c4f7c996ba7943d",
        ]
        #expect(Set(files.keys) == Set(expected.keys))
        for (name, digest) in expected { #expect(Self.hex(files[name] ?? []) == digest, "\(name)") }
        #expect(Self.hex(g.groundTruth()) == "e224ca238578c6f7f5f8aefdb39800c4f14ba0d806796db35e4910d176ca6587")
    }

    /// One service's lines by the minute they fall in, and how many of them are errors.
    static func perMinute(_ g: LogGenerator, service: String) -> (lines: [Int], errors: Int, total: Int) {
        var lines = [Int](repeating: 0, count: Int(g.duration / minute))
        var errors = 0, total = 0
        let bytes = g.generate()["app.log"] ?? []
        let parser = TimestampParser()
        for line in bytes.split(separator: 10) {
            let text = String(decoding: line, as: UTF8.self)
            guard text.contains("[\(service)]"), let ts = parser.parse(String(text.prefix(24))) else { continue }
            lines[Int((ts - g.start) / minute)] += 1
            total += 1
            if text.contains(" ERROR ") { errors += 1 }
        }
        return (lines, errors, total)
    }

    /// Thinning gives the wave's rate: the lines of each 10-minute bucket are within 5 sigma
    /// (Poisson) of the rate integrated over the bucket, and the trough really is a trough.
    @Test func wavesShapeTheRateOfEveryService() {
        var g = LogGenerator()
        g.shapes = [.app]
        g.serviceCount = 2
        g.duration = 120 * Self.minute
        g.serviceRates = ["checkout": 20]
        g.waves = [.init(amplitude: 0.6, period: 40 * Self.minute)]
        let (lines, _, _) = Self.perMinute(g, service: "checkout")
        for bucket in stride(from: 0, to: 120, by: 10) {
            let observed = Double(lines[bucket..<bucket + 10].reduce(0, +))
            let expected = (0..<600).reduce(0.0) { $0 + 20 * g.loadFactor(at: g.start + EventTime(bucket * 60 + $1) * 1000) }
            #expect(abs(observed - expected) < 5 * expected.squareRoot(), "bucket \(bucket): \(observed) lines, expected \(expected)")
        }
        // sin peaks at 10 min and troughs at 30 min of each 40-minute period.
        #expect(lines[9...11].reduce(0, +) > 3 * lines[29...31].reduce(0, +))
    }

    @Test func baselineErrorShareAndLatencyPerService() {
        var g = LogGenerator()
        g.shapes = [.app]
        g.serviceCount = 2
        g.duration = 60 * Self.minute
        g.serviceRates = ["checkout": 20]
        g.baseErrors = ["checkout": 0.05]
        g.baseLatencies = ["checkout": 200]
        let (_, errors, total) = Self.perMinute(g, service: "checkout")
        #expect(abs(Double(total) - 72_000) < 5 * 72_000.0.squareRoot())
        let share = Double(errors) / Double(total)
        #expect(abs(share - 0.05) < 0.005, "\(share)")
        let latencies = (g.generate()["app.log"] ?? []).split(separator: 10).compactMap { line -> Int? in
            let text = String(decoding: line, as: UTF8.self)
            guard text.contains("[checkout]"), let r = text.range(of: "latency_ms=") else { return nil }
            return Int(text[r.upperBound...])
        }.sorted()
        #expect(abs(latencies[latencies.count / 2] - 200) <= 5)
        let truth = String(decoding: g.groundTruth(), as: UTF8.self)
        #expect(truth.contains("\"service_rates\":{\"checkout\":20,\"payments\":4}"))
        #expect(truth.contains("\"base_errors\":{\"checkout\":0.05,\"payments\":0.004}"))
        #expect(truth.contains("\"waves\":[]"))
    }
}
