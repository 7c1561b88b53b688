#if canImport(Glibc)
import Glibc
#endif

/// A plain file opened once, whose segments are read by several threads (`--jobs`): every segment
/// reads this one descriptor with `pread`, so a file renamed or replaced while it is read (a
/// rotation during the replay) is still the file that was cut, as it is for one thread.
final class SegmentedFile: @unchecked Sendable {
    let fd: Int32
    let path: String
    /// Line-aligned byte ranges in file order; the last one reads to the end of the file, wherever
    /// that is by then.
    let ranges: [(start: Int64, end: Int64)]

    private init(fd: Int32, path: String, ranges: [(start: Int64, end: Int64)]) {
        self.fd = fd
        self.path = path
        self.ranges = ranges
    }

    deinit { close(fd) }

    /// `path` cut at line starts into segments of about `segmentBytes` (at least `count` of them)
    /// when it is a regular, plain (not gzip) file of at least `minimumBytes`; nil otherwise.
    static func open(_ path: String, atLeast count: Int, minimumBytes: Int64, segmentBytes: Int64) -> SegmentedFile? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var info = stat()
        var magic: (UInt8, UInt8) = (0, 0)
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int64(info.st_size) >= max(minimumBytes, 1),
              withUnsafeMutableBytes(of: &magic, { pread(fd, $0.baseAddress, 2, 0) }) == 2, !(magic.0 == 0x1f && magic.1 == 0x8b)
        else { close(fd); return nil }
        _ = fcntl(fd, F_SETFL, 0)
        let size = Int64(info.st_size)
        let pieces = max(Int64(count), size / max(segmentBytes, 1))
        var cuts: [Int64] = [0]
        for i in 1..<max(pieces, 1) {
            // size · i / pieces without overflowing on huge files.
            let target = size / pieces * i + size % pieces * i / pieces
            // A cut wanted inside the line an earlier cut already passed is no cut.
            guard target >= cuts.last! else { continue }
            // No newline after the target: no further cut either (scanning again from each later
            // target would read a long unbroken stretch once per target).
            guard let cut = lineStart(atOrAfter: target, fd: fd), cut < size else { break }
            if cut > cuts.last! { cuts.append(cut) }
        }
        let ranges = cuts.indices.map { i in (cuts[i], i + 1 < cuts.count ? cuts[i + 1] : Int64.max) }
        return SegmentedFile(fd: fd, path: path, ranges: ranges)
    }

    /// The offset just after the first newline at or after `offset` (where a line starts).
    private static func lineStart(atOrAfter offset: Int64, fd: Int32) -> Int64? {
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

/// Bytes `[start, end)` of a `SegmentedFile`, read with `pread`: one segment of a large file parsed
/// on its own thread (`replay --jobs`, `templates --jobs`).
final class RangeStream: ByteStream {
    private let file: SegmentedFile
    private var position: Int64
    private let end: Int64

    init(_ file: SegmentedFile, start: Int64, end: Int64) {
        self.file = file
        position = start
        self.end = end
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        let wanted = Int(min(Int64(capacity), end - position))
        guard wanted > 0 else { return 0 }
        while true {
            let n = pread(file.fd, buffer, wanted, off_t(position))
            if n >= 0 { position += Int64(n); return n }
            if errno == EINTR { continue }
            throw InputError(kind: .io, path: file.path, message: "read failed: \(String(cString: strerror(errno)))")
        }
    }
}
