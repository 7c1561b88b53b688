#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A minimal blocking HTTP/1.0 client on plain sockets for the delivery threads (Alertmanager,
/// webhooks). Plain `http://` only; every step has a timeout so a receiver that hangs cannot hold
/// a delivery thread forever.
public struct HTTPClient: Sendable {
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: UInt16
        /// Path and query, starting with `/`.
        public var path: String

        /// Parses `http://HOST[:PORT][/PATH]`; nil for anything else (https needs a TLS library).
        public init?(url: String) {
            guard url.hasPrefix("http://") else { return nil }
            let rest = url.dropFirst(7)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = rest[..<slash]
            path = slash == rest.endIndex ? "/" : String(rest[slash...])
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let after = authority[authority.index(after: close)...]
                guard after.isEmpty || after.hasPrefix(":"), let p = after.isEmpty ? 80 : UInt16(after.dropFirst()) else { return nil }
                port = p
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                guard let p = UInt16(authority[authority.index(after: colon)...]) else { return nil }
                port = p
            } else {
                host = String(authority)
                port = 80
            }
            if host.isEmpty { return nil }
        }

        public var description: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)\(path)" }

        /// The same server, another path.
        public func with(path: String) -> Endpoint {
            var copy = self
            copy.path = path
            return copy
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    public var timeout: Double

    public init(timeout: Double = 5) { self.timeout = timeout }

    /// Sends one request and reads the whole response; throws with a message on any failure.
    public func send(_ method: String, _ endpoint: Endpoint, body: [UInt8], contentType: String = "application/json",
                     headers: [(String, String)] = []) throws(ServeError) -> Response {
        let fd = try connect(endpoint)
        defer { close(fd) }
        var head = "\(method) \(endpoint.path) HTTP/1.0\r\nHost: \(endpoint.host):\(endpoint.port)\r\nUser-Agent: vigil\r\n"
        head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw ServeError("\(endpoint): send: \(String(cString: strerror(errno)))") }
            sent += n
        }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16384)
        while response.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { throw ServeError("\(endpoint): no response: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw ServeError("\(endpoint): not an HTTP response")
        }
        return Response(status: status, body: text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? "")
    }

    private func connect(_ endpoint: Endpoint) throws(ServeError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list) == 0, let first = list else {
            throw ServeError("\(endpoint): cannot resolve \(endpoint.host)")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var info: UnsafeMutablePointer<addrinfo>? = first
        while let current = info {
            info = current.pointee.ai_next
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), current.pointee.ai_protocol)
            if fd < 0 { continue }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var result = Glibc.connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&p, 1, Int32(timeout * 1000)) == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    result = error == 0 ? 0 : -1
                    errno = error
                } else {
                    errno = ETIMEDOUT
                }
            }
            if result == 0 {
                _ = fcntl(fd, F_SETFL, flags)
                var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                return fd
            }
            lastError = String(cString: strerror(errno))
            close(fd)
        }
        throw ServeError("\(endpoint): cannot connect: \(lastError)")
    }
}
