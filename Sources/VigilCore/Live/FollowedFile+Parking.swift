#if canImport(Glibc)
import Glibc
#endif

/// Parking: a followed file whose descriptor is closed to stay under the open-file budget
/// (RELIABILITY F3: thousands of files under a glob, `ulimit -n 256`). Only a drained file is
/// parked — no partial line held, no long line being skipped — so its whole state is its offset,
/// its line count and its identity; it is reopened by path when the file there, the same inode,
/// changed size.
///
/// Limit: a parked file that grows and is renamed away before the next poll is only seen as
/// rotated; what it got after it was parked is not read (it cannot be reopened by inode).
extension FollowedFile {
    var isParked: Bool { parkedAt != nil }

    /// Open, not retired, and holding nothing between reads.
    var canPark: Bool {
        !isParked && retiredAt == nil && reader.pendingBytes == 0 && !reader.isSkippingLongLine
    }

    /// Closes the descriptor; the reader left in place only keeps the offset and line count.
    func park() {
        guard canPark else { return }
        parkedAt = Int64(lseek(fd, 0, SEEK_CUR))
        let offset = reader.consumedOffset, lines = reader.linesHandedOut
        // The old reader owns the descriptor and closes it as it goes; the new one reads nothing.
        reader = LineReader(stream: DescriptorStream(fd: -1, path: path, owned: false), maxLineBytes: 0, chunkBytes: 0)
        reader.resume(atOffset: offset, lineNumber: lines)
        fd = -1
    }

    /// Whether the path still names the parked file and its size moved from where reading stopped.
    var changedWhileParked: Bool {
        guard let parkedAt else { return false }
        var info = stat()
        guard stat(path, &info) == 0, UInt64(info.st_ino) == inode, UInt64(info.st_dev) == device else { return false }
        return Int64(info.st_size) != parkedAt
    }

    /// Reopens a parked file where it stopped. False when the path now names another file (then
    /// `checkPath` retires it); throws when it cannot be opened (permissions, descriptors).
    func unpark(maxLineBytes: Int) throws(InputError) -> Bool {
        guard let parkedAt else { return true }
        let opened = try Self.open(path)
        guard opened.inode == inode, opened.device == device else { close(opened.fd); return false }
        lseek(opened.fd, off_t(parkedAt), SEEK_SET)
        let resumed = LineReader(stream: DescriptorStream(fd: opened.fd, path: path, owned: true), maxLineBytes: maxLineBytes)
        resumed.follow = true
        resumed.skipsNULRuns = true
        resumed.resume(atOffset: reader.consumedOffset, lineNumber: reader.linesHandedOut)
        reader = resumed
        fd = opened.fd
        self.parkedAt = nil
        return true
    }
}
