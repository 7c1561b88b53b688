#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A small HTTP/1.1 server on plain sockets for `/metrics`, `/healthz` and `/readyz`, on its own
/// thread so a slow or hostile client never touches ingestion (RELIABILITY F6).
///
/// One request per connection (`Connection: close`), GET and HEAD only, the request head capped at
/// `maxRequestBytes`, at most `maxConnections` open at once, a request head that is not complete
/// `requestTimeout` seconds after the connection was accepted is dropped, and a connection idle
/// for `idleTimeout` seconds is closed. When all connections are taken, a new one takes the place
/// of the oldest that has sent no complete request for `evictAfter` seconds (a slowloris holding
/// every slot must not lock the scraper out); only when none is that old is it answered 503.
/// Everything runs in one `poll(2)` loop.
public final class HTTPServer: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]

        public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
            self.status = status
            self.contentType = contentType
            self.body = Array(body.utf8)
        }
    }

    public struct Limits: Sendable {
        public var maxRequestBytes = 8 * 1024
        public var maxConnections = 64
        public var idleTimeout = 10.0
        /// A scraper sends its whole request at once; a client still sending its head after this
        /// long is slow on purpose or broken.
        public var requestTimeout = 5.0
        /// Age after which a connection with no complete request may give its slot to a new one.
        public var evictAfter = 1.0
        public init() {}
    }

    public let address: ListenAddress
    private let limits: Limits
    private let handler: @Sendable (String) -> Response
    private let listener: Int32
    private var wake: (read: Int32, write: Int32) = (-1, -1)
    private let lock = NSCondition()
    private var stopping = false
    private var running = false

    private final class Connection {
        let fd: Int32
        var input: [UInt8] = []
        var output: [UInt8] = []
        var written = 0
        var lastActive: Double
        let accepted: Double
        init(fd: Int32, now: Double) { self.fd = fd; lastActive = now; accepted = now }
    }

    /// Binds and listens at once (so a bad address fails at startup); serving starts with `start()`.
    /// Port 0 picks a free port; `address.port` then holds it.
    public init(address: ListenAddress, limits: Limits = Limits(), handler: @escaping @Sendable (String) -> Response) throws(ServeError) {
        self.limits = limits
        self.handler = handler
        guard let family = ListenAddress.family(of: address.host) else { throw ServeError("\(address.host) is not a numeric address") }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw ServeError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var bound = address
        let result: Int32
        if family == AF_INET {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = address.port.bigEndian
            inet_pton(AF_INET, address.host, &sin.sin_addr)
            result = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            if result == 0 {
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
                bound.port = UInt16(bigEndian: sin.sin_port)
            }
        } else {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = address.port.bigEndian
            inet_pton(AF_INET6, address.host, &sin6.sin6_addr)
            result = withUnsafePointer(to: &sin6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            if result == 0 {
                var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
                _ = withUnsafeMutablePointer(to: &sin6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
                bound.port = UInt16(bigEndian: sin6.sin6_port)
            }
        }
        guard result == 0, listen(fd, 128) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw ServeError("cannot listen on \(address): \(message)")
        }
        listener = fd
        self.address = bound
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { close(fd); throw ServeError("pipe: \(String(cString: strerror(errno)))") }
        for end in fds {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wake = (fds[0], fds[1])
    }

    /// Starts the serving thread.
    public func start() {
        lock.lock()
        running = true
        lock.unlock()
        let thread = Thread { [self] in serve() }
        thread.name = "vigil-http"
        thread.start()
    }

    /// Stops serving and waits for the thread; idempotent.
    public func stop() {
        lock.lock()
        if !running { lock.unlock(); return }
        stopping = true
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        while running { lock.wait() }
        lock.unlock()
    }

    deinit {
        stop()
        close(listener)
        close(wake.read)
        close(wake.write)
    }

    private static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private func serve() {
        var connections: [Int32: Connection] = [:]
        defer {
            for fd in connections.keys { close(fd) }
            lock.lock()
            running = false
            lock.broadcast()
            lock.unlock()
        }
        while true {
            lock.lock()
            let stop = stopping
            lock.unlock()
            if stop { return }
            var fds = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0), pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            for c in connections.values {
                fds.append(pollfd(fd: c.fd, events: Int16(c.output.isEmpty ? POLLIN : POLLOUT), revents: 0))
            }
            let ready = poll(&fds, nfds_t(fds.count), 1000)
            let now = Self.monotonic()
            if ready < 0 && errno != EINTR { return }
            if fds[1].revents & Int16(POLLIN) != 0 { acceptAll(&connections, now: now) }
            for entry in fds.dropFirst(2) where entry.revents != 0 {
                guard let c = connections[entry.fd] else { continue }
                c.lastActive = now
                let keep = entry.revents & Int16(POLLOUT) != 0 ? flush(c) : receive(c)
                if !keep { close(c.fd); connections[c.fd] = nil }
            }
            // Slow clients (slowloris) are cut off, also when they trickle a byte now and then.
            for c in connections.values where now - c.lastActive > limits.idleTimeout
                || (c.output.isEmpty && now - c.accepted > limits.requestTimeout) {
                close(c.fd)
                connections[c.fd] = nil
            }
        }
    }

    private func acceptAll(_ connections: inout [Int32: Connection], now: Double) {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { return }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let c = Connection(fd: fd, now: now)
            if connections.count >= limits.maxConnections, let victim = connections.values
                .filter({ $0.output.isEmpty && now - $0.accepted >= limits.evictAfter }).min(by: { $0.accepted < $1.accepted }) {
                close(victim.fd)
                connections[victim.fd] = nil
            }
            if connections.count >= limits.maxConnections {
                c.output = Self.encode(Response(status: 503, body: "too many connections\n"), head: false)
                _ = flush(c)
                close(fd)
                continue
            }
            connections[fd] = c
        }
    }

    /// Reads what arrived; answers once the request head is complete. False: close now.
    private func receive(_ c: Connection) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(c.fd, $0.baseAddress, $0.count) }
        if n < 0 { return errno == EAGAIN || errno == EINTR }
        if n == 0 { return false }
        c.input += buffer[0..<n]
        let end: [UInt8] = [13, 10, 13, 10]
        let complete = c.input.count >= 4 && (0...(c.input.count - 4)).contains { c.input[$0..<$0 + 4].elementsEqual(end) }
        if !complete {
            if c.input.count > limits.maxRequestBytes {
                c.output = Self.encode(Response(status: 431, body: "request header too large\n"), head: false)
                return flush(c)
            }
            return true
        }
        c.output = respond(to: c.input)
        return flush(c)
    }

    private func respond(to request: [UInt8]) -> [UInt8] {
        let lineEnd = request.firstIndex(of: 13) ?? request.count
        let parts = String(decoding: request[..<lineEnd], as: UTF8.self).split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
            return Self.encode(Response(status: 400, body: "bad request\n"), head: false)
        }
        let method = parts[0]
        guard method == "GET" || method == "HEAD" else {
            return Self.encode(Response(status: 405, body: "only GET is served\n"), head: false, extra: "Allow: GET, HEAD\r\n")
        }
        let path = String(parts[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        return Self.encode(handler(path), head: method == "HEAD")
    }

    /// Writes what it can. False when done (all written, or the peer went away).
    private func flush(_ c: Connection) -> Bool {
        while c.written < c.output.count {
            let n = c.output.withUnsafeBytes { send(c.fd, $0.baseAddress! + c.written, $0.count - c.written, Int32(MSG_NOSIGNAL)) }
            if n < 0 { return errno == EAGAIN || errno == EINTR }
            c.written += n
        }
        return false
    }

    static func encode(_ response: Response, head: Bool, extra: String = "") -> [UInt8] {
        let reason = [200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
                      431: "Request Header Fields Too Large", 503: "Service Unavailable"][response.status] ?? "Status"
        var text = "HTTP/1.1 \(response.status) \(reason)\r\nContent-Type: \(response.contentType)\r\n"
        text += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\(extra)\r\n"
        return Array(text.utf8) + (head ? [] : response.body)
    }
}

/// A server that could not start, with a message for the user.
public struct ServeError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
