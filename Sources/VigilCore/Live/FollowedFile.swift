#if canImport(Glibc)
import Glibc
#endif

/// One file followed by `vigil run`: an open descriptor read in follow mode, and what it takes to
/// notice rotation (the path now names another inode), copytruncate (the file shrank below what was
/// read) and deletion, without losing the lines still in the old file.
final class FollowedFile {
    /// Why a followed file stopped being followed.
    enum Retirement { case rotated, deleted }

    let path: String
    let source: Source
    let parser: LineParser
    private(set) var reader: LineReader
    private(set) var fd: Int32
    private(set) var device: UInt64
    private(set) var inode: UInt64
    /// Set when the path no longer names this file; the descriptor is drained, then closed.
    private(set) var retiredAt: EventTime?
    private(set) var retirement: Retirement?
    /// Copytruncate events seen, and bytes of partial lines dropped by them.
    private(set) var truncations = 0

    /// Opens `path`; with `fromEnd`, existing content is skipped (`--tail`).
    init(path: String, source: Source, rules: RuleSet, year: Int?, fromEnd: Bool, maxLineBytes: Int) throws(InputError) {
        self.path = path
        self.source = source
        let opened = try Self.open(path)
        fd = opened.fd
        device = opened.device
        inode = opened.inode
        if fromEnd { lseek(fd, 0, SEEK_END) }
        reader = LineReader(stream: DescriptorStream(fd: fd, path: path, owned: true), maxLineBytes: maxLineBytes)
        reader.follow = true
        parser = LineParser(rules: rules, defaultService: source.defaultService, maxLineBytes: maxLineBytes)
        parser.timestamps = TimestampParser.forFile(path, year: year)
    }

    static func open(_ path: String) throws(InputError) -> (fd: Int32, device: UInt64, inode: UInt64) {
        // O_NONBLOCK so that a FIFO never blocks the loop; only regular files are followed.
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let e = errno
            throw InputError(kind: e == ENOENT ? .notFound : .unreadable, path: path, message: String(cString: strerror(e)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            throw InputError(kind: .unreadable, path: path, message: "not a regular file")
        }
        return (fd, UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Checks the file and its path once per poll. Returns true when the file shrank (copytruncate)
    /// and reading restarted from its beginning.
    func checkTruncation() -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        // Fewer bytes than already read: truncated in place. Re-read from the start.
        if Int64(info.st_size) < reader.readOffset {
            lseek(fd, 0, SEEK_SET)
            reader.restart()
            truncations += 1
            return true
        }
        return false
    }

    /// Whether the path still names this file; when not, the file is marked retired at `now`.
    func checkPath(now: EventTime) {
        guard retiredAt == nil else { return }
        var info = stat()
        if stat(path, &info) != 0 {
            retiredAt = now
            retirement = .deleted
        } else if UInt64(info.st_ino) != inode || UInt64(info.st_dev) != device {
            retiredAt = now
            retirement = .rotated
        }
    }

    /// Closes the descriptor (once it has been drained).
    func close() {
        reader.endOfInput()
    }
}
