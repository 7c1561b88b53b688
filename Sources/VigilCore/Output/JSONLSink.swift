#if canImport(Glibc)
import Glibc
#endif

/// Writes encoded records (or tap lines) to a file or stdout through one buffer and `write(2)`.
public final class JSONLSink: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private let owned: Bool
    /// A regular file: one that fsync makes durable and that a checkpoint can cut back. A device
    /// (`/dev/null`) or a pipe is neither: fsync fails on it (EINVAL), and it has no length.
    private let regular: Bool
    private var buffer: [UInt8] = []
    /// The first write error; once set, nothing more is written (exit 74).
    public private(set) var error: String?
    /// Set while the file system is full (ENOSPC, EDQUOT) or failing (EIO): what could not be
    /// written stays buffered and goes out at the next successful `flush`. `vigil run` holds its
    /// inputs meanwhile (RELIABILITY F5).
    public private(set) var stalled: String?

    /// `-` is stdout; a path is created (0640), and truncated (replay) or appended to (live mode).
    public init(path: String, append: Bool = false) throws(InputError) {
        self.path = path
        if path == "-" {
            fd = 1
            owned = false
            regular = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw InputError(kind: .io, path: path, message: String(cString: strerror(errno))) }
            owned = true
            var info = stat()
            regular = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
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

    /// Makes everything written so far durable and returns the file's length (what a checkpoint
    /// commits); nil for stdout, a device or a pipe, which cannot be cut back (written, not
    /// fsynced), or when writing or syncing failed.
    public func sync() -> Int64? {
        guard flush(), owned, regular else { return nil }
        guard fsync(fd) == 0 else {
            error = "\(path): fsync failed: \(String(cString: strerror(errno)))"
            return nil
        }
        let end = lseek(fd, 0, SEEK_END)
        return end >= 0 ? Int64(end) : nil
    }

    /// The file's length once what is buffered is written; nil for stdout, a device or a pipe, or
    /// after a write error.
    public var length: Int64? {
        guard flush(), owned, regular else { return nil }
        let end = lseek(fd, 0, SEEK_END)
        return end >= 0 ? Int64(end) : nil
    }

    /// Whether this sink is a regular file (a checkpoint can record and restore its length).
    public var isFile: Bool { owned && regular }

    /// Cuts a sink file back to what the last checkpoint committed: the records after it were
    /// written by a run that crashed before committing them, and will be written again.
    /// Returns the bytes cut; a file shorter than `length` is left alone (it was replaced).
    public static func cut(path: String, to length: Int64) throws(InputError) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        let size = Int64(info.st_size)
        guard size > length else { return 0 }
        guard truncate(path, off_t(length)) == 0 else {
            throw InputError(kind: .io, path: path, message: "cannot cut back to the checkpoint: \(String(cString: strerror(errno)))")
        }
        return size - length
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
                let e = errno
                if e == EINTR { continue }
                let message = "\(path): write failed: \(String(cString: strerror(e)))"
                if e == ENOSPC || e == EDQUOT || e == EIO {
                    // Maybe temporary: keep what was not written, in order.
                    buffer.removeFirst(done)
                    stalled = message
                } else {
                    error = message
                }
                return false
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
        stalled = nil
        return true
    }
}
