#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where every input of `vigil run` stands, as a checkpoint keeps it.
public struct LiveInputsState: Codable, Sendable {
    /// One followed file. Its identity is the inode *and* a fingerprint of its first bytes (the
    /// hash of `min(offset, 1 KiB)` bytes), so a reused inode or a file rewritten while vigil was
    /// down is not mistaken for it (RELIABILITY R6, R9). A file not read yet (offset 0, named by
    /// the first commit after the inputs are opened, RELIABILITY C6) is fingerprinted by the
    /// first `min(size, 1 KiB)` bytes it has, so a copy or `.gz` of it is recognised too.
    struct File: Codable, Sendable {
        var path: String
        var source: String
        var device: UInt64
        var inode: UInt64
        /// The first byte not processed (a partial last line starts here) and the lines before it.
        var offset: Int64
        var lines: Int
        var fingerprintLength: Int
        var fingerprint: UInt64
    }

    var files: [File] = []
    /// Archives read whole, by path (absent in checkpoints written before it was kept).
    var archives: [String: ArchiveProgress]?
    var knownHeads: [UInt64] = []
    var settled: [String: [UInt64]] = [:]
    var anchorEvent: EventTime?
    var anchorWall: EventTime?
    /// `__CURSOR` of the last journald entry processed.
    public var journalCursor: String?
    /// Event time of the newest line processed.
    public var anchorEventTime: EventTime? { anchorEvent }
}

/// How far `vigil run` read an archive that is not a generation of a followed file: the
/// decompressed offset after its last complete line, and a fingerprint of its first bytes (like a
/// followed file's), so that a member appended later is read and nothing before it again.
struct ArchiveProgress: Codable, Sendable, Equatable {
    var device: UInt64
    var inode: UInt64
    var offset: Int64
    var lines: Int
    var fingerprintLength: Int
    var fingerprint: UInt64
}

extension LivePipeline {
    /// The state of the inputs now (between polls: every complete line read has been processed).
    public var inputsState: LiveInputsState {
        var state = LiveInputsState()
        for file in files {
            let offset = file.reader.consumedOffset
            var length = Int(min(offset, Int64(FileHead.length)))
            if offset == 0 {
                var info = stat()
                let size = (file.fd >= 0 ? fstat(file.fd, &info) : stat(file.path, &info)) == 0 ? Int64(info.st_size) : 0
                length = Int(min(size, Int64(FileHead.length)))
            }
            state.files.append(.init(path: file.path, source: file.source.name, device: file.device, inode: file.inode,
                                     offset: offset, lines: file.reader.linesHandedOut, fingerprintLength: length,
                                     // A parked file has no descriptor: it is still at its path (same inode).
                                     fingerprint: (file.fd >= 0 ? FileHead.hash(fd: file.fd, count: length)
                                                                : FileHead.hash(path: file.path, count: length)) ?? 0))
        }
        // Tails queued by `restore` and not read yet: named as the checkpoint they came from had them,
        // and first: they are older generations than the files followed, and a restart queues
        // them in this order (a newer generation's tail queued first would make the older's late).
        state.files = pendingRemainders + state.files
        state.archives = archives.isEmpty ? nil : archives
        state.knownHeads = knownHeads.sorted()
        state.settled = settled
        state.anchorEvent = anchor?.event
        state.anchorWall = anchor?.wall
        state.journalCursor = journalCursor.isEmpty ? nil : String(decoding: journalCursor, as: UTF8.self)
        return state
    }

    /// The windows and detectors now.
    public var aggregatorSnapshot: AggregatorSnapshot { aggregator.snapshot() }

    /// Incidents firing now, by id.
    public var openIncidents: [String: Severity] { aggregator.openIncidents }

    /// Continues from a checkpoint (before the first poll). Detector state comes back first, so
    /// that the unread tails of files rotated while vigil was down are processed on top of it.
    /// A detector state that does not fit the running rules is dropped (the error says why) and
    /// the inputs still continue where they stood.
    public func restore(_ checkpoint: Checkpoint, now: EventTime) -> [String] {
        var problems: [String] = []
        do { try aggregator.restore(checkpoint.aggregator) } catch {
            // A restore that failed part way leaves some state behind: start from a fresh aggregator,
            // so the windows really do start empty, as said.
            replaceAggregator()
            problems.append("detector state not restored (windows start empty): \(error.description)")
        }
        let state = checkpoint.inputs
        knownHeads = Set(state.knownHeads)
        archives = state.archives ?? [:]
        settled = state.settled
        if let event = state.anchorEvent, let wall = state.anchorWall { anchor = (event, wall) }
        journalCursor = Array((state.journalCursor ?? "").utf8)
        started = true
        var foundUnder: [String: [String]] = [:]
        // Files not read yet (offset 0) too: opened and named by the first commit, they may have been
        // rotated away while vigil was down, with all their lines unread (RELIABILITY C6).
        for entry in state.files {
            if let name = resume(entry, now: now) {
                foundUnder[entry.path, default: []].append(name)
            } else {
                generationsLost += 1
                problems.append(entry.offset > 0 ? "\(entry.path): the file read up to byte \(entry.offset) is gone; lines written to it after that are lost"
                                                 : "\(entry.path): the file opened before the last checkpoint, not read yet, is gone; its lines are lost")
            }
        }
        // A named input whose file was found under a rotated name was rotated while vigil was down:
        // the rotated names younger than that one are generations written and rotated meanwhile,
        // never seen. Left out of the history, they are read by the first discovery, before the
        // file now at the path (see `missedGenerations`); older names are history, not read.
        for input in options.inputs where input != "-" && !input.contains(where: { "*?[".contains($0) }) {
            let rotated = (foundUnder[input] ?? []).filter { $0 != input }
            guard let youngest = rotated.map(SourceSet.age).min() else { continue }
            siblingHistory[input] = Set(candidates(for: input).dropFirst().filter { SourceSet.age($0) >= youngest }.compactMap(PinnedFile.identity))
        }
        return problems
    }

    /// Finds a checkpointed file again: at its path, under a rotated name (same inode), or as a
    /// copy or compressed generation (same first bytes), and continues it at its offset. Returns
    /// the name it was found under; nil when it is gone.
    private func resume(_ entry: LiveInputsState.File, now: EventTime) -> String? {
        let source = Source(name: entry.source, defaultService: SourceSet.serviceName(fromLogical: entry.source), files: [entry.path])
        for candidate in candidates(for: entry.path) {
            // Every look at the candidate through one descriptor: logrotate may rename it meanwhile.
            guard pathGuard.check(candidate) == nil, let pinned = PinnedFile(candidate) else { continue }
            let look = pinned.look
            if pinned.identity == [entry.device, entry.inode] {
                // Same inode: it is our file only if it still starts as it did and is long enough.
                guard Int64(pinned.info.st_size) >= entry.offset, FileHead.hash(path: look, count: entry.fingerprintLength) == entry.fingerprint,
                      let file = try? FollowedFile(path: entry.path, source: source, rules: options.rules, year: options.year, fromEnd: false,
                                                   maxLineBytes: options.maxLineBytes, openPath: candidate, pinned: pinned,
                                                   resume: (entry.offset, entry.lines)) else { continue }
                files.append(file)
                // Its head now, as the running process had it: a truncation and refill past the
                // offset before the first poll is then told from new lines (R5 across a restart).
                file.updateHead()
                if let head = file.head { knownHeads.insert(head) } else { noteSmallContent(of: file) }
                // Under a rotated name: retired at once, so the new file at the path is found by
                // the first poll and read after this one's tail.
                file.checkPath(now: now)
                return candidate
            }
            // Another inode with the same first bytes: a copy (copytruncate) or a compressed
            // generation. Its unread tail is read now, once. (A file that was empty has no first
            // bytes to know a copy by.)
            guard entry.fingerprintLength > 0, FileHead.hash(path: look, count: entry.fingerprintLength) == entry.fingerprint,
                  queueRemainder(of: look, entry: entry, source: source) else { continue }
            return candidate
        }
        return nil
    }

    /// The path itself, then the other files of its directory whose name extends it (`app.log.1`,
    /// `app.log-20261126`, `app.log.2.gz`), plain files before compressed ones.
    func candidates(for path: String) -> [String] {
        let directory = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        let siblings = names.filter { $0 != base && $0.hasPrefix(base) }.sorted { a, b in
            (a.hasSuffix(".gz") ? 1 : 0, a) < (b.hasSuffix(".gz") ? 1 : 0, b)
        }
        return [path] + siblings.map { directory.isEmpty ? $0 : directory + "/" + $0 }
    }

    /// Queues the lines of `path` after the entry's offset (decompressed for gzip) for the first
    /// poll, which merges them with the other inputs by event time. Until they are read, the
    /// checkpoint names the entry as it was, so a restart before finds them again.
    private func queueRemainder(of path: String, entry: LiveInputsState.File, source: Source) -> Bool {
        guard let stream = try? InputOpener.open(path) else { return false }
        var skip = entry.offset
        if let plain = stream as? DescriptorStream {
            lseek(plain.fd, off_t(skip), SEEK_SET)
            skip = 0
        }
        var scratch = [UInt8](repeating: 0, count: 65536)
        while skip > 0 {
            let n = scratch.withUnsafeMutableBufferPointer { (try? stream.read(into: $0.baseAddress!, capacity: min($0.count, Int(skip)))) ?? 0 }
            if n == 0 { return false }
            skip -= Int64(n)
        }
        let reader = LineReader(stream: stream, maxLineBytes: options.maxLineBytes)
        reader.resume(atOffset: entry.offset, lineNumber: entry.lines)
        let parser = LineParser(rules: options.rules, defaultService: source.defaultService, maxLineBytes: options.maxLineBytes)
        parser.timestamps = TimestampParser.forFile(entry.path, year: options.year)
        // Known at once: discovery must not take the generation for a new file before it is read.
        if let key = FileHead.key(path: path) { knownHeads.insert(key) }
        pendingRemainders.append(entry)
        pendingStreams.append(MergeStream(reader: reader, parser: parser, source: source,
                                          logicalPath: MergeStream.logicalPath(of: entry.path, source: source),
                                          followed: false, endsInput: true) { [unowned self] in
            pendingRemainders.removeAll { $0.path == entry.path && $0.inode == entry.inode && $0.offset == entry.offset }
        })
        return true
    }
}
