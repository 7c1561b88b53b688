import Foundation

/// One source read and parsed on its own thread (`--jobs` > 1). Parsed events travel to the merge
/// loop in batches with copies of their bytes, so the merge sees exactly what a `SourceCursor`
/// would give and the output is byte-identical whatever the number of jobs.
final class ParallelSourceCursor: EventCursor, @unchecked Sendable {
    /// One event, its byte fields as ranges into its batch's arena.
    struct Event {
        var ts: EventTime
        var level: Level
        var status: Int32
        var latencyMs: Double
        var format: Int
        var service: (start: Int, count: Int)
        var message: (start: Int, count: Int)?
        var cursor: (start: Int, count: Int)?
        var line: (start: Int, count: Int)
        var lineNumber: Int
        var offset: Int64
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

        init(capacity: Int) {
            self.capacity = capacity
            arena = .allocate(capacity: capacity)
            events.reserveCapacity(4096)
        }

        deinit { arena.deallocate() }

        func copy(_ bytes: UnsafeBufferPointer<UInt8>?) -> (start: Int, count: Int)? {
            guard let bytes, let base = bytes.baseAddress else { return nil }
            (arena + used).update(from: base, count: bytes.count)
            defer { used += bytes.count }
            return (used, bytes.count)
        }
    }

    private static let batchBytes = 1 << 20
    private let source: Source
    /// Used by the parse thread only.
    private let reader: SourceCursor
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [Batch] = []
    private let depth = 4
    private var stopped = false
    // Consumer side.
    private var current: Batch?
    private var index = 0
    private(set) var parsed = ParsedLine()

    init(source: Source, rules: RuleSet, year: Int?, maxLineBytes: Int) {
        self.source = source
        reader = SourceCursor(source: source, rules: rules, year: year, maxLineBytes: maxLineBytes)
        // The thread keeps this cursor alive until the source is read to its end.
        let thread = Thread { [self] in produce(reader, maxLineBytes: maxLineBytes) }
        thread.name = "vigil-parse"
        thread.start()
    }

    deinit {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func produce(_ reader: SourceCursor, maxLineBytes: Int) {
        // A batch must hold at least one whole event (line, service, message and cursor).
        let capacity = max(Self.batchBytes, 4 * maxLineBytes + 4096)
        var batch = Batch(capacity: capacity)
        while true {
            var more = false
            do { more = try reader.advance(&batch.counters) } catch { batch.error = error }
            if more, let line = reader.line {
                let p = reader.parsed
                // The message is carried: change recognition and template mining read it.
                let need = line.count + (p.service?.count ?? 0) + (p.message?.count ?? 0) + (p.cursor?.count ?? 0)
                if batch.used + need > batch.capacity || batch.events.count >= 8192 {
                    guard send(batch) else { return }
                    batch = Batch(capacity: capacity)
                }
                let lineRange = batch.copy(UnsafeBufferPointer(start: line.bytes, count: line.count)) ?? (batch.used, 0)
                batch.events.append(Event(ts: p.ts, level: p.level, status: p.status, latencyMs: p.latencyMs, format: p.format,
                                          service: batch.copy(p.service) ?? (batch.used, 0), message: batch.copy(p.message),
                                          cursor: batch.copy(p.cursor), line: lineRange, lineNumber: line.number, offset: line.offset))
                continue
            }
            batch.isLast = true
            _ = send(batch)
            return
        }
    }

    /// Hands a batch to the consumer, waiting while the queue is full; false when stopped.
    private func send(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= depth && !stopped { condition.wait() }
        if stopped { return false }
        queue.append(batch)
        condition.broadcast()
        return true
    }

    func advance(_ counters: inout PipelineCounters) throws(InputError) -> Bool {
        while true {
            if let batch = current, index < batch.events.count {
                let e = batch.events[index]
                index += 1
                let arena = UnsafePointer(batch.arena)
                parsed = ParsedLine()
                parsed.ts = e.ts
                parsed.level = e.level
                parsed.status = e.status
                parsed.latencyMs = e.latencyMs
                parsed.format = e.format
                parsed.service = UnsafeBufferPointer(start: arena + e.service.start, count: e.service.count)
                parsed.message = e.message.map { UnsafeBufferPointer(start: arena + $0.start, count: $0.count) }
                parsed.cursor = e.cursor.map { UnsafeBufferPointer(start: arena + $0.start, count: $0.count) }
                return true
            }
            if let batch = current, batch.isLast { return false }
            condition.lock()
            while queue.isEmpty { condition.wait() }
            let next = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
            counters.merge(next.counters)
            if let error = next.error { current = next; index = next.events.count; next.isLast = true; throw error }
            current = next
            index = 0
        }
    }

    func evidence() -> Evidence {
        let batch = current!
        let e = batch.events[index - 1]
        return Evidence(ts: e.ts, source: source.name, lineNumber: e.lineNumber, offset: e.offset,
                        line: Array(UnsafeBufferPointer(start: batch.arena + e.line.start, count: e.line.count)),
                        cursor: e.cursor.map { String(decoding: UnsafeBufferPointer(start: batch.arena + $0.start, count: $0.count), as: UTF8.self) })
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
