#if canImport(Glibc)
import Glibc
#endif

/// Writes encoded records (or tap lines) to a file or stdout through one buffer and `write(2)`.
public final class JSONLSink: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private let owned: Bool
    private var buffer: [UInt8] = []
    /// The first write error; once set, nothing more is written (exit 74).
    public private(set) var error: String?

    /// `-` is stdout; a path is created (0640), and truncated (replay) or appended to (live mode).
    public init(path: String, append: Bool = false) throws(InputError) {
        self.path = path
        if path == "-" {
            fd = 1
            owned = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw InputError(kind: .io, path: path, message: String(cString: strerror(errno))) }
            owned = true
        }
        buffer.reserveCapacity(64 * 1024)
    }

    deinit {
        flush()
        if owned { close(fd) }
    }

    public func write(_ record: Record) { append(RecordEncoder.encode(record)) }

    /// Buffers already-encoded lines.
    public func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 64 * 1024 { flush() }
    }

    /// Writes what is buffered; on failure records the error and drops nothing silently.
    @discardableResult
    public func flush() -> Bool {
        guard error == nil else { return false }
        guard !buffer.isEmpty else { return true }
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, buffer.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                error = "\(path): write failed: \(String(cString: strerror(errno)))"
                return false
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
        return true
    }
}
