import Foundation
import Testing
@testable import VigilCore

/// `vigil run --alertmanager` against a real Alertmanager whose webhook receiver is a small HTTP
/// server in the test. The rules use 5 s steps so that an incident opens and resolves in seconds.
@Suite(.serialized) struct AlertmanagerTests {
    static let alertmanager = ServiceSupport.executable(["prometheus-alertmanager", "alertmanager"])

    /// The built-in rules with short windows and no warm-up, latency detector off.
    static func fastRules(in dir: URL) throws -> String {
        let rules = dir.appendingPathComponent("rules")
        try FileManager.default.copyItem(at: TestSupport.packageRoot.appendingPathComponent("Rules"), to: rules)
        let file = rules.appendingPathComponent("detectors.rules")
        var text = try String(contentsOf: file, encoding: .utf8)
        for (old, new) in [("window = 5m\nstep = 1m\nlateness = 1m", "window = 10s\nstep = 5s\nlateness = 1s"),
                           ("for = 2m", "for = 0s"), ("min_errors = 5\nfor = 1m", "min_errors = 5\nfor = 0s"), ("resolve_for = 3m", "resolve_for = 5s"), ("warmup = 10m", "warmup = 0s"),
                           ("baseline = 1h", "baseline = 1m"), ("min_events = 20", "min_events = 5"),
                           ("[detector latency]\n", "[detector latency]\nenabled = false\n"),
                           // Wall-clock writing at 5-second steps is too uneven for volume with no warm-up.
                           ("[detector volume]\n", "[detector volume]\nenabled = false\n")] {
            text = text.replacingOccurrences(of: old, with: new)
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        return rules.path
    }

    struct Alertmanager {
        var process: Process
        var port: UInt16
    }

    /// `cluster`: the `--cluster.*` flags; by default clustering is off.
    static func startAlertmanager(dir: URL, port: UInt16, webhook: UInt16, name: String = "am", cluster: [String] = ["--cluster.listen-address="]) throws -> Alertmanager {
        let config = try TestSupport.write("""
            route:
              receiver: hook
              group_by: ['alertname', 'service']
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: hook
                webhook_configs:
                  - url: http://127.0.0.1:\(webhook)/hook
                    send_resolved: true
            """, "\(name).yml", in: dir)
        let process = try ServiceSupport.start(alertmanager!, [
            "--config.file=\(config.path)", "--storage.path=\(dir.appendingPathComponent("\(name)-data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
        ] + cluster, log: dir.appendingPathComponent("\(name).log"))
        let ready = ServiceSupport.waitUntil(timeout: 20) { ServiceSupport.http(port, "/-/ready")?.status == 200 }
        #expect(ready, "alertmanager did not become ready")
        return Alertmanager(process: process, port: port)
    }

    static func startVigil(dir: URL, name: String, rules: String, log: String, alertmanager port: UInt16, state: Bool = false,
                           morePeers: [UInt16] = []) throws -> Process {
        var arguments = ["run", "--rules", rules, "--sink", dir.appendingPathComponent("\(name).jsonl").path,
                         "--alertmanager", "http://127.0.0.1:\(port)", "--poll-interval", "50"]
        for peer in morePeers { arguments += ["--alertmanager", "http://127.0.0.1:\(peer)"] }
        if state { arguments += ["--state", dir.appendingPathComponent("\(name)-state").path] }
        return try ServiceSupport.start(TestSupport.vigilBinary, arguments + [log], log: dir.appendingPathComponent("\(name).err"))
    }

    static func records(_ dir: URL, _ name: String) -> String {
        (try? String(contentsOf: dir.appendingPathComponent("\(name).jsonl"), encoding: .utf8)) ?? ""
    }

    /// Notifications by status (`firing`, `resolved`).
    static func notifications(_ receiver: WebhookReceiver) -> [String] {
        receiver.bodies.compactMap { body in
            (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["status"] as? String
        }
    }

    @Test(.enabled(if: alertmanager != nil, "Alertmanager is not installed (apt-get install prometheus-alertmanager; see .ci/deps)"))
    func twoReplicasGiveOneNotificationAndOneResolved() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = try Self.fastRules(in: dir)
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let am = try Self.startAlertmanager(dir: dir, port: ServiceSupport.freePort(), webhook: receiver.port)
        defer { ServiceSupport.stop(am.process) }
        let log = dir.appendingPathComponent("app.log").path
        let writer = WallClockLogWriter(path: log)
        defer { writer.stop() }
        let a = try Self.startVigil(dir: dir, name: "a", rules: rules, log: log, alertmanager: am.port)
        defer { ServiceSupport.stop(a) }
        let b = try Self.startVigil(dir: dir, name: "b", rules: rules, log: log, alertmanager: am.port)
        defer { ServiceSupport.stop(b) }

        Thread.sleep(forTimeInterval: 3)   // a clean baseline first
        writer.errors = true
        let opened = ServiceSupport.waitUntil(timeout: 40) { Self.records(dir, "a").contains(#""event":"opened""#) && Self.records(dir, "b").contains(#""event":"opened""#) }
        #expect(opened, "no incident opened: \(Self.records(dir, "a"))")
        let firing = ServiceSupport.waitUntil(timeout: 20) { Self.notifications(receiver).contains("firing") }
        #expect(firing, "no firing notification")
        writer.errors = false
        let resolved = ServiceSupport.waitUntil(timeout: 60) { Self.notifications(receiver).contains("resolved") }
        #expect(resolved, "no resolved notification; records: \(Self.records(dir, "a"))")
        // Anything else that would come (a duplicate) comes within a few group intervals.
        Thread.sleep(forTimeInterval: 4)
        let statuses = Self.notifications(receiver)
        #expect(statuses == ["firing", "resolved"], "\(receiver.bodies)")
        let body = receiver.bodies.first ?? ""
        #expect(body.contains(#""alertname":"ErrorRatioHigh""#) && body.contains(#""service":"checkout""#), "\(body)")
        #expect(body.contains(#""incident_id":"inc_"#), "\(body)")
    }

    @Test(.enabled(if: alertmanager != nil, "Alertmanager is not installed (apt-get install prometheus-alertmanager; see .ci/deps)"))
    func alertWaitsWhileAlertmanagerIsDown() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = try Self.fastRules(in: dir)
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let port = ServiceSupport.freePort()
        var am = try Self.startAlertmanager(dir: dir, port: port, webhook: receiver.port)
        let log = dir.appendingPathComponent("app.log").path
        let writer = WallClockLogWriter(path: log)
        defer { writer.stop() }
        let vigil = try Self.startVigil(dir: dir, name: "a", rules: rules, log: log, alertmanager: port, state: true)
        defer { ServiceSupport.stop(vigil) }
        ServiceSupport.stop(am.process)   // down before the incident opens

        Thread.sleep(forTimeInterval: 2)
        writer.errors = true
        let opened = ServiceSupport.waitUntil(timeout: 40) { Self.records(dir, "a").contains(#""event":"opened""#) }
        #expect(opened)
        // vigil has tried and failed at least once: the alert waits in the spool.
        let spool = dir.appendingPathComponent("a-state/alertmanager-spool.json").path
        #expect(ServiceSupport.waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: spool) })
        Thread.sleep(forTimeInterval: 2)
        #expect(Self.notifications(receiver).isEmpty)

        am = try Self.startAlertmanager(dir: dir, port: port, webhook: receiver.port)
        defer { ServiceSupport.stop(am.process) }
        let arrived = ServiceSupport.waitUntil(timeout: 45) { Self.notifications(receiver).contains("firing") }
        #expect(arrived, "the alert did not arrive after Alertmanager came back")
    }

    /// Two Alertmanagers clustered on loopback (gossip on 127.0.0.1), vigil pushing to both: the
    /// cluster's notification log lets only one of them notify.
    @Test(.enabled(if: alertmanager != nil, "Alertmanager is not installed (apt-get install prometheus-alertmanager; see .ci/deps)"))
    func clusteredPeersGiveOneNotification() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = try Self.fastRules(in: dir)
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let (gossipA, gossipB) = (ServiceSupport.freePort(), ServiceSupport.freePort())
        let common = ["--cluster.peer-timeout=3s", "--cluster.gossip-interval=100ms", "--cluster.pushpull-interval=1s", "--cluster.settle-timeout=2s"]
        let a = try Self.startAlertmanager(dir: dir, port: ServiceSupport.freePort(), webhook: receiver.port, name: "am-a",
                                           cluster: ["--cluster.listen-address=127.0.0.1:\(gossipA)", "--cluster.peer=127.0.0.1:\(gossipB)"] + common)
        defer { ServiceSupport.stop(a.process) }
        let b = try Self.startAlertmanager(dir: dir, port: ServiceSupport.freePort(), webhook: receiver.port, name: "am-b",
                                           cluster: ["--cluster.listen-address=127.0.0.1:\(gossipB)", "--cluster.peer=127.0.0.1:\(gossipA)"] + common)
        defer { ServiceSupport.stop(b.process) }
        let peered = ServiceSupport.waitUntil(timeout: 20) {
            [a.port, b.port].allSatisfy { port in
                let status = ServiceSupport.http(port, "/api/v2/status")?.body ?? ""
                return status.components(separatedBy: "\"address\"").count - 1 >= 2
            }
        }
        #expect(peered, "the two Alertmanagers did not form a cluster: \(ServiceSupport.http(a.port, "/api/v2/status")?.body ?? "")")
        let log = dir.appendingPathComponent("app.log").path
        let writer = WallClockLogWriter(path: log)
        defer { writer.stop() }
        let vigil = try Self.startVigil(dir: dir, name: "v", rules: rules, log: log, alertmanager: a.port, morePeers: [b.port])
        defer { ServiceSupport.stop(vigil) }

        Thread.sleep(forTimeInterval: 3)
        writer.errors = true
        #expect(ServiceSupport.waitUntil(timeout: 40) { Self.records(dir, "v").contains(#""event":"opened""#) })
        #expect(ServiceSupport.waitUntil(timeout: 20) { Self.notifications(receiver).contains("firing") }, "no firing notification")
        // The second peer waits peer-timeout × its position, then finds the notification in the
        // gossiped log; wait past that.
        Thread.sleep(forTimeInterval: 8)
        #expect(Self.notifications(receiver) == ["firing"], "\(receiver.bodies)")
    }
}
