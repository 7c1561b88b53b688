#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A minimal blocking HTTP client for the delivery threads (Alertmanager, webhooks): HTTP/1.0 on
/// plain sockets for `http://`, libcurl for `https://` (HTTPClient+TLS.swift). Every step has a
/// timeout so a receiver that hangs cannot hold a delivery thread forever.
public struct HTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    /// Seconds per step of an exchange (connect, send, each read; with TLS: the handshake, the rest).
    public var timeout: Double
    /// PEM bundle of the certificate authorities trusted for `https://` instead of the system
    /// store (`vigil run --ca-file`); nil trusts the system store.
    public var caFile: String?

    public init(timeout: Double = 5, caFile: String? = nil) {
        self.timeout = timeout
        self.caFile = caFile
    }

    /// Sends one request and reads the response (at most `maxResponseBytes` of it); throws with a
    /// message naming the endpoint on any failure.
    public func send(_ method: String, _ endpoint: Endpoint, body: [UInt8], contentType: String = "application/json",
                     headers: [(String, String)] = []) throws(ServeError) -> Response {
        switch endpoint.scheme {
        case .http: try sendPlain(method, endpoint, body: body, contentType: contentType, headers: headers)
        case .https: try sendTLS(method, endpoint, body: body, contentType: contentType, headers: headers)
        }
    }

    /// A receiver's answer is read this far and no further (a body is for error messages and ticket ids).
    static let maxResponseBytes = 1 << 20

    private func sendPlain(_ method: String, _ endpoint: Endpoint, body: [UInt8], contentType: String,
                           headers: [(String, String)]) throws(ServeError) -> Response {
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
        while response.count < Self.maxResponseBytes {
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
