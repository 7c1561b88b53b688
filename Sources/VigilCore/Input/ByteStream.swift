#if canImport(Glibc)
import Glibc
#endif
import CZlib

/// A failure reading input, with the path so the user knows which file.
public struct InputError: Error, Sendable, CustomStringConvertible {
    /// `limit`: an archive exceeded the decompression limits (a gzip bomb).
    public enum Kind: Sendable { case notFound, unreadable, corrupt, io, limit }
    public let kind: Kind
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }
}

/// Bytes in: a plain file, a gzip file (all members), or stdin.
public protocol ByteStream: AnyObject {
    /// Fills up to `capacity` bytes at `buffer`; 0 means end of input.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int
}

/// Plain bytes from a file descriptor with `read(2)` (Foundation's FileHandle is ~100× slower here).
public final class DescriptorStream: ByteStream {
    let fd: Int32
    let path: String
    private let owned: Bool
    /// The last read found the end of the input (a pipe closed), not just no data yet.
    public private(set) var reachedEnd = false

    public init(fd: Int32, path: String, owned: Bool) {
        self.fd = fd
        self.path = path
        self.owned = owned
    }

    deinit { if owned { close(fd) } }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, capacity)
            if n >= 0 { reachedEnd = n == 0; return n }
            if errno == EINTR { continue }
            // A non-blocking pipe with nothing in it yet (stdin in live mode).
            if errno == EAGAIN || errno == EWOULDBLOCK { reachedEnd = false; return 0 }
            throw InputError(kind: .io, path: path, message: "read failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// Decompresses gzip with zlib's `inflate` directly, member after member: `cat a.gz b.gz > c.gz`
/// is valid gzip, and a single `inflate` stream would stop after the first member.
public final class GzipStream: ByteStream {
    private let source: ByteStream
    private let path: String
    private var stream = z_stream()
    private let input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 256 * 1024
    private var finished = false
    private var memberEnded = false
    /// Compressed bytes consumed so far (for progress and ratio limits).
    public private(set) var compressedBytes = 0
    /// Decompressed bytes produced so far.
    public private(set) var decompressedBytes = 0
    /// Gzip bombs: an archive stops being read (the lines before are kept, the file reported)
    /// once it has inflated past `ratioFloorBytes` at more than `maxRatio` times its compressed
    /// size, or past `maxBytes` in all. Real logs compress 5–50×; a zero-filled bomb ~1000×.
    public static let maxRatio = 200
    public static let ratioFloorBytes = 64 << 20
    public static let maxBytes = 64 << 30

    public convenience init(source: DescriptorStream) throws(InputError) {
        try self.init(source: source, path: source.path)
    }

    /// Inflates any byte stream (`path` names it in errors).
    public init(source: ByteStream, path: String) throws(InputError) {
        self.source = source
        self.path = path
        input = .allocate(capacity: inputCapacity)
        // 16 + MAX_WBITS: gzip wrapper only.
        guard vigil_inflate_init2(&stream, 16 + MAX_WBITS) == Z_OK else {
            input.deallocate()
            throw InputError(kind: .io, path: path, message: "zlib initialisation failed")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        guard !finished else {
            if let error = pendingError { pendingError = nil; throw error }
            return 0
        }
        stream.next_out = buffer
        stream.avail_out = UInt32(capacity)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 {
                let n = try source.read(into: input, capacity: inputCapacity)
                if n == 0 {
                    finished = true
                    if !memberEnded {
                        let error = InputError(kind: .corrupt, path: path, message: "gzip data ends before the end of its member (truncated archive)")
                        let produced = capacity - Int(stream.avail_out)
                        if produced > 0 { pendingError = error; return produced }
                        throw error
                    }
                    break
                }
                compressedBytes += n
                stream.next_in = input
                stream.avail_in = UInt32(n)
            }
            if memberEnded {
                // Another member follows: gzip magic again, or trailing garbage we refuse to guess at.
                if stream.avail_in > 0, stream.next_in[0] != 0x1f {
                    finished = true
                    throw InputError(kind: .corrupt, path: path, message: "trailing data after the last gzip member")
                }
                inflateReset(&stream)
                memberEnded = false
            }
            let rc = inflate(&stream, Z_NO_FLUSH)
            switch rc {
            case Z_OK, Z_BUF_ERROR: continue
            case Z_STREAM_END: memberEnded = true
            default:
                finished = true
                let produced = capacity - Int(stream.avail_out)
                let reason = stream.msg.map { String(cString: $0) } ?? "inflate error \(rc)"
                pendingError = InputError(kind: .corrupt, path: path, message: "corrupt gzip data: \(reason)")
                if produced > 0 { return produced }
                throw pendingError!
            }
        }
        let produced = capacity - Int(stream.avail_out)
        if produced == 0, let error = pendingError { pendingError = nil; throw error }
        decompressedBytes += produced
        if decompressedBytes > GzipStream.maxBytes
            || (decompressedBytes > GzipStream.ratioFloorBytes && decompressedBytes > compressedBytes * GzipStream.maxRatio) {
            finished = true
            pendingError = InputError(kind: .limit, path: path,
                message: "archive limit: inflated \(decompressedBytes) bytes from \(compressedBytes) (more than \(GzipStream.maxRatio)× or \(GzipStream.maxBytes) bytes); the rest is skipped")
        }
        return produced
    }

    private var pendingError: InputError?
}

public enum InputOpener {
    /// Opens `path` (or stdin for `-`) and picks plain or gzip by the magic bytes, never the name.
    public static func open(_ path: String) throws(InputError) -> ByteStream {
        if path == "-" { return DescriptorStream(fd: 0, path: "-", owned: false) }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let e = errno
            throw InputError(kind: e == ENOENT ? .notFound : .unreadable, path: path, message: String(cString: strerror(e)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw InputError(kind: .unreadable, path: path, message: "not a regular file")
        }
        // Regular files never block; clear O_NONBLOCK, which only guarded against FIFOs at open.
        _ = fcntl(fd, F_SETFL, 0)
        var magic: (UInt8, UInt8) = (0, 0)
        let n = withUnsafeMutableBytes(of: &magic) { pread(fd, $0.baseAddress, 2, 0) }
        let plain = DescriptorStream(fd: fd, path: path, owned: true)
        if n == 2, magic.0 == 0x1f, magic.1 == 0x8b { return PrefetchingStream(source: try GzipStream(source: plain)) }
        return plain
    }
}
