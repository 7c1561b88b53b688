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
    private(set) var parser: LineParser
    // Replaced when the file is parked and reopened (FollowedFile+Parking.swift).
    var reader: LineReader
    var fd: Int32
    /// Absolute offset to go on from while the descriptor is closed (parked); nil while open.
    var parkedAt: Int64?
    private(set) var device: UInt64
    private(set) var inode: UInt64
    /// Set when the path no longer names this file; the descriptor is drained, then closed.
    private(set) var retiredAt: EventTime?
    private(set) var retirement: Retirement?
    /// Copytruncate events seen, and bytes of partial lines dropped by them.
    private(set) var truncations = 0

    /// Opens `path`; with `fromEnd`, existing content is skipped (`--tail`). A checkpoint's file is
    /// reopened where it was found (`openPath`, a rotated name) and continued at `resume`. With
    /// `pinned`, the file discovery looked at is followed (its descriptor duplicated), not whatever
    /// the path names by now.
    init(path: String, source: Source, rules: RuleSet, year: Int?, fromEnd: Bool, maxLineBytes: Int,
         openPath: String? = nil, pinned: PinnedFile? = nil, resume: (offset: Int64, lines: Int)? = nil) throws(InputError) {
        self.path = path
        self.source = source
        let opened: (fd: Int32, device: UInt64, inode: UInt64)
        if let pinned { opened = try Self.duplicate(pinned, path: path) } else { opened = try Self.open(openPath ?? path) }
        fd = opened.fd
        device = opened.device
        inode = opened.inode
        if fromEnd { lseek(fd, 0, SEEK_END) }
        reader = LineReader(stream: DescriptorStream(fd: fd, path: openPath ?? path, owned: true), maxLineBytes: maxLineBytes)
        reader.follow = true
        reader.skipsNULRuns = true
        if let resume {
            lseek(fd, off_t(resume.offset), SEEK_SET)
            reader.resume(atOffset: resume.offset, lineNumber: resume.lines)
        }
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

    static func duplicate(_ pinned: PinnedFile, path: String) throws(InputError) -> (fd: Int32, device: UInt64, inode: UInt64) {
        let fd = dup(pinned.fd)
        guard fd >= 0 else { throw InputError(kind: .unreadable, path: path, message: String(cString: strerror(errno))) }
        lseek(fd, 0, SEEK_SET)
        return (fd, UInt64(pinned.info.st_dev), UInt64(pinned.info.st_ino))
    }

    /// What was known of a file's content when it was truncated in place.
    struct Truncation {
        /// Offset of the first byte not processed (a partial line starts there), and lines before it.
        var consumedOffset: Int64
        var lines: Int
        /// The head of the content before truncation (to find its copy).
        var head: UInt64?
        /// For content shorter than a head: the key of what had been read of it (to find its copy).
        var smallPrefix: SmallPrefix?
    }

    /// The key (`FileHead.smallContent`) of a small file's first `count` bytes, all read.
    struct SmallPrefix: Hashable {
        var count: Int
        var key: UInt64
    }

    /// Checks the file once per poll. When it shrank below what was read (copytruncate), reading
    /// restarts from its beginning and what had been consumed of the old content is returned.
    func checkTruncation() -> Truncation? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        // Shorter than what was read, or the same length or longer but with other first bytes
        // (truncated and written again past our offset before we looked): a new generation.
        let shrank = Int64(info.st_size) < reader.readOffset
        let rewritten = head.map { FileHead.hash(fd: fd) != $0 }
            ?? smallPrefix.map { FileHead.smallContent(fd: fd, count: $0.count) != $0.key } ?? false
        guard shrank || rewritten else { return nil }
        let truncation = Truncation(consumedOffset: reader.consumedOffset, lines: reader.linesHandedOut, head: head, smallPrefix: smallPrefix)
        lseek(fd, 0, SEEK_SET)
        reader.restart()
        truncations += 1
        head = nil
        // `smallPrefix` stays until the copy's tail has been read (`forgetSmallPrefix`): a
        // discovery meanwhile must still tell the copy from a new file.
        return truncation
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

    /// Hash of the file's first `FileHead.length` bytes once it has that many (see `FileHead`).
    private(set) var head: UInt64?

    /// Records the head once the file is long enough; a truncation forgets it (new content). With a
    /// head, the file is known by it: what was read of it while small no longer matters.
    func updateHead() {
        if head == nil { head = FileHead.hash(fd: fd) }
        if head != nil { smallPrefix = nil }
    }

    func forgetHead() { head = nil }

    /// After a truncation's copy was looked for: the old content's prefix means nothing any more.
    func forgetSmallPrefix() { smallPrefix = nil }

    /// Shorter now than what has been read of it (copytruncate truncated it).
    var wasTruncatedInPlace: Bool {
        var info = stat()
        return fstat(fd, &info) == 0 && Int64(info.st_size) < reader.readOffset
    }

    /// What has been read of a file shorter than a head (see `FileHead.smallContent`): tells a
    /// truncation and refill, and finds a copy with an unread tail.
    private(set) var smallPrefix: SmallPrefix?

    /// Brings `smallPrefix` up to what has been read, while the file is shorter than a head. When
    /// that is the whole file, returns its key, and the key it replaces (see `FileHead.smallContent`):
    /// only a file's latest content is kept as known, as a copy holds at least what was last read.
    func updateSmallContent() -> (key: UInt64, replaced: UInt64?)? {
        guard head == nil else { return nil }
        let read = Int(reader.consumedOffset)
        guard read != smallPrefix?.count, let key = FileHead.smallContent(fd: fd, count: read) else { return nil }
        let replaced = smallPrefix?.key
        smallPrefix = SmallPrefix(count: read, key: key)
        var info = stat()
        guard reader.pendingBytes == 0, fstat(fd, &info) == 0, Int64(info.st_size) == reader.consumedOffset else { return nil }
        return (key, replaced)
    }

    /// New formats after a reload; the framer and position stay.
    func replaceParser(rules: RuleSet, maxLineBytes: Int) {
        let timestamps = parser.timestamps
        parser = LineParser(rules: rules, defaultService: source.defaultService, maxLineBytes: maxLineBytes)
        parser.timestamps = timestamps
    }
}

/// A file's identity by content: the hash of its first 1 KiB (decompressed for gzip). A rotated
/// generation — renamed, copied by copytruncate, or compressed to `.gz` — keeps the head of the file
/// it came from, so it is recognised and not read twice. Shorter files have no head: two small
/// files, or files sharing a short header, are never confused.
enum FileHead {
    static let length = 1024

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h
    }

    /// The head of an open plain file, nil while it is shorter than `length`.
    /// (With `count`: the hash of the first `count` bytes, a checkpoint's fingerprint.)
    static func hash(fd: Int32, count: Int = length) -> UInt64? {
        var buffer = [UInt8](repeating: 0, count: max(1, count))
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, 0) }
        guard n == count else { return nil }
        return buffer.withUnsafeBytes { hash(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
    }

    /// The head of a file by path, decompressing gzip; nil when shorter than `length` or unreadable.
    static func hash(path: String, count: Int = length) -> UInt64? {
        guard let (bytes, filled) = prefix(path: path, count: count), filled == count else { return nil }
        return bytes.withUnsafeBytes { hash(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
    }

    /// A file shorter than `length` has no head; its whole content identifies it instead, marked
    /// with its length so it never equals a head. Known files under 1 KiB (a quiet service's log)
    /// are then recognised when rotation renames or copies them, and not read again.
    static func smallContent(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        (hash(bytes) ^ 0x9e37_79b9_7f4a_7c15) &* 0xff51_afd7_ed55_8ccd &+ UInt64(bytes.count)
    }

    /// What a file read to its end is known by: its head, or its `smallContent` when shorter.
    static func key(path: String) -> UInt64? {
        let (head, small) = identify(path: path)
        return head ?? small
    }

    /// A file's head, or when it is shorter (and not empty) its `smallContent`, from one read.
    static func identify(path: String) -> (head: UInt64?, smallContent: UInt64?) {
        guard let (bytes, filled) = prefix(path: path, count: length), filled > 0 else { return (nil, nil) }
        return bytes.withUnsafeBytes { (all: UnsafeRawBufferPointer) -> (head: UInt64?, smallContent: UInt64?) in
            let read = UnsafeRawBufferPointer(rebasing: all.prefix(filled))
            if filled == length { return (hash(read), nil) }
            return (nil, smallContent(read))
        }
    }

    /// `smallContent` of the first `count` bytes of a file by path (decompressing gzip); nil when
    /// it has fewer.
    static func smallContent(path: String, count: Int) -> UInt64? {
        guard count > 0, count < length, let (bytes, filled) = prefix(path: path, count: count), filled == count else { return nil }
        return bytes.withUnsafeBytes { smallContent(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
    }

    /// `smallContent` of the first `count` bytes of an open plain file (0 < count < `length`).
    static func smallContent(fd: Int32, count: Int) -> UInt64? {
        guard count > 0, count < length else { return nil }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, 0) }
        guard n == count else { return nil }
        return buffer.withUnsafeBytes { smallContent($0) }
    }

    /// Up to `count` first bytes of a file by path (decompressing gzip), and how many there were.
    private static func prefix(path: String, count: Int) -> ([UInt8], Int)? {
        guard let stream = try? InputOpener.open(path) else { return nil }
        var buffer = [UInt8](repeating: 0, count: max(1, count))
        var filled = 0
        while filled < count {
            let n = buffer.withUnsafeMutableBufferPointer { (try? stream.read(into: $0.baseAddress! + filled, capacity: count - filled)) ?? 0 }
            if n == 0 { break }
            filled += n
        }
        return (buffer, filled)
    }
}
