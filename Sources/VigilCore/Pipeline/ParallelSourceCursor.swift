import Foundation

/// One source read and parsed on its own thread (`--jobs` > 1). Parsed events travel to the merge
/// loop in batches with copies of their bytes, so the merge sees exactly what a `SourceCursor`
/// would give and the output is byte-identical whatever the number of jobs.
final class ParallelSourceCursor: EventCursor, @unchecked Sendable {
    /// One event: the parsed fields with their byte buffers pointing into the batch's arena
    /// (which never moves), so the consumer takes them as they are.
    struct Event {
        var parsed: ParsedLine
        var line: UnsafeBufferPointer<UInt8>
        var lineNumber: Int
        var offset: Int64
        /// Formats whose pattern hit the PCRE2 limit on this line (bit = index).
        var limitHits: UInt64
        /// Set for a line that failed after a format matched it or hit its limit: not an event, but
        /// the merge may re-parse it (see `settle`).
        var failure: FailureReason?
    }

    /// Events and the bytes they point into; the arena never moves once the batch is sent.
    final class Batch {
        var events: [Event] = []
        let arena: UnsafeMutablePointer<UInt8>
        let capacity: Int
        var used = 0
        /// Lines counted while producing this batch (added to the totals when it is consumed).
        var counters = PipelineCounters()
        var error: InputError?
        var isLast = false
        /// The timestamp rules the parse thread used for these lines (syslog years come from the
        /// file), for the merge to re-parse one with.
        var timestamps = TimestampParser()

        init(capacity: Int) {
            self.capacity = capacity
            arena = .allocate(capacity: capacity)
            events.reserveCapacity(ParallelSourceCursor.batchEvents)
        }

        deinit { arena.deallocate() }

        /// Empties a consumed batch for reuse (its arena pages are already mapped).
        func reset() {
            events.removeAll(keepingCapacity: true)
            used = 0
            counters = PipelineCounters()
            error = nil
            isLast = false
        }

        /// Adds the event of `line`, parsed as `p`: the line is copied into the arena; fields that lie
        /// inside the line (most do) point into its copy, others are copied after it.
        func append(_ p: ParsedLine, line: Line, limitHits: UInt64, failure: FailureReason?) {
            let copy = UnsafePointer(arena + used)
            (arena + used).update(from: line.bytes, count: line.count)
            used += line.count
            var event = Event(parsed: p, line: UnsafeBufferPointer(start: copy, count: line.count), lineNumber: line.number, offset: line.offset,
                              limitHits: limitHits, failure: failure)
            event.parsed.service = place(p.service, line, copy) ?? UnsafeBufferPointer(start: arena + used, count: 0)
            event.parsed.message = place(p.message, line, copy)
            event.parsed.cursor = place(p.cursor, line, copy)
            events.append(event)
        }

        /// Where `field` is in the arena: in the line's `copy` when it lies inside the line, else a copy
        /// of its own.
        @inline(__always)
        private func place(_ field: UnsafeBufferPointer<UInt8>?, _ line: Line, _ copy: UnsafePointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
            guard let field, let base = field.baseAddress else { return nil }
            if base >= line.bytes, base + field.count <= line.bytes + line.count {
                return UnsafeBufferPointer(start: copy + (base - line.bytes), count: field.count)
            }
            let at = UnsafePointer(arena + used)
            (arena + used).update(from: base, count: field.count)
            used += field.count
            return UnsafeBufferPointer(start: at, count: field.count)
        }
    }

    /// Batches are small enough that the ones in flight stay in the processor's cache (the parse
    /// threads write them and the merge reads them soon after), large enough that handing one over
    /// costs nothing per event.
    private static let batchBytes = 1 << 17
    private static let batchEvents = 1024
    /// One parse thread: a reader and the parts of the source it reads (every `jobs`-th file or
    /// segment of a large plain file; or the whole source, `nil`); its batches wait in `queues`.
    /// Parts are consumed in order, lane after lane, so the source's lines keep their order.
    private final class Lane: @unchecked Sendable {
        let index: Int
        /// Used by this lane's thread only.
        let reader: SourceCursor
        let parts: [SourcePart?]
        init(index: Int, reader: SourceCursor, parts: [SourcePart?]) {
            self.index = index
            self.reader = reader
            self.parts = parts
        }
    }

    private let source: Source
    private let lanes: [Lane]
    /// Batches a lane may have ready: enough that a lane can parse about two segments ahead of
    /// the one being consumed, so all lanes work at once.
    private let queues: LaneQueues<Batch>
    // Consumer side.
    /// The part being consumed (lane `part % lanes.count`), and all of them.
    private var part = 0
    private let parts: [SourcePart?]
    /// Lines of the file before the current part, and of the current part so far: a segment
    /// counts its lines from 1, and its events are renumbered when they are consumed.
    private var lineBase = 0
    private var partLines = 0
    private var current: Batch?
    private var index = 0
    /// An input error that ends the source, thrown once the events before it are handed out.
    private var pendingError: InputError?
    private(set) var parsed = ParsedLine()

    // Switching a format off after `LineParser.disableAfterLimitHits` PCRE2 limit hits, as one
    // thread would: each parse thread counts only its own lines' hits, so it switches a format off
    // later in the input than one thread would (never earlier). The merge counts every line's hits
    // in input order, and re-parses a line that a parse thread gave to (or failed by) a format one
    // thread would have switched off by then.
    private let rules: RuleSet
    private let maxLineBytes: Int
    /// Formats switched off so far (bit = index), and the hits counted towards it.
    private var switchedOff: UInt64 = 0
    private var limitHitsSeen: [Int]
    /// Parses again what a parse thread parsed with a format that was switched off; made on first use.
    private var reparser: LineParser?

    /// The files of a rotated set, and segments of about `segmentBytes` of its large plain files
    /// (at least `jobs` of each), are dealt round-robin to `jobs` lanes: lane k reads parts k,
    /// k + jobs, … while the parts before are consumed, so every lane stays busy with bounded memory.
    init(source: Source, rules: RuleSet, year: Int?, maxLineBytes: Int, jobs: Int = 1, segmentMinimumBytes: Int64 = .max,
         segmentBytes: Int64 = 1 << 20) {
        self.source = source
        self.rules = rules
        self.maxLineBytes = maxLineBytes
        limitHitsSeen = Array(repeating: 0, count: min(64, rules.formats.count))
        let parts = Self.parts(of: source, jobs: jobs, minimumBytes: segmentMinimumBytes, segmentBytes: segmentBytes)
        self.parts = parts
        let laneCount = min(jobs, parts.count)
        lanes = (0..<laneCount).map { k in
            let mine = Array(stride(from: k, to: parts.count, by: laneCount).map { parts[$0] })
            let reader = SourceCursor(source: source, rules: rules, year: year, maxLineBytes: maxLineBytes, part: mine[0])
            reader.countsLimitHits = false
            reader.yieldsRevisableFailures = true
            return Lane(index: k, reader: reader, parts: mine)
        }
        queues = LaneQueues(lanes: laneCount, depth: 16)
        for lane in lanes {
            // The thread keeps this cursor alive until its part of the source is read.
            let thread = Thread { [self] in produce(lane, maxLineBytes: maxLineBytes) }
            thread.name = "vigil-parse"
            thread.start()
        }
    }

    /// Each file of the source, large plain files cut at line starts; stdin (or one thread) reads
    /// the whole source as one part.
    private static func parts(of source: Source, jobs: Int, minimumBytes: Int64, segmentBytes: Int64) -> [SourcePart?] {
        guard jobs > 1, !source.files.contains("-") else { return [nil] }
        let parts = SourcePart.parts(of: source.files, jobs: jobs, minimumBytes: minimumBytes, segmentBytes: segmentBytes)
        return parts.isEmpty ? [nil] : parts
    }

    deinit { queues.stop() }

    private func produce(_ lane: Lane, maxLineBytes: Int) {
        let reader = lane.reader
        // A batch must hold at least one whole event (line, service, message and cursor).
        let capacity = max(Self.batchBytes, 4 * maxLineBytes + 4096)
        var batch = Batch(capacity: capacity)
        for (n, part) in lane.parts.enumerated() {
            if n > 0, let part { reader.begin(part: part) }
            var pending = false
            while true {
                pending = Self.fill(batch, from: reader, pending: pending)
                batch.timestamps = reader.parser.timestamps
                // The last batch of a part (or the one with the error that ends it) says so.
                if !pending { batch.isLast = true }
                // Read before sending: once sent, the batch may be consumed and reused.
                let failed = batch.error != nil
                guard queues.send(batch, lane: lane.index), !failed else { return }
                batch = queues.reuse() ?? Batch(capacity: capacity)
                if !pending { break }
            }
        }
    }

    /// Moves the reader's events into `batch` until it is full (true: the reader holds an event that
    /// did not fit) or the source ends (false; an input error is left in the batch). `pending`: the
    /// reader holds an event already counted that goes first. A function of its own, so batch and
    /// reader are borrowed for the whole loop rather than retained for each event.
    private static func fill(_ batch: Batch, from reader: SourceCursor, pending: Bool) -> Bool {
        var more = pending
        if !pending {
            do { more = try reader.advance(&batch.counters) } catch { batch.error = error; return false }
        }
        while more, let line = reader.line {
            let p = reader.parsed
            // The message is carried: change recognition and template mining read it.
            let need = line.count + (p.service?.count ?? 0) + (p.message?.count ?? 0) + (p.cursor?.count ?? 0)
            if !batch.events.isEmpty, batch.used + need > batch.capacity || batch.events.count >= Self.batchEvents { return true }
            batch.append(p, line: line, limitHits: reader.parser.lastLineLimitHits, failure: reader.failure)
            do { more = try reader.advance(&batch.counters) } catch { batch.error = error; return false }
        }
        return false
    }

    func advance(_ counters: inout PipelineCounters) throws(InputError) -> Bool {
        while true {
            if let batch = current, index < batch.events.count {
                let i = index
                index += 1
                let event = batch.events[i]
                // Nearly every line: an event no limit touched, while no format is switched off.
                if event.limitHits == 0, event.failure == nil, switchedOff == 0 {
                    parsed = event.parsed
                    return true
                }
                if settle(batch, i, &counters) { return true }
                continue
            }
            if let error = pendingError {
                pendingError = nil
                throw error
            }
            if let batch = current, batch.isLast {
                guard part + 1 < parts.count else { return false }
                part += 1
                // Line numbers go on across the segments of one file.
                lineBase = parts[part]?.startsFile ?? true ? 0 : lineBase + partLines
                partLines = 0
            }
            // The batch read so far is done with (`parsed` and `evidence` move on to the next one).
            var done: Batch? = nil
            if let batch = current, batch.error == nil {
                batch.reset()
                done = batch
            }
            current = nil
            let next = queues.take(lane: part % lanes.count, returning: done)
            counters.merge(next.counters)
            partLines += next.counters.linesRead
            current = next
            index = 0
            if let error = next.error {
                // The events read before the error go first, as from one thread.
                pendingError = error
                part = parts.count
                queues.stop()
            }
        }
    }

    /// Brings the event at `i` to what one thread would have made of it: re-parsed when its format
    /// had been switched off by then, its limit hits counted (switching formats off for the lines
    /// after it). True when it is an event (now in `parsed`), false when the line failed.
    private func settle(_ batch: Batch, _ i: Int, _ counters: inout PipelineCounters) -> Bool {
        var event = batch.events[i]
        var hits = event.limitHits & ~switchedOff
        let format = event.parsed.format
        if format >= 0, format < 64, switchedOff & (1 << UInt64(format)) != 0 {
            let parser = reparser ?? LineParser(rules: rules, defaultService: source.defaultService, maxLineBytes: maxLineBytes)
            reparser = parser
            parser.timestamps = batch.timestamps
            parser.switchOff(switchedOff)
            var again = ParsedLine()
            let reason = parser.parse(event.line.baseAddress!, event.line.count, into: &again)
            hits = parser.lastLineLimitHits & ~switchedOff
            // The lane counted the line as parsed or as failed for its reason: count it as it is now.
            if let old = event.failure {
                // No key left at 0: one thread would have counted none.
                let left = counters.failed[old, default: 0] - 1
                counters.failed[old] = left == 0 ? nil : left
            } else {
                counters.linesParsed -= 1
            }
            if let reason { counters.failed[reason, default: 0] += 1 } else { counters.linesParsed += 1 }
            event.parsed = again
            event.failure = reason
            batch.events[i] = event
        }
        var bits = hits
        while bits != 0 {
            let f = bits.trailingZeroBitCount
            bits &= bits - 1
            let name = rules.formats[f].name
            counters.regexLimitHits[name, default: 0] += 1
            limitHitsSeen[f] += 1
            if limitHitsSeen[f] >= LineParser.disableAfterLimitHits, switchedOff & (1 << UInt64(f)) == 0 {
                switchedOff |= 1 << UInt64(f)
                if !counters.formatsDisabled.contains(name) { counters.formatsDisabled.append(name) }
            }
        }
        guard event.failure == nil else { return false }
        parsed = event.parsed
        return true
    }

    func evidence() -> Evidence {
        let batch = current!
        let e = batch.events[index - 1]
        return Evidence(ts: e.parsed.ts, source: source.name, lineNumber: lineBase + e.lineNumber, offset: e.offset,
                        line: Array(e.line), cursor: e.parsed.cursor.map { String(decoding: $0, as: UTF8.self) })
    }
}

extension PipelineCounters {
    /// Adds counts gathered elsewhere (a parse thread's batch).
    mutating func merge(_ other: PipelineCounters) {
        linesRead += other.linesRead
        bytesRead += other.bytesRead
        linesParsed += other.linesParsed
        for (reason, n) in other.failed { failed[reason, default: 0] += n }
        carriageReturns += other.carriageReturns
        invalidUTF8 += other.invalidUTF8
        outsideRange += other.outsideRange
        sourceErrors += other.sourceErrors
        archiveLimitExceeded += other.archiveLimitExceeded
        for (name, n) in other.regexLimitHits { regexLimitHits[name, default: 0] += n }
        for name in other.formatsDisabled where !formatsDisabled.contains(name) { formatsDisabled.append(name) }
    }
}
