#if canImport(Glibc)
import Glibc
#endif
import CZlib
import CSIMD

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
///
/// Each member's CRC-32 and length are checked here rather than by zlib (`inflateValidate` off):
/// zlib's CRC took ~6 % of the CPU of a .gz replay, `vigil_crc32` folds with carry-less
/// multiplication at ~11 GB/s. zlib still reads the trailer; its eight bytes are the last ones
/// consumed when the member ends. A member whose header carries a CRC of its own (FHCRC, rare) is
/// left to zlib, which alone sees the header whole.
public final class GzipStream: ByteStream {
    private let source: ByteStream
    private let path: String
    private var stream = z_stream()
    private let input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 256 * 1024
    private var finished = false
    private var memberEnded = false
    /// The current member's CRC-32 and length (mod 2^32) so far, as its trailer states them.
    private var memberCRC: UInt32 = 0
    private var memberLength: UInt32 = 0
    /// No byte of the current member inflated yet: its header's flags decide who checks it.
    private var atMemberStart = true
    /// zlib checks this member itself: its header carries a CRC of its own (FHCRC), which only zlib
    /// sees whole, or its flags were not in view when it began (then zlib's CRC costs what it did).
    private var zlibChecksMember = false
    /// The last eight input bytes before the current input buffer (the newest in the top byte),
    /// for a trailer that straddles two reads; and how many bytes the current buffer holds.
    private var earlierInput: UInt64 = 0
    private var inputFilled = 0
    /// The capacity of the buffer the current `read` fills.
    private var readCapacity = 0
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
        guard vigil_inflate_init2(&stream, 16 + MAX_WBITS) == Z_OK, inflateValidate(&stream, 0) == Z_OK else {
            input.deallocate()
            throw InputError(kind: .io, path: path, message: "zlib initialisation failed")
        }
    }

    /// Whether the trailer zlib has just read (the last eight bytes consumed) states the member's
    /// CRC-32 and length.
    private func trailerMatches() -> (crc: Bool, length: Bool) {
        let consumed = UnsafePointer(stream.next_in!) - UnsafePointer(input)
        var trailer: UInt64
        if consumed >= 8 {
            trailer = UInt64(littleEndian: UnsafeRawPointer(input + consumed - 8).loadUnaligned(as: UInt64.self))
        } else {
            trailer = earlierInput
            for i in 0..<consumed { trailer = trailer >> 8 | UInt64(input[i]) << 56 }
        }
        return (UInt32(truncatingIfNeeded: trailer) == memberCRC, UInt32(truncatingIfNeeded: trailer >> 32) == memberLength)
    }

    /// Keeps the last eight bytes of the input buffer before it is refilled.
    private func rememberConsumedInput() {
        if inputFilled >= 8 {
            earlierInput = UInt64(littleEndian: UnsafeRawPointer(input + inputFilled - 8).loadUnaligned(as: UInt64.self))
        } else {
            for i in 0..<inputFilled { earlierInput = earlierInput >> 8 | UInt64(input[i]) << 56 }
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
        readCapacity = capacity
        while stream.avail_out > 0 {
            if stream.avail_in == 0 {
                rememberConsumedInput()
                inputFilled = 0
                let n = try source.read(into: input, capacity: inputCapacity)
                if n == 0 {
                    if !memberEnded {
                        return try stop(InputError(kind: .corrupt, path: path, message: "gzip data ends before the end of its member (truncated archive)"))
                    }
                    finished = true
                    break
                }
                compressedBytes += n
                inputFilled = n
                stream.next_in = input
                stream.avail_in = UInt32(n)
            }
            if memberEnded {
                // Another member follows: gzip magic again, or trailing garbage we refuse to guess at.
                if stream.avail_in > 0, stream.next_in[0] != 0x1f {
                    return try stop(InputError(kind: .corrupt, path: path, message: "trailing data after the last gzip member"))
                }
                inflateReset(&stream)
                memberEnded = false
                memberCRC = 0
                memberLength = 0
                atMemberStart = true
            }
            if atMemberStart {
                atMemberStart = false
                // FLG is the member's fourth byte; bit 1 is FHCRC.
                zlibChecksMember = stream.avail_in < 4 || stream.next_in[3] & 0x02 != 0
                inflateValidate(&stream, zlibChecksMember ? 1 : 0)
            }
            let before = stream.next_out!
            let rc = inflate(&stream, Z_NO_FLUSH)
            let made = stream.next_out! - before
            if made > 0, !zlibChecksMember {
                memberCRC = vigil_crc32(memberCRC, before, made)
                memberLength &+= UInt32(truncatingIfNeeded: made)
            }
            switch rc {
            case Z_OK, Z_BUF_ERROR: continue
            case Z_STREAM_END:
                memberEnded = true
                if zlibChecksMember { continue }
                // zlib's own words for these, as when it checked them itself.
                let matches = trailerMatches()
                if !matches.crc { return try stop(InputError(kind: .corrupt, path: path, message: "corrupt gzip data: incorrect data check")) }
                if !matches.length { return try stop(InputError(kind: .corrupt, path: path, message: "corrupt gzip data: incorrect length check")) }
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "inflate error \(rc)"
                return try stop(InputError(kind: .corrupt, path: path, message: "corrupt gzip data: \(reason)"))
            }
        }
        let produced = capacity - Int(stream.avail_out)
        decompressedBytes += produced
        if decompressedBytes > GzipStream.maxBytes
            || (decompressedBytes > GzipStream.ratioFloorBytes && decompressedBytes > compressedBytes * GzipStream.maxRatio) {
            finished = true
            pendingError = InputError(kind: .limit, path: path,
                message: "archive limit: inflated \(decompressedBytes) bytes from \(compressedBytes) (more than \(GzipStream.maxRatio)× or \(GzipStream.maxBytes) bytes); the rest is skipped")
        }
        return produced
    }

    /// Ends the stream on damage: the bytes inflated by this read before it are handed out first,
    /// and the error comes with the next read.
    private func stop(_ error: InputError) throws(InputError) -> Int {
        finished = true
        let produced = readCapacity - Int(stream.avail_out)
        guard produced > 0 else { throw error }
        decompressedBytes += produced
        pendingError = error
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
