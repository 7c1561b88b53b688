import Foundation
import Testing
@testable import VigilCore

/// The `/metrics` server on 127.0.0.1: routes, Content-Type, and what it refuses (RELIABILITY F6).
struct HTTPServerTests {
    /// Sends raw bytes and returns the whole response.
    static func exchange(_ port: UInt16, _ request: String) throws -> String {
        let response = ServiceSupport.exchange(port, Array(request.utf8))
        #expect(response != nil, "no answer on port \(port)")
        return String(decoding: response ?? [], as: UTF8.self)
    }

    static func server(ready: Bool) throws -> (HTTPServer, MetricsEndpoint) {
        let endpoint = MetricsEndpoint()
        var snapshot = MetricsSnapshot()
        snapshot.ready = ready
        endpoint.publish(snapshot)
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { endpoint.respond(path: $0) }
        server.start()
        return (server, endpoint)
    }

    @Test func servesMetricsHealthAndReadiness() throws {
        let (server, endpoint) = try Self.server(ready: false)
        defer { server.stop() }
        let port = server.address.port
        #expect(port != 0)
        let metrics = try Self.exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(metrics.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(metrics.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        #expect(metrics.contains("\nvigil_ready 0\n"))
        #expect(try Self.exchange(port, "GET /healthz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 200"))
        #expect(try Self.exchange(port, "GET /readyz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 503"))
        var snapshot = MetricsSnapshot()
        snapshot.ready = true
        endpoint.publish(snapshot)
        #expect(try Self.exchange(port, "GET /readyz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 200"))
        #expect(try Self.exchange(port, "GET /nope HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404"))
    }

    @Test func refusesOtherMethodsAndOversizedRequests() throws {
        let (server, _) = try Self.server(ready: true)
        defer { server.stop() }
        let port = server.address.port
        #expect(try Self.exchange(port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n").hasPrefix("HTTP/1.1 405"))
        let huge = "GET /metrics HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 64 * 1024) + "\r\n\r\n"
        #expect(try Self.exchange(port, huge).hasPrefix("HTTP/1.1 431"))
        #expect(try Self.exchange(port, "garbage\r\n\r\n").hasPrefix("HTTP/1.1 400"))
    }

    @Test func capsConnections() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 4
        // No eviction or request timeout here: this is about the hard cap (eviction: MetricsAbuseTests).
        limits.evictAfter = 600
        limits.requestTimeout = 600
        let endpoint = MetricsEndpoint()
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), limits: limits) { endpoint.respond(path: $0) }
        server.start()
        defer { server.stop() }
        // Idle sockets (slowloris) fill the cap; the next client is told 503, and once they go, it is served.
        var idle: [Int32] = []
        for _ in 0..<4 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = server.address.port.bigEndian
            inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr)
            _ = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            _ = send(fd, "GET", 3, Int32(MSG_NOSIGNAL))
            idle.append(fd)
        }
        // The server may not have accepted them all yet: poll until it refuses.
        var refused = false
        for _ in 0..<50 where !refused {
            refused = try Self.exchange(server.address.port, "GET /healthz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 503")
        }
        #expect(refused)
        for fd in idle { close(fd) }
        var served = false
        for _ in 0..<50 where !served {
            served = try Self.exchange(server.address.port, "GET /healthz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 200")
        }
        #expect(served)
    }

    @Test(arguments: [("127.0.0.1:9464", true), ("localhost:1", true), (":9464", true), ("9464", true),
                      ("[::1]:9464", true), ("0.0.0.0:9464", false), ("10.1.2.3:80", false), ("[::]:1", false)])
    func listenAddresses(text: String, loopback: Bool) throws {
        let address = try #require(ListenAddress(parsing: text))
        #expect(address.isLoopback == loopback)
    }

    @Test func rejectsMalformedAddresses() {
        #expect(ListenAddress(parsing: "example.com:80") == nil)
        #expect(ListenAddress(parsing: "127.0.0.1:99999") == nil)
        #expect(ListenAddress(parsing: "127.0.0.1:") == nil)
    }
}
