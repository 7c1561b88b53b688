#if canImport(Glibc)
import Glibc
#endif

/// How `vigil run` waits when its inputs have nothing new: on inotify watches of the inputs'
/// directories (a directory watch reports writes to, creation, renaming and deletion of the files in
/// it) and on the stdin or journal pipe, for at most the poll interval. Lines are then read as soon
/// as they are written, and an idle vigil does not spin. Where inotify is unavailable or its watch
/// limit is reached (`fs.inotify.max_user_watches`), or for files outside the watched directories
/// (a symlink's target elsewhere, logrotate's `olddir`), the poll interval still bounds the wait.
public final class ChangeWaiter {
    private let inotify: Int32
    private let stream: Int32?
    /// Descriptors that end a wait when readable (the signal descriptor).
    private let wakers: [Int32]
    /// Directories watched (none: plain polling).
    public private(set) var watched: [String] = []

    public init(inputs: [String], streamFD: Int32?, wakers: [Int32] = []) {
        stream = streamFD
        self.wakers = wakers.filter { $0 >= 0 }
        inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotify >= 0 else { return }
        var directories: Set<String> = []
        for input in inputs where input != "-" {
            for path in [input, Self.resolved(input)].compactMap({ $0 }) {
                let directory = Self.directory(of: path)
                // A wildcard in the directory part: the directories it means change; poll those.
                guard !directory.contains(where: { "*?[".contains($0) }) else { continue }
                directories.insert(directory)
            }
        }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB)
        for directory in directories.sorted() where inotify_add_watch(inotify, directory, mask) >= 0 {
            watched.append(directory)
        }
    }

    deinit { if inotify >= 0 { close(inotify) } }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Where a symlinked input really is (its target's directory changes when the target is written).
    static func resolved(_ path: String) -> String? {
        guard !path.contains(where: { "*?[".contains($0) }), let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }

    /// Returns when an input may have changed, or after `milliseconds`. `streamOpen` false: the
    /// pipe reached its end (it would wake the wait at once, forever).
    public func wait(milliseconds: Int, streamOpen: Bool = true) {
        var fds: [pollfd] = []
        if !watched.isEmpty { fds.append(pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)) }
        if let stream, streamOpen { fds.append(pollfd(fd: stream, events: Int16(POLLIN), revents: 0)) }
        for fd in wakers { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        guard !fds.isEmpty else {
            usleep(useconds_t(milliseconds) * 1000)
            return
        }
        _ = poll(&fds, nfds_t(fds.count), Int32(clamping: milliseconds))
        // Only the wake-up matters: the poll that follows looks at every input anyway.
        if !watched.isEmpty, fds[0].revents != 0 {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while buffer.withUnsafeMutableBytes({ read(inotify, $0.baseAddress, $0.count) }) > 0 {}
        }
    }
}
