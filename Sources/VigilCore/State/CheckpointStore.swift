#if canImport(Glibc)
import Glibc
#endif
import CZlib
import Foundation

/// What `vigil run --state DIR` keeps between runs: where every input stands, the windows and
/// detector states, and how long the sink and the tap were when it was written. A restart cuts
/// the sink and tap back to those lengths and continues from there, so nothing is lost or repeated.
public struct Checkpoint: Codable, Sendable {
    /// Bumped whenever the layout changes; an older or newer checkpoint is not used.
    public static let currentVersion = 2

    public var version = Checkpoint.currentVersion
    public var generation: UInt64 = 0
    /// Wall-clock time it was written (ms since the epoch).
    public var writtenAt: EventTime = 0
    /// Committed lengths of the sink and the tap (nil when they are stdout or not used).
    public var sinkLength: Int64?
    public var tapLength: Int64?
    public var inputs: LiveInputsState
    public var aggregator: AggregatorSnapshot

    public init(inputs: LiveInputsState, aggregator: AggregatorSnapshot) {
        self.inputs = inputs
        self.aggregator = aggregator
    }
}

/// Crash points for the durability tests (RELIABILITY C2): `VIGIL_FAULT=after_rename:17` kills
/// the process with SIGKILL the 17th time that point of a commit is reached. Failure points make
/// a system call fail instead (RELIABILITY C4, C7): `VIGIL_FAULT=dir_fsync_eio:1-3` makes the
/// first three directory fsyncs of checkpoint commits fail with EIO (`:N` alone: the Nth only).
public struct FaultPoints: Sendable {
    public enum Point: String, Sendable, CaseIterable {
        case afterSinkWrite = "after_sink_write", afterSinkFsync = "after_sink_fsync"
        case afterTmpWrite = "after_tmp_write", afterTmpFsync = "after_tmp_fsync"
        case afterRename = "after_rename", beforeDirFsync = "before_dir_fsync"
    }

    /// System calls a test can make fail.
    public enum Failure: String, Sendable, CaseIterable {
        case dirFsync = "dir_fsync_eio"
    }

    private let point: Point?
    private let failure: Failure?
    private let nth: Int
    private let last: Int
    private final class Counter: @unchecked Sendable { var n = 0 }
    private let counter = Counter()

    /// From a `POINT:N` (or `FAILURE:N-M`) specification (the environment variable's value); nil or invalid: none.
    public init(_ spec: String?) {
        let parts = spec?.split(separator: ":") ?? []
        point = parts.first.flatMap { Point(rawValue: String($0)) }
        failure = parts.first.flatMap { Failure(rawValue: String($0)) }
        let range = parts.count > 1 ? parts[1].split(separator: "-").map { Int($0) ?? 1 } : [1]
        nth = range.first ?? 1
        last = range.count > 1 ? range[1] : nth
    }

    public func reached(_ p: Point) {
        guard p == point else { return }
        counter.n += 1
        if counter.n == nth { raise(SIGKILL) }
    }

    /// Whether this call of `f` is to fail (counted per call).
    public func fails(_ f: Failure) -> Bool {
        guard f == failure else { return false }
        counter.n += 1
        return (nth...max(nth, last)).contains(counter.n)
    }
}

/// Writes and reads checkpoints in a directory, atomically and checksummed, keeping the previous
/// generation: `checkpoint.<generation>` files, each a header line
/// `vigil-checkpoint <version> <payload bytes> <crc32 hex>` and a JSON payload.
///
/// Commit order (RELIABILITY C2): the caller has written and fsynced the sink and tap; the payload
/// goes to `checkpoint.tmp`, is fsynced, renamed to its generation's name, and the directory is
/// fsynced; only then is the generation before the previous one removed. A crash at any point
/// leaves the last complete generation (or the one before it) readable.
public final class CheckpointStore {
    public let directory: String
    private let faults: FaultPoints
    public private(set) var generation: UInt64 = 0
    /// Checkpoints found unusable while loading (torn, corrupt, other version), with the reason.
    public private(set) var rejected: [String] = []
    public private(set) var commits = 0
    /// The newest generation known good: loaded, or committed with every fsync done (nil: none).
    private var lastGood: UInt64?

    public init(directory: String, faults: FaultPoints = FaultPoints(nil)) throws(CheckpointError) {
        self.directory = directory
        self.faults = faults
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false) } catch {
                throw CheckpointError("--state \(directory): cannot create: \(Self.reason(error))")
            }
        } else if !isDirectory.boolValue {
            throw CheckpointError("--state \(directory): not a directory")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw CheckpointError("--state \(directory): not writable: \(String(cString: strerror(errno)))")
        }
        // A temporary file is from a commit that did not finish: never valid.
        unlink(directory + "/checkpoint.tmp")
    }

    private static func reason(_ error: Error) -> String {
        (error as NSError).userInfo[NSUnderlyingErrorKey].map { "\($0)" } ?? "\(error.localizedDescription)"
    }

    private func generations() -> [UInt64] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { $0.hasPrefix("checkpoint.") ? UInt64($0.dropFirst("checkpoint.".count)) : nil }.sorted(by: >)
    }

    /// The newest usable checkpoint, or nil when there is none. Unusable newer ones are listed in
    /// `rejected` (the caller reports them loudly).
    public func load() -> Checkpoint? {
        for g in generations() {
            let path = "\(directory)/checkpoint.\(g)"
            do {
                var checkpoint = try Self.decode(path: path)
                checkpoint.generation = g
                generation = g
                lastGood = g
                return checkpoint
            } catch {
                rejected.append("\(path): \(error.description)")
            }
        }
        generation = generations().first ?? 0
        return nil
    }

    static func decode(path: String) throws(CheckpointError) -> Checkpoint {
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError("unreadable") }
        guard let newline = data.firstIndex(of: 10) else { throw CheckpointError("torn (no header)") }
        let header = String(decoding: data[data.startIndex..<newline], as: UTF8.self).split(separator: " ")
        guard header.count == 4, header[0] == "vigil-checkpoint", let version = Int(header[1]),
              let length = Int(header[2]), let crc = UInt32(header[3], radix: 16) else { throw CheckpointError("not a checkpoint header") }
        guard version == Checkpoint.currentVersion else { throw CheckpointError("version \(version), this vigil reads \(Checkpoint.currentVersion)") }
        let payload = data[(newline + 1)...]
        guard payload.count == length else { throw CheckpointError("torn: \(payload.count) of \(length) bytes") }
        guard checksum(payload) == crc else { throw CheckpointError("checksum mismatch") }
        do { return try JSONDecoder().decode(Checkpoint.self, from: payload) } catch {
            throw CheckpointError("undecodable: \(error)")
        }
    }

    private static func checksum(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { UInt32(crc32(0, $0.bindMemory(to: UInt8.self).baseAddress, uInt($0.count))) }
    }

    /// Writes `checkpoint` as the next generation. The caller must have made the sink and tap
    /// durable first (their lengths are in the checkpoint). Fails closed: on any error the
    /// previous generation stays the current one.
    public func commit(_ checkpoint: Checkpoint) throws(CheckpointError) {
        var checkpoint = checkpoint
        checkpoint.version = Checkpoint.currentVersion
        checkpoint.generation = generation + 1
        let payload: Data
        do { payload = try JSONEncoder().encode(checkpoint) } catch { throw CheckpointError("cannot encode: \(error)") }
        var file = Data("vigil-checkpoint \(Checkpoint.currentVersion) \(payload.count) \(String(Self.checksum(payload), radix: 16))\n".utf8)
        file.append(payload)
        let tmp = directory + "/checkpoint.tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CheckpointError("\(tmp): \(String(cString: strerror(errno)))") }
        var ok = file.withUnsafeBytes { Self.writeAll(fd, $0) }
        faults.reached(.afterTmpWrite)
        if ok { ok = fsync(fd) == 0 }
        let error = errno
        close(fd)
        guard ok else {
            unlink(tmp)
            throw CheckpointError("\(tmp): \(String(cString: strerror(error)))")
        }
        faults.reached(.afterTmpFsync)
        let final = "\(directory)/checkpoint.\(checkpoint.generation)"
        guard rename(tmp, final) == 0 else {
            let e = errno
            unlink(tmp)
            throw CheckpointError("rename to \(final): \(String(cString: strerror(e)))")
        }
        faults.reached(.afterRename)
        faults.reached(.beforeDirFsync)
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        var synced = dir >= 0 && fsync(dir) == 0
        var e = errno
        if synced && faults.fails(.dirFsync) { synced = false; e = EIO }
        if dir >= 0 { close(dir) }
        guard synced else {
            // Not known to be durable: the new generation is not trusted (RELIABILITY C4), and the
            // caller goes on as if it had not been written. It is removed only when an earlier good
            // one stays current; the first one is kept (RELIABILITY C7): its content is durable,
            // only its name may not be, and without it a restart could not cut back anything.
            if lastGood != nil { unlink(final) }
            throw CheckpointError("fsync of \(directory): \(String(cString: strerror(e)))")
        }
        generation = checkpoint.generation
        lastGood = generation
        commits += 1
        // Keep this generation and the previous one.
        for g in generations() where g + 1 < generation { unlink("\(directory)/checkpoint.\(g)") }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += n
        }
        return true
    }
}
