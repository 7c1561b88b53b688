import Foundation
import Testing
@testable import VigilCore

/// The `/metrics` text: escaping of label values from logs, label caps, names, and the reference
/// parser (`promtool check metrics`) when it is installed.
struct MetricsExpositionTests {
    static let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(arguments: [
        ("plain", "plain"),
        ("a\"b", "a\\\"b"),
        ("a\\b", "a\\\\b"),
        ("x\n} 1\nfake_metric 1", "x\\n} 1\\nfake_metric 1"),
        ("ünï ✓", "ünï ✓"),
    ])
    func labelValuesAreEscaped(raw: String, escaped: String) {
        #expect(MetricsText.escapeLabelValue(raw) == escaped)
    }

    @Test func numbersUseThePrometheusForms() {
        #expect(MetricsText.format(3) == "3")
        #expect(MetricsText.format(0.25) == "0.25")
        #expect(MetricsText.format(.infinity) == "+Inf")
        #expect(MetricsText.format(.nan) == "NaN")
    }

    /// A snapshot whose names came from hostile log content.
    static func hostileSnapshot() -> MetricsSnapshot {
        var s = MetricsSnapshot()
        let evil = "a\"b\\c\n} 1\nfake_metric 1"
        var source = MetricsSnapshot.SourceStats(name: evil)
        source.linesRead = 3
        source.failed[.noMatch] = 1
        s.sources = [source]
        var service = MetricsSnapshot.ServiceStats(name: evil)
        service.requests = 2
        service.windowRequests = 2
        service.windowErrors = 1
        service.windowQuantiles = [(0.5, 0.012), (0.99, 0.25)]
        service.latencyBuckets = LiveMetrics.latencyBuckets.map { $0 >= 0.25 ? 2 : ($0 >= 0.025 ? 1 : 0) }
        service.latencyCount = 2
        service.latencySumSeconds = 0.262
        s.services = [service]
        s.openIncidents[.critical] = 1
        s.records["incident/opened"] = 1
        s.ready = true
        s.nulBytesSkipped = 8192
        var delivery = NotifyDispatcher.Stats()
        delivery.sent = 3
        delivery.retries = 2
        s.notify = ["ops": delivery, evil: delivery]
        return s
    }

    @Test func liveCountersAndDeliveriesAreExposed() {
        let text = Self.hostileSnapshot().render(process: .current())
        #expect(text.contains("\nvigil_nul_bytes_skipped_total 8192\n"))
        #expect(text.contains("\nvigil_notify_sent_total{target=\"ops\"} 3\n"))
        #expect(text.contains("\nvigil_notify_retries_total{target=\"ops\"} 2\n"))
        #expect(text.contains("# TYPE vigil_notify_queued gauge\n"))
    }

    @Test func hostileLabelValuesCannotForgeSamples() {
        let text = Self.hostileSnapshot().render(process: .current())
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("fake_metric") })
        #expect(text.contains(#"vigil_service_requests_total{service="a\"b\\c\n} 1\nfake_metric 1"} 2"#))
    }

    @Test func namesFollowTheConventions() {
        let text = Self.hostileSnapshot().render(process: .current())
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            types[String(parts[2])] = String(parts[3])
        }
        #expect(types.count > 20)
        for (name, type) in types {
            #expect(name.hasPrefix("vigil_") || name.hasPrefix("process_"), "\(name)")
            #expect((type == "counter") == name.hasSuffix("_total"), "\(name) is a \(type)")
            #expect(!name.contains("_ms") && !name.contains("milliseconds"), "\(name): base units")
        }
        for required in ["vigil_source_lines_read_total", "vigil_source_lines_failed_total", "vigil_source_bytes_read_total",
                         "vigil_source_lag_bytes", "vigil_rotations_total", "vigil_truncations_total", "vigil_service_requests_total",
                         "vigil_service_window_error_ratio", "vigil_service_window_latency_seconds", "vigil_service_latency_seconds",
                         "vigil_incidents_open", "vigil_alert_pushes_total", "vigil_config_last_reload_successful",
                         "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds"] {
            #expect(types[required] != nil, "\(required) missing")
        }
    }

    @Test(.enabled(if: promtool != nil, "promtool is not installed (apt-get install prometheus)"))
    func promtoolAcceptsTheExposition() throws {
        let text = Self.hostileSnapshot().render(process: .current())
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try TestSupport.write(text, "metrics.txt", in: dir)
        let result = try TestSupport.run("/bin/sh", ["-c", "\(Self.promtool!) check metrics < '\(file.path)'"])
        #expect(result.status == 0, "promtool: \(result.text) \(result.stderr)")
    }

    /// Many distinct services and sources from the logs: the first N get series, the rest `other`.
    @Test func labelValuesAreCapped() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for i in 0..<50 { text += "2026-11-26T10:00:\(String(format: "%02d", i)).000Z ERROR [svc\(i)] failed latency_ms=\(i + 1)\n" }
        for i in 0..<6 { try TestSupport.write(text, "app\(i).log", in: dir) }
        let rules = try RuleSet.builtin()
        let metrics = LiveMetrics(window: rules.window, maxLabelValues: 4)
        let pipeline = LivePipeline(options: .init(inputs: [dir.path + "/*.log"], rules: rules), sink: { metrics.observe($0) },
                                    tap: { metrics.observe($0) })
        try pipeline.poll(now: 1_000)
        let snapshot = metrics.snapshot(files: pipeline.followedFiles, rotations: 0, truncations: 0, ready: true)
        #expect(snapshot.services.count == 5)  // 4 + other
        #expect(snapshot.sources.count == 5)   // 4 + other
        #expect(snapshot.services.contains { $0.name == "other" })
        #expect(snapshot.sources.contains { $0.name == "other" })
        #expect(snapshot.services.map(\.requests).reduce(0, +) == 300)
        #expect(snapshot.sources.map(\.linesRead).reduce(0, +) == 300)
        #expect(snapshot.labelOverflow["service"]! > 0)
        #expect(snapshot.sources.allSatisfy { $0.lagBytes == 0 })
        let svc0 = snapshot.services.first { $0.name == "svc0" }!
        #expect(svc0.errors == 6)
        #expect(svc0.latencyCount == 6)
        #expect(!svc0.windowQuantiles.isEmpty)
    }
}
