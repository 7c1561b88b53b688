import Foundation

/// The lines of `vigil templates`' sources with their message already extracted and tokenized,
/// handed out in input order. Template mining must see lines in order, but finding a line's
/// message (the format parser) and masking its tokens (`MessageTokenizer`) need nothing from the
/// lines before: with `jobs` > 1 they run on that many threads, each reading whole files or
/// segments of a large plain file dealt round-robin, while the caller mines. A line whose masked
/// tokens were seen before (most) then costs the miner one memo lookup by `sequenceHash`.
public final class PretokenizedLines: @unchecked Sendable {
    /// One line: the number in its file, its source, its message and the hash of its masked tokens.
    /// `message` is valid until the next call of `next`.
    public struct Item {
        public var source: Int
        public var lineNumber: Int
        public var message: UnsafeBufferPointer<UInt8>
        public var sequenceHash: UInt64
    }

    /// A read error that ended a file early (the lines before it were handed out).
    public var readError: (InputError) -> Void = { _ in }

    /// A file, or a line-aligned byte range of one, of source `source`.
    struct Segment {
        var source: Int
        var path: String
        var part: SourcePart
    }

    private let sources: [Source]
    private let rules: RuleSet
    private let maxLineBytes: Int
    private let segments: [Segment]

    public init(sources: [Source], rules: RuleSet, jobs: Int = 1, maxLineBytes: Int = 1 << 16,
                segmentMinimumBytes: Int64 = 8 << 20, segmentBytes: Int64 = 1 << 20) {
        self.sources = sources
        self.rules = rules
        self.maxLineBytes = maxLineBytes
        let segments = sources.indices.flatMap { index in
            SourcePart.parts(of: sources[index].files, jobs: jobs, minimumBytes: segmentMinimumBytes, segmentBytes: segmentBytes).map {
                Segment(source: index, path: sources[index].files[$0.file], part: $0)
            }
        }
        self.segments = segments
        let laneCount = max(1, min(jobs, segments.count))
        if jobs > 1, !segments.isEmpty {
            lanes = (0..<laneCount).map { k in Lane(index: k, segments: Array(stride(from: k, to: segments.count, by: laneCount))) }
            queues = LaneQueues(lanes: laneCount, depth: 16)
            for lane in lanes {
                let thread = Thread { [self] in produce(lane) }
                thread.name = "vigil-tokenize"
                thread.start()
            }
        } else {
            lanes = []
            queues = nil
        }
    }

    deinit { queues?.stop() }

    /// The next line, or nil after the last. Throws when a file cannot be opened.
    public func next() throws(InputError) -> Item? {
        lanes.isEmpty ? try nextInline() : try nextFromLanes()
    }

    // MARK: The work done on each line

    /// A thread's parsers (one per source: a source may name a default service) and tokenizer.
    private final class Worker {
        let tokenizer = MessageTokenizer()
        var parsers: [LineParser?]
        var parsed = ParsedLine()
        let rules: RuleSet
        let sources: [Source]
        init(rules: RuleSet, sources: [Source]) {
            self.rules = rules
            self.sources = sources
            parsers = Array(repeating: nil, count: sources.count)
        }

        /// The message of `line` (see `TemplateInput`), tokenized: its hash is the tokenizer's.
        func message(of line: Line, source: Int) -> UnsafeBufferPointer<UInt8> {
            let parser = parsers[source] ?? {
                let made = LineParser(rules: rules, defaultService: sources[source].defaultService)
                parsers[source] = made
                return made
            }()
            // A line too long to keep has no bytes; it gets the empty template.
            let message = TemplateInput.message(line.bytes, line.tooLong ? 0 : line.count, parser: parser, parsed: &parsed)
            let bytes = message.baseAddress == nil ? UnsafeBufferPointer(start: line.bytes, count: 0) : message
            tokenizer.tokenize(bytes.baseAddress!, bytes.count)
            return bytes
        }
    }

    private func open(_ segment: Segment) throws(InputError) -> LineReader {
        try segment.part.openReader(segment.path, maxLineBytes: maxLineBytes)
    }

    // MARK: One thread (jobs = 1)

    private lazy var inlineWorker = Worker(rules: rules, sources: sources)
    private var inlineSegment = -1
    private var inlineReader: LineReader?

    private func nextInline() throws(InputError) -> Item? {
        while true {
            if inlineReader == nil {
                inlineSegment += 1
                guard inlineSegment < segments.count else { return nil }
                inlineReader = try open(segments[inlineSegment])
            }
            let line: Line?
            do { line = try inlineReader!.next() } catch {
                readError(error)
                inlineReader = nil
                continue
            }
            guard let line else { inlineReader = nil; continue }
            let source = segments[inlineSegment].source
            let message = inlineWorker.message(of: line, source: source)
            return Item(source: source, lineNumber: line.number, message: message, sequenceHash: inlineWorker.tokenizer.sequenceHash)
        }
    }

    // MARK: Several threads

    /// Messages of consecutive lines of one segment, copied into an arena that never moves.
    private final class Batch {
        var numbers: [Int] = []
        var hashes: [UInt64] = []
        var spans: [(offset: Int, count: Int)] = []
        let arena: UnsafeMutablePointer<UInt8>
        let capacity: Int
        var used = 0
        var error: InputError?
        var errorOpening = false
        /// The last batch of its segment.
        var isLast = false

        init(capacity: Int) {
            self.capacity = capacity
            arena = .allocate(capacity: capacity)
        }
        deinit { arena.deallocate() }

        var count: Int { numbers.count }

        func fits(_ n: Int) -> Bool { numbers.isEmpty || (used + n <= capacity && numbers.count < PretokenizedLines.batchLines) }

        func append(number: Int, hash: UInt64, message: UnsafeBufferPointer<UInt8>) {
            if message.count > 0 { (arena + used).update(from: message.baseAddress!, count: message.count) }
            numbers.append(number)
            hashes.append(hash)
            spans.append((used, message.count))
            used += message.count
        }

        func reset() {
            numbers.removeAll(keepingCapacity: true)
            hashes.removeAll(keepingCapacity: true)
            spans.removeAll(keepingCapacity: true)
            used = 0
            error = nil
            errorOpening = false
            isLast = false
        }
    }

    private static let batchLines = 2048

    private final class Lane: @unchecked Sendable {
        let index: Int
        /// Indexes into `segments`, in order.
        let segments: [Int]
        init(index: Int, segments: [Int]) { self.index = index; self.segments = segments }
    }

    private let lanes: [Lane]
    /// 16 batches a lane may have ready: about two segments ahead of the one being consumed.
    private let queues: LaneQueues<Batch>?
    // Consumer side.
    private var segment = 0
    /// Lines of the file before the current segment, and the last line number of the segment so far.
    private var lineBase = 0
    private var segmentLines = 0
    /// A read error ended the current file in an earlier segment.
    private var skippingRestOfFile = false
    private var current: Batch?
    private var index = 0

    private func produce(_ lane: Lane) {
        let worker = Worker(rules: rules, sources: sources)
        let capacity = max(1 << 17, maxLineBytes + 4096)
        var batch = Batch(capacity: capacity)
        for s in lane.segments {
            let reader: LineReader
            do { reader = try open(segments[s]) } catch {
                batch.error = error
                batch.errorOpening = true
                batch.isLast = true
                _ = queues!.send(batch, lane: lane.index)
                return
            }
            do {
                while let line = try reader.next() {
                    let message = worker.message(of: line, source: segments[s].source)
                    if !batch.fits(message.count) {
                        guard queues!.send(batch, lane: lane.index) else { return }
                        batch = queues!.reuse() ?? Batch(capacity: capacity)
                    }
                    batch.append(number: line.number, hash: worker.tokenizer.sequenceHash, message: message)
                }
            } catch {
                // Reported when the consumer reaches it, after the lines read before it.
                batch.error = error
            }
            batch.isLast = true
            guard queues!.send(batch, lane: lane.index) else { return }
            batch = queues!.reuse() ?? Batch(capacity: capacity)
        }
    }

    private func nextFromLanes() throws(InputError) -> Item? {
        while true {
            if let batch = current, index < batch.count {
                defer { index += 1 }
                let span = batch.spans[index]
                let s = segments[segment]
                return Item(source: s.source, lineNumber: lineBase + batch.numbers[index],
                            message: UnsafeBufferPointer(start: batch.arena + span.offset, count: span.count),
                            sequenceHash: batch.hashes[index])
            }
            if let batch = current, batch.isLast {
                if let error = batch.error {
                    // A read error ends its file, as with one thread: the file's further segments
                    // are read by their lanes all the same, and dropped here.
                    readError(error)
                    skippingRestOfFile = true
                }
                // Line numbers go on across the segments of one file.
                let lines = lineBase + segmentLines
                segment += 1
                segmentLines = 0
                guard segment < segments.count else { return nil }
                let startsFile = segments[segment].part.startsFile
                if startsFile { skippingRestOfFile = false }
                lineBase = startsFile ? 0 : lines
            }
            current?.reset()
            let next = queues!.take(lane: segment % lanes.count, returning: current)
            current = next
            index = 0
            if skippingRestOfFile {
                index = next.count
                if next.error != nil { next.error = nil; next.errorOpening = false }
            }
            if let last = next.numbers.last { segmentLines = last }
            if let error = next.error, next.errorOpening {
                segment = segments.count
                queues!.stop()
                throw error
            }
        }
    }
}
