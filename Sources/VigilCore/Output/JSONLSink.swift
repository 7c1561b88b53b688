#if canImport(Glibc)
import Glibc
#endif

/// Writes encoded records to a file or stdout through one buffer and `write(2)`.
public final class JSONLSink {
    private let fd: Int32
    private let path: String
    private let owned: Bool
    private var buffer: [UInt8] = []
    /// The first write error; once set, nothing more is written (exit 74).
    public private(set) var error: String?

    /// `-` is stdout; a path is created (0640) or truncated.
    public init(path: String) throws(InputError) {
        self.path = path
        if path == "-" {
            fd = 1
            owned = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw InputError(kind: .io, path: path, message: String(cString: strerror(errno))) }
            owned = true
        }
        buffer.reserveCapacity(64 * 1024)
    }

    deinit {
        flush()
        if owned { close(fd) }
    }

    public func write(_ record: Record) {
        buffer.append(contentsOf: RecordEncoder.encode(record))
        if buffer.count >= 64 * 1024 { flush() }
    }

    /// Writes what is buffered; on failure records the error and drops nothing silently.
    @discardableResult
    public func flush() -> Bool {
        guard error == nil else { return false }
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
