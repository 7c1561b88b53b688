#if canImport(Glibc)
import Glibc
#endif

/// A file looked at through one descriptor held open. Rotation renames files while vigil looks at
/// them: a slow look at `.3.gz` could otherwise end on another generation than it began with (its
/// head noted for the wrong file). Every later open goes through `look` (`/proc/self/fd/N`), which
/// names this very file whatever its name has become.
final class PinnedFile {
    let fd: Int32
    let info: stat
    var look: String { "/proc/self/fd/\(fd)" }
    var identity: [UInt64] { [UInt64(info.st_dev), UInt64(info.st_ino)] }

    /// Nil when it cannot be opened or is not a regular file.
    init?(_ path: String) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return nil
        }
        self.fd = fd
        self.info = info
    }

    deinit { close(fd) }

    /// Device and inode of the file at `path` now (nil when there is none).
    static func identity(of path: String) -> [UInt64]? {
        var info = stat()
        return stat(path, &info) == 0 ? [UInt64(info.st_dev), UInt64(info.st_ino)] : nil
    }
}
