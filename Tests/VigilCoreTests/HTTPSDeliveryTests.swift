import Foundation
import Testing
@testable import VigilCore

/// `https://` URLs for `--notify` and `--alertmanager`: parsing, `--ca-file`, and delivery through libcurl to a
/// real HTTPS server whose certificate comes from a throwaway CA (TLSReceiver).
struct HTTPSOptionTests {
    @Test(arguments: [
        ("https://hooks.example.com/services/T/B/x", "https://hooks.example.com:443/services/T/B/x"),
        ("https://127.0.0.1:8443/hook?a=1", "https://127.0.0.1:8443/hook?a=1"),
        ("https://[::1]/", "https://[::1]:443/"),
        ("http://127.0.0.1", "http://127.0.0.1:80/"),
    ])
    func parsesSchemeAndDefaultPort(url: String, description: String) throws {
        let endpoint = try #require(HTTPClient.Endpoint(url: url))
        #expect(endpoint.description == description)
        #expect(endpoint.scheme == (url.hasPrefix("https") ? .https : .http))
    }

    @Test(arguments: ["ftp://host/", "HTTPS://host/", "https://", "https://:443/", "https://host:99999/", "host:80"])
    func refusesOtherURLs(url: String) {
        #expect(HTTPClient.Endpoint(url: url) == nil)
    }

    @Test func notifyTakesHTTPS() throws {
        let target = try NotifyTarget.parse("slack=https://hooks.example.com/services/T/B/x")
        #expect(target.endpoint.scheme == .https && target.endpoint.port == 443)
        #expect(throws: NotifyTarget.ConfigError.self) { try NotifyTarget.parse("slack=ftp://x/") }
    }

    /// A server that accepts the connection and never answers the TLS handshake holds a delivery
    /// thread for the timeout, not forever.
    @Test func aSilentServerTimesOut() throws {
        let silent = SilentListener()
        defer { silent.stop() }
        let endpoint = try #require(HTTPClient.Endpoint(url: "https://127.0.0.1:\(silent.port)/hook"))
        let started = Date()
        let error = #expect(throws: ServeError.self) {
            try HTTPClient(timeout: 0.5).send("POST", endpoint, body: Array("{}".utf8))
        }
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(error?.description.contains("imeout") == true || error?.description.contains("timed out") == true, "\(error?.description ?? "")")
    }

    @Test func runRefusesACAFileItCannotUse() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let notPEM = try TestSupport.write("not a certificate\n", "ca.pem", in: dir)
        for (caFile, message) in [(dir.appendingPathComponent("missing.pem").path, "cannot be read"), (notPEM.path, "holds no PEM certificate")] {
            let result = try TestSupport.vigil(["run", "--notify", "slack=https://127.0.0.1:9/hook", "--ca-file", caFile, "-"], stdin: Data())
            #expect(result.status == 78)
            #expect(result.stderr.contains("--ca-file \(caFile): \(message)"), "\(result.stderr)")
        }
    }
}

@Suite(.serialized, .enabled(if: TLSReceiver.available, "openssl or python3 is missing (apt-get install openssl python3; see .ci/deps)"))
struct HTTPSDeliveryTests {
    @Test func postArrivesWhenTheCAIsGiven() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try TLSReceiver(dir: dir)
        defer { receiver.stop() }
        let client = HTTPClient(timeout: 5, caFile: receiver.caFile)
        let endpoint = try #require(HTTPClient.Endpoint(url: "https://127.0.0.1:\(receiver.port)/hook"))
        // Over 1 KiB, non-ASCII and a line break: the body must arrive byte for byte.
        let body = #"{"text":"Zahlung fehlgeschlagen ✗"}"# + "\n" + String(repeating: "0123456789", count: 200)
        let response = try client.send("POST", endpoint, body: Array(body.utf8), headers: [("Authorization", "Bearer t")])
        #expect(response.status == 200)
        #expect(response.body == "ok")
        // Methods other than POST (ServiceNow updates are PATCH) keep their body.
        _ = try client.send("PATCH", endpoint.with(path: "/api/now/table/incident/1"), body: Array("{}".utf8))
        #expect(receiver.requests == [.init(line: "POST /hook", body: body), .init(line: "PATCH /api/now/table/incident/1", body: "{}")])
    }

    @Test func responsesAreCappedAtOneMebibyte() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try TLSReceiver(dir: dir)
        defer { receiver.stop() }
        let endpoint = try #require(HTTPClient.Endpoint(url: "https://127.0.0.1:\(receiver.port)/large"))
        let response = try HTTPClient(timeout: 5, caFile: receiver.caFile).send("POST", endpoint, body: Array("{}".utf8))
        #expect(response.status == 200)
        #expect(response.body.utf8.count == HTTPClient.maxResponseBytes)
    }

    @Test func systemStoreRefusesAnUnknownCA() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try TLSReceiver(dir: dir)
        defer { receiver.stop() }
        let endpoint = try #require(HTTPClient.Endpoint(url: "https://127.0.0.1:\(receiver.port)/hook"))
        let error = #expect(throws: ServeError.self) {
            try HTTPClient(timeout: 5).send("POST", endpoint, body: Array("{}".utf8))
        }
        #expect(error?.description.contains("certificate") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("https://127.0.0.1:\(receiver.port)/hook") == true)
        #expect(receiver.requests.isEmpty)
    }

    @Test func runDeliversToSlackAndAlertmanagerOverHTTPS() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try TLSReceiver(dir: dir)
        defer { receiver.stop() }
        let rules = try AlertmanagerTests.fastRules(in: dir)
        let log = dir.appendingPathComponent("app.log").path
        let writer = WallClockLogWriter(path: log)
        defer { writer.stop() }
        let vigil = try ServiceSupport.start(TestSupport.vigilBinary, [
            "run", "--rules", rules, "--sink", dir.appendingPathComponent("a.jsonl").path, "--poll-interval", "50",
            "--notify", "slack=https://127.0.0.1:\(receiver.port)/hook", "--alertmanager", "https://127.0.0.1:\(receiver.port)",
            "--ca-file", receiver.caFile, log,
        ], log: dir.appendingPathComponent("a.err"))
        defer { ServiceSupport.stop(vigil) }
        Thread.sleep(forTimeInterval: 3)
        writer.errors = true
        var opened: [String: Any]?
        ServiceSupport.waitUntil(timeout: 40) {
            opened = AlertmanagerTests.records(dir, "a").split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .first { $0["event"] as? String == "opened" }
            return opened != nil
        }
        let dedupKey = try #require(opened?["dedup_key"] as? String, "no incident opened: \(AlertmanagerTests.records(dir, "a"))")
        let slackGot = ServiceSupport.waitUntil(timeout: 20) {
            receiver.requests.contains { $0.line == "POST /hook" && $0.body.contains(#""blocks""#) && $0.body.contains(dedupKey) }
        }
        #expect(slackGot, "requests: \(receiver.requests.map(\.line)); vigil: \((try? String(contentsOf: dir.appendingPathComponent("a.err"), encoding: .utf8)) ?? "")")
        #expect(ServiceSupport.waitUntil(timeout: 20) { receiver.requests.contains { $0.line == "POST /api/v2/alerts" } })
    }
}
