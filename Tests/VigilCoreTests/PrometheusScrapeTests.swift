import Foundation
import Testing
@testable import VigilCore

/// A real Prometheus scrapes `vigil run --listen` and its query API returns vigil's series.
@Suite(.serialized) struct PrometheusScrapeTests {
    static let prometheus = ServiceSupport.executable(["prometheus"])

    @Test(.enabled(if: prometheus != nil, "prometheus is not installed (apt-get install prometheus; see .ci/deps)"))
    func prometheusScrapesVigil() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try TestSupport.write("2026-11-26T10:00:00.000Z ERROR [checkout] payment failed latency_ms=120\n"
            + "2026-11-26T10:00:01.000Z INFO [checkout] ok latency_ms=20\n", "app.log", in: dir)
        let vigilPort = ServiceSupport.freePort()
        let vigil = try ServiceSupport.start(TestSupport.vigilBinary, ["run", "--listen", "127.0.0.1:\(vigilPort)",
            "--sink", dir.appendingPathComponent("out.jsonl").path, log.path], log: dir.appendingPathComponent("vigil.err"))
        defer { ServiceSupport.stop(vigil) }
        #expect(ServiceSupport.waitUntil(timeout: 10) { ServiceSupport.http(vigilPort, "/readyz")?.status == 200 })

        let promPort = ServiceSupport.freePort()
        let config = try TestSupport.write("""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: vigil
                static_configs:
                  - targets: ['127.0.0.1:\(vigilPort)']
            """, "prometheus.yml", in: dir)
        let prometheus = try ServiceSupport.start(Self.prometheus!, [
            "--config.file=\(config.path)", "--storage.tsdb.path=\(dir.appendingPathComponent("tsdb").path)",
            "--web.listen-address=127.0.0.1:\(promPort)",
        ], log: dir.appendingPathComponent("prometheus.log"))
        defer { ServiceSupport.stop(prometheus) }

        // The first scrape comes 5–6 s after start: poll the targets, do not sleep.
        var targets = ""
        let up = ServiceSupport.waitUntil(timeout: 60, interval: 0.5) {
            targets = ServiceSupport.http(promPort, "/api/v1/targets")?.body ?? ""
            return targets.contains(#""health":"up""#)
        }
        let promLog = (try? String(contentsOf: dir.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? ""
        #expect(up, "targets: \(targets)\n\(promLog.suffix(2000))")

        var result = ""
        let found = ServiceSupport.waitUntil(timeout: 30, interval: 0.5) {
            result = ServiceSupport.http(promPort, "/api/v1/query?query=vigil_source_lines_read_total")?.body ?? ""
            return result.contains(#""source":"app.log""#)
        }
        #expect(found, "query: \(result)")
        #expect(result.contains(#""2"]"#), "two lines read: \(result)")
        let requests = ServiceSupport.http(promPort, "/api/v1/query?query=vigil_service_requests_total")?.body ?? ""
        #expect(requests.contains(#""service":"checkout""#), "\(requests)")
    }
}
