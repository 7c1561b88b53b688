import Foundation
import Testing
@testable import VigilCore

/// Alertmanager API v2 alerts built from records, and the pusher's retries, against a local receiver.
struct AlertmanagerPayloadTests {
    static func record(_ event: Record.Event, seq: Int, severity: Severity = .error) -> Record {
        var r = Record(kind: .incident, event: event, seq: seq, incidentId: "inc_0123456789abcdef", dedupKey: "vigil:error_ratio:abc",
                       status: event == .resolved ? "resolved" : "firing", severity: severity, summary: "checkout: error ratio 40%",
                       description: "Errors rose.", rule: .init(id: "error_ratio", alertname: "ErrorRatioHigh", detector: "error_ratio"),
                       labels: ["service": "checkout", "alertname": "ErrorRatioHigh", "k8s-pod": "p1"], startedAt: 1_795_700_000_000)
        if event == .resolved { r.endedAt = 1_795_700_060_000 }
        r.evidence = [Evidence(ts: 1_795_700_000_000, source: "app.log", lineNumber: 7, offset: 100, line: Array("boom".utf8))]
        return r
    }

    @Test func firingAlertCarriesIdentityLabelsAndAnnotations() throws {
        let alert = try #require(AlertmanagerAlert(Self.record(.opened, seq: 0)))
        #expect(alert.labels == ["service": "checkout", "alertname": "ErrorRatioHigh", "k8s_pod": "p1", "severity": "error"])
        #expect(alert.annotations["summary"] == "checkout: error ratio 40%")
        #expect(alert.annotations["description"] == "Errors rose.")
        #expect(alert.annotations["evidence"] == "app.log:7: boom")
        let json = try #require(JSONSerialization.jsonObject(with: Data(AlertmanagerAlert.payload([alert], firingEndsAt: 1_795_700_240_000))) as? [[String: Any]])
        #expect(json[0]["startsAt"] as? String == "2026-11-26T13:33:20.000Z")
        #expect(json[0]["endsAt"] as? String == "2026-11-26T13:37:20.000Z")
        #expect(json[0]["generatorURL"] as? String == "vigil://incident/inc_0123456789abcdef")
    }

    @Test func resolvedAlertEndsAtEndedAt() throws {
        let alert = try #require(AlertmanagerAlert(Self.record(.resolved, seq: 2)))
        #expect(alert.isResolved)
        let text = String(decoding: AlertmanagerAlert.payload([alert], firingEndsAt: 0), as: UTF8.self)
        #expect(text.contains(#""endsAt":"2026-11-26T13:34:20.000Z""#))
    }

    @Test func changesAreNotAlerts() {
        let change = Record(kind: .change, event: .detected, dedupKey: "vigil:change:x", severity: .info, summary: "deploy", labels: [:], startedAt: 0)
        #expect(AlertmanagerAlert(change) == nil)
    }

    /// A receiver answering 500 is retried with backoff until it answers 200; the latest state wins.
    @Test func retriesUntilDelivered() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        receiver.respond(with: 500)
        var options = AlertmanagerPusher.Options(urls: [HTTPClient.Endpoint(url: "http://127.0.0.1:\(receiver.port)")!])
        options.initialBackoff = 0.05
        options.maxBackoff = 0.2
        let pusher = AlertmanagerPusher(options: options)
        pusher.start()
        defer { pusher.stop() }
        pusher.enqueue(Self.record(.opened, seq: 0, severity: .critical))
        #expect(ServiceSupport.waitUntil(timeout: 10, interval: 0.05) { receiver.bodies.count >= 3 })
        #expect(pusher.currentStats.queued == 1)
        #expect((pusher.currentStats.pushes["failure"] ?? 0) >= 3)
        pusher.enqueue(Self.record(.resolved, seq: 2))
        receiver.respond(with: 200)
        #expect(ServiceSupport.waitUntil(timeout: 10, interval: 0.05) { pusher.currentStats.queued == 0 })
        let last = receiver.bodies.last ?? ""
        #expect(last.contains(#""endsAt":"2026-11-26T13:34:20.000Z""#), "\(last)")
        // Identity stays as first sent: severity label from the opened record.
        #expect(last.contains(#""severity":"critical""#), "\(last)")
        #expect(pusher.currentStats.pushes["success"] == 1)
    }
}
