#if canImport(Glibc)
import Glibc
#endif

/// Decides which paths found by a glob or in a directory may be read. vigil often runs with read
/// access to every log on a host, so a symlink planted in a log directory must not make it read
/// `/etc/shadow`, and a FIFO or device must not hang or flood it (RELIABILITY F1, F2).
public struct PathGuard: Sendable {
    /// Why a path is not read.
    public enum Refusal: Sendable, Equatable, CustomStringConvertible {
        case notRegular(String)
        case outsideRoots(String)
        case symlinkLoop
        case unreadable(String)

        public var description: String {
            switch self {
            case .notRegular(let kind): "not a regular file (\(kind))"
            case .outsideRoots(let target): "symlink to \(target), outside the log directories"
            case .symlinkLoop: "symlink loop"
            case .unreadable(let reason): reason
            }
        }
    }

    /// Directories (resolved) that symlinks may lead into.
    public let roots: [String]

    public init(roots: [String]) {
        self.roots = roots.compactMap { PathGuard.resolve($0) }.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
    }

    /// The roots for a set of inputs: the directory part of each path or glob (up to the first glob
    /// character), so `/var/log/app/*.log` allows `/var/log/app/`.
    public static func roots(for inputs: [String]) -> [String] {
        inputs.filter { $0 != "-" }.map { input in
            let fixed = input.prefix { !"*?[".contains($0) }
            guard let slash = fixed.lastIndex(of: "/") else { return "." }
            return slash == fixed.startIndex ? "/" : String(fixed[..<slash])
        }
    }

    /// nil when `path` may be read.
    public func check(_ path: String) -> Refusal? {
        var info = stat()
        if stat(path, &info) != 0 {
            let e = errno
            return e == ELOOP ? .symlinkLoop : .unreadable(String(cString: strerror(e)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .notRegular("directory")
        case S_IFIFO: return .notRegular("FIFO")
        case S_IFCHR, S_IFBLK: return .notRegular("device")
        case S_IFSOCK: return .notRegular("socket")
        default: return .notRegular("special file")
        }
        var link = stat()
        if lstat(path, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK, !roots.isEmpty {
            guard let target = PathGuard.resolve(path) else { return .unreadable("cannot resolve symlink") }
            if !roots.contains(where: { target.hasPrefix($0) }) { return .outsideRoots(target) }
        }
        return nil
    }

    static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
