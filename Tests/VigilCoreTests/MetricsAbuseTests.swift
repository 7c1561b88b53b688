import Foundation
import Testing
@testable import VigilCore

/// Fault-matrix row F6 against a real `vigil run --listen 127.0.0.1:PORT`: 1,000 idle sockets
/// (slowloris) do not lock the scraper out nor stop ingestion, connections stay capped, oversized
/// and non-GET requests are refused, and a non-loopback bind needs `--listen-any`.
@Suite(.serialized) struct MetricsAbuseTests {
    /// A connected socket that sent the start of a request and then nothing.
    static func idleSocket(_ port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr)
        let ok = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { close(fd); return nil }
        _ = send(fd, "GET /metrics HTTP/1.1\r\n", 23, Int32(MSG_NOSIGNAL))
        return fd
    }

    /// Still open from the server's side: nothing to read yet, no end of stream.
    static func stillOpen(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    @Test func slowlorisDoesNotLockOutTheScraperNorIngestion() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let app = try TestSupport.write(TestSupport.appLine(0, "line 0"), "app.log", in: dir)
        let port = ServiceSupport.freePort()
        let vigil = try LiveVigil(["--listen", "127.0.0.1:\(port)", "--sink", dir.appendingPathComponent("out.jsonl").path, app.path], in: dir)
        #expect(ServiceSupport.waitUntil(timeout: 20) { ServiceSupport.http(port, "/metrics")?.status == 200 }, "\(vigil.stderr)")
        let descriptorsBefore = vigil.openDescriptors

        var idle: [Int32] = []
        defer { for fd in idle { close(fd) } }
        for _ in 0..<1000 { if let fd = Self.idleSocket(port) { idle.append(fd) } }
        #expect(idle.count > 900)
        // Connections stay capped (64 by default) whatever the number of clients.
        #expect(ServiceSupport.waitUntil(timeout: 5) { vigil.openDescriptors <= descriptorsBefore + 64 + 8 })
        #expect(vigil.openDescriptors <= descriptorsBefore + 64 + 8, "\(vigil.openDescriptors) descriptors")

        // Ingestion goes on meanwhile.
        try TestSupport.append(Array((1...100).map { TestSupport.appLine($0, "line \($0)") }.joined().utf8), to: app)
        #expect(vigil.waitForTap(101))

        // A scraper gets through while the slow clients are still connected (taking the place of
        // an old one), well before the request timeout would have closed them all.
        var scraped: (status: Int, body: String)?
        #expect(ServiceSupport.waitUntil(timeout: 4, interval: 0.1) {
            scraped = ServiceSupport.http(port, "/metrics")
            return scraped?.status == 200
        })
        #expect(scraped?.body.contains("vigil_source_lines_read_total") == true)
        #expect(idle.filter(Self.stillOpen).count >= 32, "the scrape only succeeded once the slow clients were gone")

        // Refused requests.
        #expect(ServiceSupport.waitUntil(timeout: 4, interval: 0.1) { ServiceSupport.http(port, "/metrics", method: "POST")?.status == 405 })
        let huge = Array(("GET /metrics HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 64 * 1024) + "\r\n\r\n").utf8)
        #expect(ServiceSupport.waitUntil(timeout: 4, interval: 0.1) {
            String(decoding: ServiceSupport.exchange(port, huge) ?? [], as: UTF8.self).hasPrefix("HTTP/1.1 431")
        })
        #expect(vigil.stop().status == 0)
    }

    /// Refused at startup, before anything is bound (so nothing to clean up and nothing exposed).
    @Test(arguments: ["0.0.0.0:9464", "[::]:9464", "10.1.2.3:9464"])
    func nonLoopbackBindNeedsListenAny(_ address: String) throws {
        let result = try TestSupport.vigil(["run", "--listen", address, "/nonexistent/vigil-test/app.log"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--listen-any"))
    }
}
