#if canImport(Glibc)
import Glibc
#endif

/// The `--state` directory, checked (and created when only its last component is missing) before
/// any work starts: a path that cannot hold state fails at startup with its reason, instead of
/// after a long replay, or never (RELIABILITY F7).
public enum StateDirectory {
    /// Why the path cannot be used, as a message for the user (`--state PATH: …`).
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String { "--state \(path): \(reason)" }
    }

    /// Makes sure `path` is a directory this process can create files in, and that other users
    /// cannot write to (they could plant state or symlinks vigil would then trust).
    public static func prepare(_ path: String) throws(Problem) {
        func problem(_ reason: String) -> Problem { Problem(path: path, reason: reason) }
        func error() -> String { String(cString: strerror(errno)) }
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT else { throw problem(error()) }
            // Only the last component is created: a missing parent is more likely a typo.
            let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            var parentInfo = stat()
            if !parent.isEmpty, stat(parent, &parentInfo) != 0 { throw problem("parent directory \(parent): \(error())") }
            if mkdir(path, 0o700) != 0 { throw problem("cannot create: \(error())") }
            guard stat(path, &info) == 0 else { throw problem(error()) }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw problem("not a directory") }
        if info.st_mode & S_IWOTH != 0 && info.st_mode & S_ISVTX == 0 {
            throw problem("writable by every user; use a directory only vigil's user can write (chmod o-w)")
        }
        // access(2) answers for the real uid and ignores read-only mounts' details: try for real.
        let probe = path + "/.vigil-probe-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw problem("not writable: \(error())") }
        close(fd)
        unlink(probe)
    }
}
