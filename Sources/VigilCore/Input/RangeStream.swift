#if canImport(Glibc)
import Glibc
#endif

/// Bytes `[start, end)` of a plain file, read with `pread`: one segment of a large file parsed on
/// its own thread (`replay --jobs`).
public final class RangeStream: ByteStream {
    private let fd: Int32
    private let path: String
    private var position: Int64
    private let end: Int64

    public init(path: String, start: Int64, end: Int64) throws(InputError) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(kind: errno == ENOENT ? .notFound : .unreadable, path: path, message: String(cString: strerror(errno))) }
        self.path = path
        position = start
        self.end = end
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        let wanted = Int(min(Int64(capacity), end - position))
        guard wanted > 0 else { return 0 }
        while true {
            let n = pread(fd, buffer, wanted, off_t(position))
            if n >= 0 { position += Int64(n); return n }
            if errno == EINTR { continue }
            throw InputError(kind: .io, path: path, message: "read failed: \(String(cString: strerror(errno)))")
        }
    }

    /// The size of a regular file that is not gzip, else nil.
    static func plainFileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var magic: (UInt8, UInt8) = (0, 0)
        let n = withUnsafeMutableBytes(of: &magic) { pread(fd, $0.baseAddress, 2, 0) }
        if n == 2, magic.0 == 0x1f, magic.1 == 0x8b { return nil }
        return Int64(info.st_size)
    }

    /// A plain file of at least `minimumBytes` cut at line starts into segments of about
    /// `segmentBytes` (at least `count` of them) for threads to read apart; nil for anything else
    /// (gzip, not a regular file, small). The last segment reads to the end of the file, wherever
    /// that is by then.
    static func lineAlignedSegments(of path: String, atLeast count: Int, minimumBytes: Int64, segmentBytes: Int64) -> [(start: Int64, end: Int64)]? {
        guard let size = plainFileSize(path), size >= minimumBytes, size > 0 else { return nil }
        let pieces = max(Int64(count), size / max(segmentBytes, 1))
        var cuts: [Int64] = [0]
        for i in 1..<max(pieces, 1) {
            guard let cut = lineStart(atOrAfter: size * i / pieces, in: path), cut > cuts.last!, cut < size else { continue }
            cuts.append(cut)
        }
        return cuts.indices.map { i in (cuts[i], i + 1 < cuts.count ? cuts[i + 1] : Int64.max) }
    }

    /// The offset just after the first newline at or after `offset` (where a line starts).
    static func lineStart(atOrAfter offset: Int64, in path: String) -> Int64? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // Lines are short: a small buffer finds the newline without copying much.
        var buffer = [UInt8](repeating: 0, count: 4096)
        var position = offset
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(position)) }
            guard n > 0 else { return nil }
            if let i = buffer[0..<n].firstIndex(of: 10) { return position + Int64(i) + 1 }
            position += Int64(n)
        }
    }
}
