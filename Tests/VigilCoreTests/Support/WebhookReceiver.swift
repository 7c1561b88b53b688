import Foundation

/// A small HTTP server for tests that records the bodies POSTed to it (an Alertmanager webhook
/// receiver, a chat or ticketing endpoint) and answers with `status` (200 unless told otherwise).
final class WebhookReceiver: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var heads: [String] = []
    private var answer = 200
    private var answerBody = ""
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr)
        _ = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = UInt16(bigEndian: sin.sin_port)
        listen(fd, 16)
        listener = fd
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var bodies: [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Request lines (`POST /hook`) in arrival order, matching `bodies`.
    var requestLines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return heads
    }

    /// The status code (and body) later requests get (500 to test retries).
    func respond(with status: Int, body: String = "") {
        lock.lock()
        answer = status
        answerBody = body
        lock.unlock()
    }

    func stop() {
        lock.lock()
        let already = stopped
        stopped = true
        lock.unlock()
        if already { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        done.wait()
    }

    private func serve() {
        defer { done.signal() }
        while true {
            var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 200)
            lock.lock()
            let stop = stopped
            lock.unlock()
            if stop { return }
            if ready <= 0 { continue }
            let fd = accept(listener, nil, nil)
            if fd < 0 { continue }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            handle(fd)
            close(fd)
        }
    }

    private func handle(_ fd: Int32) {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var bodyStart: Int?
        var contentLength = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            data += buffer[0..<n]
            if bodyStart == nil, let end = String(decoding: data, as: UTF8.self).range(of: "\r\n\r\n") {
                let head = String(decoding: data, as: UTF8.self)[..<end.lowerBound]
                bodyStart = String(decoding: data, as: UTF8.self)[..<end.upperBound].utf8.count
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let start = bodyStart, data.count - start >= contentLength {
                lock.lock()
                received.append(String(decoding: data[start...], as: UTF8.self))
                heads.append(String(String(decoding: data, as: UTF8.self).prefix { $0 != "\r" && $0 != "\n" }.split(separator: " ").prefix(2).joined(separator: " ")))
                let status = answer
                let body = answerBody
                lock.unlock()
                let response = "HTTP/1.1 \(status) X\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
                _ = response.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                return
            }
        }
    }
}

/// Appends log lines stamped with the wall clock, a few per interval, until stopped; `errors`
/// switches between error and OK lines.
final class WallClockLogWriter: @unchecked Sendable {
    private let lock = NSLock()
    private var errorMode = false
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init(path: String, service: String = "checkout", linesPerTick: Int = 4, interval: TimeInterval = 0.1) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        let thread = Thread { [self] in
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            while true {
                lock.lock()
                let (stop, errors) = (stopped, errorMode)
                lock.unlock()
                if stop { break }
                let stamp = formatter.string(from: Date())
                var text = ""
                for _ in 0..<linesPerTick {
                    text += errors ? "\(stamp) ERROR [\(service)] payment failed code=502 latency_ms=30\n"
                                   : "\(stamp) INFO [\(service)] payment ok latency_ms=20\n"
                }
                handle.write(Data(text.utf8))
                Thread.sleep(forTimeInterval: interval)
            }
            try? handle.close()
            done.signal()
        }
        thread.start()
    }

    var errors: Bool {
        get { lock.lock(); defer { lock.unlock() }; return errorMode }
        set { lock.lock(); errorMode = newValue; lock.unlock() }
    }

    func stop() {
        lock.lock()
        let already = stopped
        stopped = true
        lock.unlock()
        if !already { done.wait() }
    }
}
