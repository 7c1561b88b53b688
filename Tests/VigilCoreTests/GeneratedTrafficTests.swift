import Foundation
import Testing
@testable import VigilCore

/// An hour of generated mixed traffic from 12 services in four formats: the injected anomalies are
/// found, at the right service and time, and nothing else is opened.
@Suite struct GeneratedTrafficTests {
    static func hour(anomalies: [LogGenerator.Anomaly], seed: UInt64) throws -> (records: [Record], jsonl: [UInt8], dir: URL) {
        var generator = LogGenerator()
        generator.seed = seed
        generator.serviceCount = 12
        generator.rate = 2
        generator.anomalies = anomalies
        let dir = TestSupport.temporaryDirectory("generated\(seed)")
        let paths = try TestSupport.write(generator, into: dir)
        let result = try TestSupport.replay(paths)
        #expect(result.counters.linesFailed == 0)
        return (result.records, result.jsonl, dir)
    }

    static let start = LogGenerator().start

    @Test(arguments: [UInt64(1), 2, 3])
    func findsTheBurstAndTheRegressionAndNothingElse(seed: UInt64) throws {
        let burst = LogGenerator.Anomaly(kind: .errorBurst, service: "payments", start: Self.start + 25 * 60_000, duration: 6 * 60_000, intensity: 0.3)
        let slow = LogGenerator.Anomaly(kind: .latencyRegression, service: "search", start: Self.start + 40 * 60_000, duration: 8 * 60_000, intensity: 8)
        let (records, jsonl, dir) = try Self.hour(anomalies: [burst, slow], seed: seed)
        defer { try? FileManager.default.removeItem(at: dir) }
        let opened = records.filter { $0.event == .opened }
        #expect(opened.count == 2, "\(opened.map(\.summary))")
        let errorIncident = opened.first { $0.rule?.detector == "error_ratio" }
        let latencyIncident = opened.first { $0.rule?.detector == "latency" }
        #expect(errorIncident?.labels["service"] == "payments")
        #expect(latencyIncident?.labels["service"] == "search")
        // Started within a step of the injection, detected after the 2-minute hold, resolved after it ended.
        if let e = errorIncident {
            #expect(abs(e.startedAt - burst.start) <= 60_000)
            #expect(e.detectedAt! - e.startedAt <= 3 * 60_000)
        }
        if let l = latencyIncident { #expect(abs(l.startedAt - slow.start) <= 60_000) }
        let resolved = records.filter { $0.event == .resolved }
        #expect(resolved.count == 2)
        for r in resolved {
            let anomaly = r.rule?.detector == "error_ratio" ? burst : slow
            #expect(abs(r.endedAt! - (anomaly.start + anomaly.duration)) <= 2 * 60_000)
        }
        #expect(try TestSupport.schemaProblems(jsonl) == "")
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func quietHourOpensNothing(seed: UInt64) throws {
        let (records, _, dir) = try Self.hour(anomalies: [], seed: seed)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(records.isEmpty, "\(records.map(\.summary))")
    }
}
