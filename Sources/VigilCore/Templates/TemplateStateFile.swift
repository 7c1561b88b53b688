import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where `--state DIR` keeps the miner, and how it is written so a crash never leaves half a file.
public enum TemplateStateFile {
    /// The file name inside the state directory.
    public static let name = "templates.jsonl"

    /// The miner saved in `directory`, or nil when there is none yet.
    public static func load(directory: String, configuration: TemplateMinerConfiguration = .standard) throws(TemplateStateError) -> TemplateMiner? {
        let path = directory + "/" + name
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TemplateStateError(path: path, line: 0, message: "cannot read")
        }
        return try TemplateMiner(restoring: [UInt8](data), path: path, configuration: configuration)
    }

    /// Saves the miner atomically: a temporary file in the same directory, fsync, rename over the
    /// old file, fsync of the directory, so a reader sees either the old state or the new one.
    public static func save(_ miner: TemplateMiner, directory: String) throws(TemplateStateError) {
        try writeAtomically(miner.encodeState(), directory: directory, name: name)
    }

    /// Writes `bytes` to `directory/name` atomically (see `save`).
    public static func writeAtomically(_ bytes: [UInt8], directory: String, name: String) throws(TemplateStateError) {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw TemplateStateError(path: directory, line: 0, message: "cannot create state directory")
        }
        let path = directory + "/" + name
        let temporary = directory + "/.\(name).\(getpid()).tmp"
        func failure(_ what: String) -> TemplateStateError {
            TemplateStateError(path: temporary, line: 0, message: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create") }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return true
        }
        guard ok, fsync(fd) == 0 else { let error = failure("cannot write"); close(fd); unlink(temporary); throw error }
        guard close(fd) == 0 else { let error = failure("cannot close"); unlink(temporary); throw error }
        guard rename(temporary, path) == 0 else { let error = failure("cannot rename to \(path)"); unlink(temporary); throw error }
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 { _ = fsync(dirfd); close(dirfd) }
    }
}
