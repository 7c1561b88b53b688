import Foundation

/// One logical source: the files of a rotated set read oldest first as one stream of lines.
public struct Source: Sendable, Equatable {
    /// Logical name: `NAME` of `NAME=PATH`, else the file name without directory, `.gz` and rotation
    /// suffix (`app.log` for `/var/log/app.log.2.gz`), so plain and gzip copies give identical records.
    public var name: String
    /// Service for lines that name none: `NAME`, else the logical name without its extension.
    public var defaultService: String
    /// Files oldest first (`app.log.3.gz`, `app.log.2.gz`, `app.log.1`, `app.log`), or `-` for stdin.
    public var files: [String]
}

/// Turns command-line arguments into sources: `PATH`, `NAME=PATH`, `-`, or a directory (its regular
/// files). Paths that belong to one rotated set are grouped and ordered oldest first.
public enum SourceSet {
    public static func resolve(_ arguments: [String]) throws(InputError) -> [Source] {
        var skipped: [String] = []
        return try resolve(arguments, skipped: &skipped)
    }

    /// Like `resolve`, also telling which entries of directories were skipped and why.
    public static func resolve(_ arguments: [String], skipped: inout [String]) throws(InputError) -> [Source] {
        var sources: [Source] = []
        var groupIndex: [String: Int] = [:]
        for argument in arguments {
            var name: String? = nil
            var path = argument
            if let equals = argument.firstIndex(of: "="), !argument.hasPrefix("/"), !argument.hasPrefix("."),
               !FileManager.default.fileExists(atPath: argument) {
                name = String(argument[..<equals])
                path = String(argument[argument.index(after: equals)...])
            }
            if path == "-" {
                // Standard input can be read once: a second `-` would only find its end (and two
                // threads reading it at once would split its lines between them).
                if sources.contains(where: { $0.files == ["-"] }) {
                    skipped.append("-: standard input given more than once; read once")
                } else {
                    sources.append(Source(name: name ?? "stdin", defaultService: name ?? "stdin", files: ["-"]))
                }
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(kind: .notFound, path: path, message: "no such file or directory")
            }
            var files = [path]
            if isDirectory.boolValue {
                guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                    throw InputError(kind: .unreadable, path: path, message: "cannot list directory")
                }
                // Inside a directory only regular files are read, and symlinks only when they stay
                // inside it; the rest is reported (a FIFO would hang a reader, a symlink could lead
                // to /etc/shadow).
                let guardian = PathGuard(roots: [path])
                files = []
                for entry in entries.filter({ !$0.hasPrefix(".") }).sorted() {
                    let full = path + "/" + entry
                    if let refusal = guardian.check(full) { skipped.append("\(full): skipped: \(refusal)") } else { files.append(full) }
                }
            }
            for file in files {
                // Tried by opening, not with access(2): access answers for the real uid without
                // capabilities, so a reader given only CAP_DAC_READ_SEARCH was refused (F7).
                let probe = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
                guard probe >= 0 else {
                    let reason = errno == EACCES ? "permission denied" : String(cString: strerror(errno))
                    throw InputError(kind: errno == ENOENT ? .notFound : .unreadable, path: file, message: reason)
                }
                close(probe)
                let logical = logicalName(of: file)
                let directory = (file as NSString).deletingLastPathComponent
                let key = (name ?? "") + "\u{0}" + directory + "/" + logical
                if let index = groupIndex[key] {
                    sources[index].files.append(file)
                } else {
                    groupIndex[key] = sources.count
                    let sourceName = name ?? logical
                    sources.append(Source(name: sourceName, defaultService: name ?? serviceName(fromLogical: logical), files: [file]))
                }
            }
        }
        for i in sources.indices where sources[i].files != ["-"] {
            sources[i].files = orderOldestFirst(sources[i].files)
        }
        return sources
    }

    /// `app.log.2.gz` → `app.log`; `app.log-20261126.gz` → `app.log`.
    public static func logicalName(of path: String) -> String {
        var name = (path as NSString).lastPathComponent
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if let suffix = rotationSuffix(name) { name.removeLast(suffix.text.count) }
        return name
    }

    /// `app` for `app.log`, `syslog` for `syslog`.
    static func serviceName(fromLogical logical: String) -> String {
        for ext in [".log", ".txt", ".jsonl", ".json", ".out"] where logical.hasSuffix(ext) && logical.count > ext.count {
            return String(logical.dropLast(ext.count))
        }
        return logical
    }

    /// The rotation suffix of a name without `.gz`: `.N` (age N) or `-YYYYMMDD` / `.YYYY-MM-DD` (dateext).
    static func rotationSuffix(_ name: String) -> (text: String, age: Int)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 1, let last = parts.last, !last.isEmpty, last.count <= 6, last.allSatisfy(\.isNumber), let n = Int(last) {
            return ("." + last, n)
        }
        // dateext: newer dates are younger; age counts down from a large number.
        for separator in ["-", "."] {
            if let range = name.range(of: separator, options: .backwards) {
                let tail = name[range.upperBound...].replacingOccurrences(of: "-", with: "")
                if tail.count == 8, tail.allSatisfy(\.isNumber), let date = Int(tail), date > 19_700_000 {
                    return (String(name[range.lowerBound...]), 100_000_000 - date + 1_000_000)
                }
            }
        }
        return nil
    }

    /// Oldest generation first, the live file last.
    static func orderOldestFirst(_ files: [String]) -> [String] {
        files.sorted { a, b in
            let ageA = age(a), ageB = age(b)
            return ageA != ageB ? ageA > ageB : a < b
        }
    }

    /// How many rotations ago `path` was the live file (0 for the live file itself).
    static func age(_ path: String) -> Int {
        var name = (path as NSString).lastPathComponent
        if name.hasSuffix(".gz") { name.removeLast(3) }
        return rotationSuffix(name)?.age ?? 0
    }
}
