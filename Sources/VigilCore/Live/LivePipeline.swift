#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `vigil run`: follows files (and globs, and stdin) as they grow, through rename and copytruncate
/// rotation, and feeds every line through the same parser, windows and detectors as replay.
///
/// Each poll reads every input with new lines merged by event time, as replay merges several
/// sources (`readMerged`): a backlog in several files is not read one file after another. The
/// caller drives it: `poll(now:)` reads whatever is new, and `tick(now:)` moves event
/// time on during quiet periods. `now` is the only wall-clock input, so tests pass their own.
public final class LivePipeline {
    public struct Options: Sendable {
        /// Paths, quoted globs (expanded here, again at every discovery), or `-` for stdin.
        public var inputs: [String]
        public var rules: RuleSet
        public var year: Int?
        /// Start files present at startup at their end (`--tail`); files found later are read whole.
        public var tail = false
        public var maxLineBytes = 1 << 16
        /// How long a rotated or deleted file is still read after its path moved on: a writer may
        /// still append through its old descriptor until it reopens.
        public var rotateWait: EventTime = 5_000
        /// The descriptor `-` reads, and the name its lines carry: stdin, or the pipe from the
        /// `journalctl` that `--journal` starts.
        public var streamFD: Int32 = 0
        public var streamName = "stdin"
        /// Files kept open at once; beyond it, the least recently active drained files are parked
        /// (closed, reopened when they grow). Default: half the descriptor limit (`ulimit -n`),
        /// leaving the rest to sockets, sinks and archives.
        public var maxOpenFiles = LivePipeline.defaultMaxOpenFiles

        public init(inputs: [String], rules: RuleSet) {
            self.inputs = inputs
            self.rules = rules
        }
    }

    /// One line as `--tap` records it.
    public struct TapLine {
        public var source: String
        public var line: Line
        public var parsed: ParsedLine?
        public var reason: FailureReason?
        public var parser: LineParser
    }

    public private(set) var options: Options
    public internal(set) var counters = PipelineCounters()
    /// Rotations (rename) and truncations (copytruncate) noticed.
    public private(set) var rotations = 0
    public private(set) var truncations = 0
    /// True once stdin (when it is an input) has reached its end.
    public private(set) var stdinEnded = false

    /// Replaced by a fresh one when a checkpoint's detector state cannot be restored (see `restore`).
    private(set) var aggregator: WindowAggregator
    private let makeAggregator: () -> WindowAggregator
    var files: [FollowedFile] = []
    /// Identities (device, inode) of files already followed or finished, so a rotated generation
    /// matched by a glob is not read a second time.
    /// Paths looked at and left alone (a known generation, an archive read whole), with the stamp
    /// (inode, size, modification time) they had: looked at again only when it changes.
    var settled: [String: [UInt64]] = [:]
    /// Files whose decision waits until they stop changing (an archive being compressed, a copy
    /// being made), with the stamp they had and when it was first seen.
    private var unsettled: [String: (stamp: [UInt64], since: EventTime)] = [:]
    /// Per named input: the rotated names beside it when vigil first looked (see `missedGenerations`).
    var siblingHistory: [String: Set<[UInt64]>] = [:]
    /// Discovery passes run (one per poll, more when rotation shifted names under a pass).
    public private(set) var discoveryPasses = 0
    /// False until the first discovery of this process has run.
    private var discoveredOnce = false
    /// How long such a file must keep its stamp before it is decided.
    static let settleTime: EventTime = 1_000
    /// Only regular files, and symlinks that stay inside the inputs' directories, are read.
    let pathGuard: PathGuard
    private var refused: [String: PathGuard.Refusal] = [:]
    /// Paths skipped by the guard (FIFOs, devices, directories, symlinks out of the roots, loops).
    public private(set) var pathsRefused = 0
    /// Heads (`FileHead`) of every file read: a new path with a known head is a generation of it.
    var knownHeads: Set<UInt64> = []
    /// Archives read whole (not generations of a followed file), by path: how far they were read.
    var archives: [String: ArchiveProgress] = [:]
    /// Generations skipped because their head was known.
    public private(set) var generationsSkipped = 0
    /// Copies of followed files (same head, new inode) seen before the original was truncated:
    /// if it is, the copy holds the lines between what was read and the truncation.
    private var copies: [UInt64: Set<String>] = [:]
    /// Copytruncate windows: bytes recovered from the copy, and truncations with no copy to read
    /// (the lines written between the last read and the truncation are lost; counted here).
    public private(set) var truncationRecoveredBytes: Int64 = 0
    public private(set) var truncationsUnrecovered = 0
    private var stdin: (reader: LineReader, parser: LineParser, stream: DescriptorStream, source: Source)?
    private let tap: ((TapLine) -> Void)?
    var started = false
    /// Event time and the wall-clock time it was reached: event time moves on with the wall clock
    /// in quiet periods, from where the logs left it (so old logs piped in are not all "late").
    var anchor: (event: EventTime, wall: EventTime)?
    private final class RecordCounter { var count = 0 }
    private let recordCounter: RecordCounter
    /// `__CURSOR` of the newest journald entry processed (bytes; empty before the first).
    var journalCursor: [UInt8] = []
    /// Generations a checkpoint named that could not be found again after a restart (deleted or
    /// moved out of reach while vigil was down): their unread lines are lost, and counted.
    public internal(set) var generationsLost = 0
    /// Wall time each followed file last gave lines (least recently active is parked first).
    private var lastActive: [ObjectIdentifier: EventTime] = [:]
    /// The last problem reported per path: a file that stays unreadable is reported once, not at
    /// every poll, and again only after it was readable in between (RELIABILITY F4).
    private var reported: [String: String] = [:]
    /// Files opened and archives read so far: when it grows, a checkpoint should name them soon
    /// (a file opened since the last commit and rotated away while vigil is down is found again
    /// only through a checkpoint that names it).
    public private(set) var inputsOpened = 0
    /// Files parked to stay under `maxOpenFiles` (for tests and the summary).
    public private(set) var parkings = 0
    /// Streams to read in the next poll's merge (archives found by discovery, the unread tails of
    /// generations found again by `restore`), oldest of each rotated set first.
    var pendingStreams: [MergeStream] = []
    /// The checkpoint entries of those tails: named again by a checkpoint taken before they are read.
    var pendingRemainders: [LiveInputsState.File] = []

    /// Half the soft `RLIMIT_NOFILE`, at least 8.
    public static var defaultMaxOpenFiles: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return 4096 }
        return max(8, Int(min(limit.rlim_cur, 1 << 20)) / 2)
    }

    public init(options: Options, sink: @escaping (Record) -> Void, tap: ((TapLine) -> Void)? = nil) {
        self.options = options
        self.tap = tap
        pathGuard = PathGuard(roots: PathGuard.roots(for: options.inputs))
        let counter = RecordCounter()
        recordCounter = counter
        makeAggregator = { WindowAggregator(rules: options.rules) { record in counter.count += 1; sink(record) } }
        aggregator = makeAggregator()
        if options.inputs.contains("-") {
            let fd = options.streamFD
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            let stream = DescriptorStream(fd: fd, path: "-", owned: false)
            let reader = LineReader(stream: stream, maxLineBytes: options.maxLineBytes)
            reader.follow = true
            let source = Source(name: options.streamName, defaultService: options.streamName, files: ["-"])
            stdin = (reader, LineParser(rules: options.rules, defaultService: options.streamName, maxLineBytes: options.maxLineBytes), stream, source)
        }
    }

    /// A followed file as `/metrics` shows it: how far it has been read and how big it is now.
    public struct FollowedFileStatus: Sendable {
        public var source: String
        public var path: String
        /// Offset of the first byte not processed yet.
        public var offset: Int64
        /// Current size of the open file (its descriptor: the path may have moved on).
        public var size: Int64
    }

    /// The files being followed (read-only; for lag metrics).
    public var followedFiles: [FollowedFileStatus] {
        files.map { file in
            var info = stat()
            let size = fstat(file.fd, &info) == 0 ? Int64(info.st_size) : file.reader.consumedOffset
            return FollowedFileStatus(source: file.source.name, path: file.path, offset: file.reader.consumedOffset, size: size)
        }
    }

    /// Whether any input can still produce lines (files are followed until stopped).
    public var hasOpenInputs: Bool { !files.isEmpty || options.inputs.contains { $0 != "-" } || (stdin != nil && !stdinEnded) }

    /// Opens the inputs not followed yet without reading a line (archives read whole wait for the
    /// first poll), so that the first checkpoint names every followed file (device, inode,
    /// fingerprint, offset): a kill before the next commit, and a rotation while vigil is down,
    /// then finds the file under its new name (RELIABILITY C6).
    public func openInputs(now: EventTime) {
        var passes = 1
        while !discover(now: now, openOnly: true), passes < 8 { passes += 1 }
    }

    /// Reads everything new from every input; returns the number of lines processed.
    @discardableResult
    public func poll(now: EventTime) throws(InputError) -> Int {
        // Event time moves on with the wall clock while nothing is logged, and nothing written up to
        // the wall clock is from the future: a line after a quiet spell, or in an old file, is not a
        // clock error (see `max_jump`).
        if let anchor {
            aggregator.vouchedEventTime = max(anchor.event + max(0, now - anchor.wall), now) + options.rules.window.maxJump
            aggregator.decideHeld()
            noteHeldFuture()
        }
        // A pass cut short by rotation shifting the names is run again before any file is read.
        var passes = 1
        while !discover(now: now), passes < 8 { passes += 1 }
        var processed = 0
        // What each open file had handed out before this poll (for its activity and NUL count).
        var before: [ObjectIdentifier: (lines: Int, nuls: Int64)] = [:]
        for file in files where !file.isParked {
            before[ObjectIdentifier(file)] = (file.reader.linesHandedOut, file.reader.nulBytesSkipped)
            if let truncation = file.checkTruncation() {
                truncations += 1
                processed += readCopyTail(truncation, of: file, now: now)
                file.forgetSmallPrefix()
            }
        }
        // Every open input with new lines (and archives found by discovery), merged by event time
        // (see `readMerged`). (A copy's discovery may have parked a file: it is read below.)
        var streams = pendingStreams
        pendingStreams.removeAll()
        for file in files where !file.isParked && before[ObjectIdentifier(file)] != nil {
            streams.append(MergeStream(reader: file.reader, parser: file.parser, source: file.source,
                                       logicalPath: MergeStream.logicalPath(of: file.path, source: file.source), followed: true))
        }
        processed += try readMerged(streams)
        for file in files where !file.isParked {
            if let (lines, nuls) = before[ObjectIdentifier(file)] { noteRead(file, lines: lines, nuls: nuls, now: now) }
        }
        // Parked files that grew: reopened (parking drained ones to stay under the budget) and read
        // one after another. Only with more files than `maxOpenFiles`: reading them merged would
        // need them all open at once.
        for file in files where file.isParked {
            guard file.retiredAt == nil, file.changedWhileParked else { continue }
            guard makeRoom(keeping: file) else { continue }
            do {
                guard try file.unpark(maxLineBytes: options.maxLineBytes) else { continue }
                reported[file.path] = nil
            } catch {
                report(file.path, error.description)
                continue
            }
            let lines = file.reader.linesHandedOut, nuls = file.reader.nulBytesSkipped
            if let truncation = file.checkTruncation() {
                truncations += 1
                processed += readCopyTail(truncation, of: file, now: now)
                file.forgetSmallPrefix()
            }
            while let line = try file.reader.next() {
                process(line, parser: file.parser, source: file.source)
                processed += 1
            }
            noteRead(file, lines: lines, nuls: nuls, now: now)
        }
        // Archives a copy's discovery found meanwhile: read now, as they are already marked known
        // (a checkpoint between polls must not name them read before they are).
        if !pendingStreams.isEmpty {
            let late = pendingStreams
            pendingStreams.removeAll()
            processed += try readMerged(late)
        }
        // A retired file is closed once drained and quiet for rotate_wait (from its retirement or
        // its last line, whichever is later: a writer may go on writing to a deleted or renamed
        // file for longer, RELIABILITY R7); its last partial line (a writer that never finished
        // it) is processed then.
        files.removeAll { file in
            guard let retired = file.retiredAt,
                  now - max(retired, lastActive[ObjectIdentifier(file)] ?? retired) >= options.rotateWait else { return false }
            file.reader.endOfInput()
            while let line = try? file.reader.next() {
                process(line, parser: file.parser, source: file.source)
                processed += 1
            }
            // A small file read to its end is known by its content from now on (see `FileHead.smallContent`).
            noteSmallContent(of: file)
            if file.retirement == .rotated { rotations += 1 }
            lastActive[ObjectIdentifier(file)] = nil
            return true
        }
        if let input = stdin, !stdinEnded {
            while let line = try input.reader.next() {
                process(line, parser: input.parser, source: input.source)
                processed += 1
            }
            if input.stream.reachedEnd {
                input.reader.endOfInput()
                while let line = try input.reader.next() {
                    process(line, parser: input.parser, source: input.source)
                    processed += 1
                }
                stdinEnded = true
            }
        }
        if processed > 0, let newest = aggregator.newestEventTime { anchor = (newest, now) }
        started = true
        return processed
    }

    /// After a file was read in a poll: NUL bytes skipped, when it was last active, its head.
    private func noteRead(_ file: FollowedFile, lines: Int, nuls: Int64, now: EventTime) {
        counters.nulBytesSkipped += file.reader.nulBytesSkipped - nuls
        if file.reader.linesHandedOut != lines { lastActive[ObjectIdentifier(file)] = now }
        if file.head == nil {
            file.updateHead()
            if let head = file.head {
                knownHeads.insert(head)
            } else if file.reader.linesHandedOut != lines {
                noteSmallContent(of: file)
            }
        }
    }

    /// Quiet-period progress: event time advances with the wall clock from the newest event seen,
    /// and windows that the watermark passes are closed and evaluated.
    public func tick(now: EventTime) {
        guard let anchor else { return }
        let eventNow = anchor.event + max(0, now - anchor.wall)
        aggregator.advance(watermark: eventNow - options.rules.window.lateness)
    }

    /// SIGHUP: new rules for every input and detector, atomically: a refused set changes nothing.
    public func reload(rules: RuleSet) throws(RuleSetError) {
        try aggregator.reload(rules: rules)
        options.rules = rules
        for file in files { file.replaceParser(rules: rules, maxLineBytes: options.maxLineBytes) }
        if let input = stdin {
            stdin = (input.reader, LineParser(rules: rules, defaultService: options.streamName, maxLineBytes: options.maxLineBytes), input.stream, input.source)
        }
    }

    /// Shutdown: the lines already read are processed and partial last lines are dropped back
    /// (they may still be completed by their writer). Open incidents stay open.
    public func finish() {
        counters.serviceOverflow = aggregator.overflowEvents
        counters.recordsWritten = recordCounter.count
    }

    // MARK: lines

    func process(_ line: Line, parser: LineParser, source: Source) {
        var parsed = ParsedLine()
        let reason = parse(line, parser: parser, into: &parsed)
        deliver(line, parsed: parsed, reason: reason, parser: parser, source: source)
    }

    /// The parser stage of `process`, counting the line read; nil when it parsed.
    func parse(_ line: Line, parser: LineParser, into parsed: inout ParsedLine) -> FailureReason? {
        counters.linesRead += 1
        counters.bytesRead += line.streamBytes
        parsed = ParsedLine()
        if line.tooLong { return .tooLong }
        if line.hadCarriageReturn { counters.carriageReturns += 1 }
        if SourceCursor.hasHighBit(line.bytes, line.count),
           !UTF8Decoding.isValid(UnsafeBufferPointer(start: line.bytes, count: line.count)) {
            counters.invalidUTF8 += 1
        }
        let reason = parser.parse(line.bytes, line.count, into: &parsed)
        // A format that keeps hitting PCRE2's match limit is switched off (RELIABILITY B3).
        if parser.limitHitsSinceCheck > 0 { parser.reportLimitHits(into: &counters) }
        return reason
    }

    /// The rest of `process`: a parsed line to the windows, counted and tapped.
    func deliver(_ line: Line, parsed: ParsedLine, reason parseFailure: FailureReason?, parser: LineParser, source: Source) {
        var reason = parseFailure
        if reason == nil {
            let outcome = aggregator.add(parsed) {
                Evidence(ts: parsed.ts, source: source.name, lineNumber: line.number, offset: line.offset,
                         line: Array(UnsafeBufferPointer(start: line.bytes, count: line.count)),
                         cursor: parsed.cursor.map { String(decoding: $0, as: UTF8.self) })
            }
            switch outcome {
            case .kept: break
            case .late: reason = .late
            case .future: reason = .future
            }
            // A line held earlier (see `max_jump`) that this one showed to be a clock error.
            noteHeldFuture()
        }
        if let reason { counters.failed[reason, default: 0] += 1 } else { counters.linesParsed += 1 }
        // journald's position, so that `--journal` resumes right after this entry.
        if let cursor = parsed.cursor, reason == nil {
            journalCursor.removeAll(keepingCapacity: true)
            journalCursor.append(contentsOf: cursor)
        }
        tap?(TapLine(source: source.name, line: line, parsed: reason == nil ? parsed : nil, reason: reason, parser: parser))
    }

    /// Lines the aggregator dropped after holding them, already in `counters`.
    private var futureCounted = 0

    /// A small file's latest content read to its end becomes known; the content it had before is
    /// forgotten (a new file that starts the same way must not be taken for it).
    func noteSmallContent(of file: FollowedFile) {
        guard let (key, replaced) = file.updateSmallContent() else { return }
        if let replaced, replaced != key { knownHeads.remove(replaced) }
        knownHeads.insert(key)
    }

    /// A fresh aggregator, no state kept (a checkpoint's detector state could not be restored).
    func replaceAggregator() {
        aggregator = makeAggregator()
        futureCounted = 0
    }

    /// Moves lines the aggregator held and then dropped from parsed to `future`.
    @inline(__always)
    private func noteHeldFuture() {
        guard aggregator.heldLinesDropped != futureCounted else { return }
        let dropped = aggregator.heldLinesDropped - futureCounted
        futureCounted = aggregator.heldLinesDropped
        counters.failed[.future, default: 0] += dropped
        counters.linesParsed -= dropped
    }

    // MARK: discovery

    /// Opens inputs not followed yet. At startup, the files of a rotated set are taken oldest first.
    /// False when rotation shifted the names during the pass (see `listed`): the caller runs it again.
    @discardableResult
    private func discover(now: EventTime, openOnly: Bool = false) -> Bool {
        discoveryPasses += 1
        // Files whose path now names another file (or none) are retired here, once per pass and
        // before this poll's reads: the new file at the path is then followed in this pass (a
        // file created and gone within two polls was missed), and a named input's missed
        // generations are looked for at once.
        for file in files { file.checkPath(now: now) }
        var found: [String] = []
        for input in options.inputs where input != "-" {
            if input.contains(where: { "*?[".contains($0) }) {
                found += Self.glob(input)
            } else {
                found.append(input)
                found += missedGenerations(of: input)
            }
        }
        // A retired file no longer holds its path: the new file there is followed at once.
        let followed = Set(files.filter { $0.retiredAt == nil }.map(\.path))
        var open = Set(files.map { [$0.device, $0.inode] })
        let candidates = SourceSet.orderOldestFirst(found.filter { !followed.contains($0) })
        let named = Set(options.inputs)
        // Which file each name meant when the list was made. A pass that reads archives is slow, and
        // logrotate may shift every name meanwhile (`.3.gz` becomes `.4.gz`): the rest of the list
        // would then skip a generation and read newer ones first. The pass stops there, and the next
        // one (at once, still deciding without waiting) lists again.
        var listed: [String: [UInt64]] = [:]
        for path in candidates { listed[path] = PinnedFile.identity(of: path) }
        var complete = true
        // An opening pass decides nothing for later: the first poll still decides without waiting.
        defer { if complete && !openOnly { discoveredOnce = true } }
        for path in candidates {
            if let refusal = pathGuard.check(path) {
                // A glob's match gone before it was looked at (logrotate renames and deletes as it
                // goes) is not a problem; a named input that does not exist is, once.
                if !named.contains(path), refusal == .unreadable(String(cString: strerror(ENOENT))) { continue }
                // Reported once per path, not at every discovery.
                if refused.updateValue(refusal, forKey: path) != refusal {
                    counters.sourceErrors.append("\(path): skipped: \(refusal)")
                    pathsRefused += 1
                }
                continue
            }
            refused[path] = nil
            // Every look at the candidate (stamp, head, content) through one descriptor. One that
            // cannot be opened goes on by name: opening it to follow it reports why (F4).
            let pinned = PinnedFile(path)
            let look = pinned?.look ?? path
            var info = stat()
            if let pinned { info = pinned.info } else {
                guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            }
            if let identity = listed[path], identity != [UInt64(info.st_dev), UInt64(info.st_ino)] { complete = false; break }
            // The same open file under a new name (renamed by rotation): already being read.
            if open.contains([UInt64(info.st_dev), UInt64(info.st_ino)]) { continue }
            // Looked at before and unchanged since: nothing new to decide. (Inode numbers are
            // reused at once on ext4, so the stamp includes size and modification time.)
            let stamp = [UInt64(info.st_ino), UInt64(info.st_size), UInt64(info.st_mtim.tv_sec), UInt64(info.st_mtim.tv_nsec)]
            if settled[path] == stamp { continue }
            let compressed = path.hasSuffix(".gz") || Self.isGzip(look)
            // A file under 1 KiB is known by its whole content (a small generation already read).
            let (fullHead, smallContent) = FileHead.identify(path: look)
            let head = fullHead ?? smallContent
            // A file may still be being written by logrotate: `compress` writes `.2.gz` in pieces, and
            // `copytruncate` creates `.1` empty and then fills it (inotify shows it at size 0). Such a
            // file is decided once it has kept its size and time for `settleTime`. Files present
            // when this process starts (also after a restart) are decided at once: they are read
            // oldest first, before the newer files' lines make theirs late.
            let rotatedName = (path as NSString).lastPathComponent != SourceSet.logicalName(of: path)
            let known = head.map { knownHeads.contains($0) } ?? false
            if discoveredOnce, !known, compressed || (fullHead == nil && rotatedName), !hasSettled(path, stamp, now: now) { continue }
            unsettled[path] = nil
            // A copy of a small followed file with lines not read yet (copytruncate's `.1` made
            // between two polls): under a rotated name of that file, it starts with what was read
            // of it, and the file itself has been truncated. Another generation may start the same
            // way (a banner or header line each file begins with): while the file is not truncated,
            // the candidate waits `settleTime` (logrotate truncates right after copying), then is
            // a file of its own.
            let logicalPath = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(SourceSet.logicalName(of: path))
            if !known, rotatedName,
               let original = files.first(where: { file in
                   file.path == logicalPath && file.smallPrefix.map { FileHead.smallContent(path: look, count: $0.count) == $0.key } == true
               }) {
                if original.wasTruncatedInPlace, let prefix = original.smallPrefix {
                    copies[prefix.key, default: []].insert(path)
                    settled[path] = stamp
                    generationsSkipped += 1
                    continue
                }
                if !hasSettled(path, stamp, now: now) { continue }
                unsettled[path] = nil
            }
            if let head, known, archives[path]?.inode != UInt64(info.st_ino) {
                // A copy or a compressed generation of a file already read (copytruncate's `.1`,
                // logrotate's `.2.gz`): its lines have been processed (a copy's unread tail is read
                // if the original turns out to have been truncated).
                copies[head, default: []].insert(path)
                settled[path] = stamp
                generationsSkipped += 1
                continue
            }
            let logical = SourceSet.logicalName(of: path)
            let source = Source(name: logical, defaultService: SourceSet.serviceName(fromLogical: logical), files: [path])
            if compressed {
                if openOnly { continue }
                // An archive that is not a generation of anything read: read it once, whole; one
                // read before that changed since (a gzip member appended, or it was still being
                // written) is continued where it stopped (RELIABILITY G2, G3).
                let progress = archives[path].flatMap { $0.device == UInt64(info.st_dev) && $0.inode == UInt64(info.st_ino) ? $0 : nil }
                if let pinned, let stream = openArchive(path, pinned: pinned, source: source, continuing: progress) { pendingStreams.append(stream) }
                inputsOpened += 1
                settled[path] = stamp
                continue
            }
            // At the open-file budget with nothing to park: the file waits for a later discovery.
            guard makeRoom(keeping: nil) else { break }
            do {
                let file = try FollowedFile(path: path, source: source, rules: options.rules, year: options.year,
                                            fromEnd: options.tail && !started, maxLineBytes: options.maxLineBytes,
                                            pinned: pinned)
                files.append(file)
                inputsOpened += 1
                reported[path] = nil
                // A symlink or hard link to it met later in this same pass is the same file.
                open.insert([file.device, file.inode])
            } catch {
                report(path, error.description)
                // Out of descriptors (other parts of the process hold them): try again next time.
                if error.message == String(cString: strerror(EMFILE)) || error.message == String(cString: strerror(ENFILE)) { break }
            }
        }
        return complete
    }

    /// Makes sure one more file can be open: at `maxOpenFiles`, parks the least recently active
    /// drained file (not `keeping`). False when every open file holds unfinished bytes.
    private func makeRoom(keeping: FollowedFile?) -> Bool {
        let open = files.filter { !$0.isParked }
        guard open.count >= options.maxOpenFiles else { return true }
        let candidates = open.filter { $0 !== keeping && $0.canPark }
        guard let victim = candidates.min(by: { lastActive[ObjectIdentifier($0), default: 0] < lastActive[ObjectIdentifier($1), default: 0] }) else {
            return false
        }
        victim.park()
        parkings += 1
        return true
    }

    /// Rotated names beside a named (not glob) input that were not there when vigil first looked:
    /// generations rotated away between two looks (a burst of rotations inside one poll interval,
    /// RELIABILITY R2), which a glob would have matched. Looked for only while no file is followed
    /// at the path (it was just rotated or deleted), so the directory is not listed at every poll.
    /// After a restart the history comes from where the checkpointed file was found (`restore`).
    private func missedGenerations(of input: String) -> [String] {
        guard let history = siblingHistory[input] else {
            siblingHistory[input] = Set(candidates(for: input).dropFirst().compactMap(PinnedFile.identity))
            return []
        }
        guard !files.contains(where: { $0.path == input && $0.retiredAt == nil }) else { return [] }
        return candidates(for: input).dropFirst().filter { path in PinnedFile.identity(of: path).map { !history.contains($0) } ?? false }
    }

    /// Whether `path` has kept `stamp` for `settleTime` (the first look starts the clock).
    private func hasSettled(_ path: String, _ stamp: [UInt64], now: EventTime) -> Bool {
        if let seen = unsettled[path], seen.stamp == stamp { return now - seen.since >= Self.settleTime }
        unsettled[path] = (stamp, now)
        return false
    }

    /// Adds a problem with `path` to `sourceErrors` unless it is the one already reported for it.
    private func report(_ path: String, _ message: String) {
        if reported.updateValue(message, forKey: path) != message { counters.sourceErrors.append(message) }
    }

    static func isGzip(_ path: String) -> Bool {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var magic: (UInt8, UInt8) = (0, 0)
        return withUnsafeMutableBytes(of: &magic) { pread(fd, $0.baseAddress, 2, 0) } == 2 && magic.0 == 0x1f && magic.1 == 0x8b
    }

    /// An archive to read to its end in the next merge (see `readMerged`), or from where `progress`
    /// says an earlier read stopped (when the archive still starts the same and is that long); once
    /// read, how far it got is recorded: the complete lines only, so an archive that ended in the
    /// middle of a member (still being written) is continued when it grows, and one that gets
    /// another member appended (`gzip -c b >> x.gz`) gives only the new member's lines.
    /// It is read through `pinned` (see `discover`), held open until then. Its head is known at
    /// once: a copy of it met before the merge is not read as well.
    private func openArchive(_ path: String, pinned: PinnedFile, source: Source, continuing progress: ArchiveProgress?) -> MergeStream? {
        let look = pinned.look
        guard let stream = try? InputOpener.open(look) else { return nil }
        let info = pinned.info
        let reader = LineReader(stream: stream, maxLineBytes: options.maxLineBytes)
        if let progress, progress.offset > 0,
           FileHead.hash(path: look, count: progress.fingerprintLength) == progress.fingerprint,
           Self.skip(progress.offset, of: stream) {
            reader.resume(atOffset: progress.offset, lineNumber: progress.lines)
        } else if progress != nil {
            // Rewritten in place (other first bytes, or shorter): new content, read from the start.
            return openArchive(path, pinned: pinned, source: source, continuing: nil)
        }
        let parser = LineParser(rules: options.rules, defaultService: source.defaultService, maxLineBytes: options.maxLineBytes)
        parser.timestamps = TimestampParser.forFile(path, year: options.year)
        if let head = FileHead.key(path: look) { knownHeads.insert(head) }
        return MergeStream(reader: reader, parser: parser, source: source, logicalPath: MergeStream.logicalPath(of: path, source: source),
                           followed: false) { [unowned self] in
            let offset = reader.consumedOffset
            let length = Int(min(offset, Int64(FileHead.length)))
            archives[path] = ArchiveProgress(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), offset: offset, lines: reader.linesHandedOut,
                                             fingerprintLength: length, fingerprint: FileHead.hash(path: pinned.look, count: length) ?? 0)
        }
    }

    /// Reads and drops the first `count` bytes of `stream`; false when it ends before.
    static func skip(_ count: Int64, of stream: ByteStream) -> Bool {
        var left = count
        var scratch = [UInt8](repeating: 0, count: 65536)
        while left > 0 {
            let n = scratch.withUnsafeMutableBufferPointer { (try? stream.read(into: $0.baseAddress!, capacity: min($0.count, Int(left)))) ?? 0 }
            if n == 0 { return false }
            left -= Int64(n)
        }
        return true
    }

    /// After a copytruncate: reads the copy of the old content from where reading had stopped.
    private func readCopyTail(_ truncation: FollowedFile.Truncation, of file: FollowedFile, now: EventTime) -> Int {
        // The copy may have been made after the last discovery: look again.
        discover(now: now)
        // A path noted as a copy is only a name, and rotation moves names on: when vigil is behind,
        // `app.log.1` may hold a newer generation by now and the copy be `app.log.2.gz`. So the
        // copy is a file that still starts with the old head, among the noted paths and the
        // rotated names beside the file; plain before compressed (complete once the original was
        // truncated), and of several plain ones the largest (made last, it holds the most).
        // (Each looked at through one descriptor, as in `discover`.)
        // (A small file's copy starts with what was read of it: `smallPrefix`.)
        let noted = (truncation.head ?? truncation.smallPrefix?.key).flatMap { copies.removeValue(forKey: $0) } ?? []
        let looks = noted.union(candidates(for: file.path).dropFirst()).sorted().compactMap(PinnedFile.init)
        let matching: [PinnedFile]
        if let head = truncation.head {
            matching = looks.filter { FileHead.hash(path: $0.look) == head }
        } else if let prefix = truncation.smallPrefix {
            matching = looks.filter { FileHead.smallContent(path: $0.look, count: prefix.count) == prefix.key }
        } else {
            matching = []
        }
        let plain = matching.filter { !Self.isGzip($0.look) }
        guard let copy = plain.max(by: { $0.info.st_size < $1.info.st_size }) ?? matching.first,
              let stream = try? InputOpener.open(copy.look) else {
            truncationsUnrecovered += 1
            return 0
        }
        // Skip what was already processed (plain copies seek; a compressed one is read through).
        var skip = truncation.consumedOffset
        if let plain = stream as? DescriptorStream {
            lseek(plain.fd, off_t(skip), SEEK_SET)
            skip = 0
        }
        let reader = LineReader(stream: stream, maxLineBytes: options.maxLineBytes)
        if skip > 0 {
            var scratch = [UInt8](repeating: 0, count: 65536)
            while skip > 0 {
                let n = scratch.withUnsafeMutableBufferPointer { (try? stream.read(into: $0.baseAddress!, capacity: min($0.count, Int(skip)))) ?? 0 }
                if n == 0 { break }
                skip -= Int64(n)
            }
        }
        reader.resume(atOffset: truncation.consumedOffset, lineNumber: truncation.lines)
        var processed = 0
        while let line = try? reader.next() {
            truncationRecoveredBytes += line.streamBytes
            process(line, parser: file.parser, source: file.source)
            processed += 1
        }
        // Read to its end, the copy is known from now on: by its head, or under 1 KiB by its whole
        // content (its head is not always one seen before: the original may have been under 1 KiB).
        if let key = FileHead.key(path: copy.look) { knownHeads.insert(key) }
        return processed
    }

    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
    }
}
