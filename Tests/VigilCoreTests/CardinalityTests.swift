import Foundation
import Testing
@testable import VigilCore

/// Fault-matrix row B7: 100k distinct `svc=` values in one file, read by a real `vigil run
/// --listen`. Every metric keeps at most the cap (100) of service series plus `other`, the overflow
/// is counted, and memory does not grow with the number of distinct values.
///
/// The matrix's churn soak (a fresh value per line at 2k/s for 1 h, ~7M values) cannot run in CI;
/// it is shortened to a second burst of 100k new values, after which resident memory must be
/// about where it was after the first (flat, not growing per value).
@Suite(.serialized) struct CardinalityTests {
    static func burst(_ range: Range<Int>) -> [UInt8] {
        var text = ""
        text.reserveCapacity(range.count * 80)
        for i in range {
            text += "ts=2026-11-26T10:\(String(format: "%02d:%02d", i / 6000 % 60, i / 100 % 60)).000Z seq=\(i) svc=s\(i) lvl=ERROR latency=5ms msg=x\n"
        }
        return Array(text.utf8)
    }

    /// Samples of `/metrics` as (name, labels) pairs.
    static func samples(_ text: String) -> [(name: String, labels: String)] {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let head = line.prefix { $0 != " " }
            guard let brace = head.firstIndex(of: "{") else { return (String(head), "") }
            return (String(head[..<brace]), String(head[brace...]))
        }
    }

    @Test func hundredThousandServicesStayCapped() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let app = dir.appendingPathComponent("app.log")
        try Data(Self.burst(0..<100_000)).write(to: app)
        let port = ServiceSupport.freePort()
        let vigil = try LiveVigil(["--listen", "127.0.0.1:\(port)", "--sink", dir.appendingPathComponent("out.jsonl").path, app.path],
                                  in: dir, tap: false)
        func linesRead() -> Int? {
            guard let body = ServiceSupport.http(port, "/metrics")?.body,
                  let line = body.split(separator: "\n").first(where: { $0.hasPrefix("vigil_source_lines_read_total{") }) else { return nil }
            return Int(line.split(separator: " ").last ?? "")
        }
        #expect(ServiceSupport.waitUntil(timeout: 60) { linesRead() == 100_000 }, "read \(String(describing: linesRead())); \(vigil.stderr)")
        let afterFirst = try #require(vigil.status("VmRSS"))

        let clock = ContinuousClock()
        var scrape: (status: Int, body: String)?
        let elapsed = clock.measure { scrape = ServiceSupport.http(port, "/metrics") }
        let body = try #require(scrape?.body)
        #expect(elapsed < .seconds(1), "scrape took \(elapsed)")
        #expect(body.utf8.count < 256 * 1024, "\(body.utf8.count) bytes")
        let samples = Self.samples(body)
        var servicesPerMetric: [String: Set<String>] = [:]
        for sample in samples {
            guard let match = sample.labels.firstMatch(of: /service="([^"]*)"/) else { continue }
            servicesPerMetric[sample.name, default: []].insert(String(match.1))
        }
        #expect(!servicesPerMetric.isEmpty)
        for (name, services) in servicesPerMetric {
            #expect(services.count <= 100 + 1, "\(name): \(services.count) service series")
            #expect(services.contains("other"), "\(name)")
        }
        let overflow = samples.first { $0.name == "vigil_label_values_overflow_total" && $0.labels.contains(#"label="service""#) }
        #expect(overflow != nil)
        let overflowValue = body.split(separator: "\n").first { $0.hasPrefix(#"vigil_label_values_overflow_total{label="service"}"#) }
            .flatMap { Int($0.split(separator: " ").last ?? "") }
        #expect((overflowValue ?? 0) > 0)

        // Shortened churn: another 100k values never seen before.
        try TestSupport.append(Self.burst(100_000..<200_000), to: app)
        #expect(ServiceSupport.waitUntil(timeout: 60) { linesRead() == 200_000 })
        let afterSecond = try #require(vigil.status("VmRSS"))
        let peak = try #require(vigil.status("VmHWM"))
        #expect(afterSecond - afterFirst < 24 * 1024, "RSS grew \(afterSecond - afterFirst) kB with 100k new values")
        #expect(peak < 256 * 1024, "peak RSS \(peak) kB")
        #expect(vigil.stop().status == 0)
    }
}
