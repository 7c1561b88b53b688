/// `vigil replay`: archives in, records out. Sources are read to the end and merged by event time;
/// output depends only on the input and the rules.
public struct ReplayPipeline {
    public var sources: [Source]
    public var rules: RuleSet
    /// Only events in `[from, to)` are aggregated (`--from`/`--to`).
    public var from: EventTime?
    public var to: EventTime?
    /// Year for syslog timestamps without one (`--year`); default: each file's modification year.
    public var year: Int?
    public var maxLineBytes = 1 << 16
    /// Threads for reading and parsing (`--jobs`): with more than one, each source's files (and the
    /// segments of its large plain files) are dealt to that many threads while this one merges and
    /// aggregates. Output is identical either way.
    public var jobs = 1
    /// With `jobs` > 1, a plain file at least this large is cut into segments parsed on separate
    /// threads (smaller files are not worth cutting).
    public var segmentMinimumBytes: Int64 = 32 << 20
    /// Size of those segments: small enough that every thread has one to parse while the ones
    /// before are merged (and the batches in flight stay small), large enough to cost nothing to cut.
    public var segmentBytes: Int64 = 1 << 20
    /// Changes from a `--changes` feed, in time order; each is merged before the first line of
    /// its time or later.
    public var changes: [ChangeEvent] = []
    /// Novelty state from an earlier run (`--state`), and where the new state goes at the end.
    public var noveltyState = NoveltyState()
    public var saveNoveltyState: ((NoveltyState) -> Void)? = nil

    public init(sources: [Source], rules: RuleSet) {
        self.sources = sources
        self.rules = rules
    }

    /// Runs to the end of every source; each record is handed to `sink` as it is decided.
    public func run(sink: @escaping (Record) -> Void) throws(InputError) -> PipelineCounters {
        var counters = PipelineCounters()
        var written = 0
        let aggregator = WindowAggregator(rules: rules, novelty: noveltyState) { record in written += 1; sink(record) }
        var cursors: [EventCursor] = sources.map { source in
            jobs > 1 ? ParallelSourceCursor(source: source, rules: rules, year: year, maxLineBytes: maxLineBytes, jobs: jobs,
                                       segmentMinimumBytes: segmentMinimumBytes, segmentBytes: segmentBytes) as EventCursor
                     : SourceCursor(source: source, rules: rules, year: year, maxLineBytes: maxLineBytes) as EventCursor
        }
        // Several sources are merged by event time: each is guarded against clock errors first.
        if cursors.count > 1 { cursors = cursors.map { JumpGuardCursor($0, maxJump: rules.window.maxJump) } }
        var feed = changes.filter { change in from.map { change.time >= $0 } ?? true && to.map { change.time < $0 } ?? true }[...]
        var live: [EventCursor] = []
        for cursor in cursors where try cursor.advance(&counters) { live.append(cursor) }

        /// The held event of `cursor`: changes due by its time first, then the event itself.
        @inline(__always)
        func consume<C: EventCursor>(_ cursor: C) {
            let ts = cursor.ts
            while let next = feed.first, next.time <= ts { aggregator.addChange(next); feed.removeFirst() }
            if let from, ts < from {
                counters.outsideRange += 1
            } else if let to, ts >= to {
                counters.outsideRange += 1
            } else {
                // The cursor outlives this call (the caller holds it); unowned(unsafe), reading its
                // event and handing out its evidence closure cost no retain and release per line.
                unowned(unsafe) let held = cursor
                switch aggregator.add(held.parsed, evidence: { held.evidence() }) {
                case .kept: break
                case .late: counters.failed[.late, default: 0] += 1; counters.linesParsed -= 1
                case .future: counters.failed[.future, default: 0] += 1; counters.linesParsed -= 1
                }
            }
        }
        /// One source left (or only one given): nothing to merge, and the loop is specialised for the
        /// cursor's type, so the per-line calls are direct.
        func drain<C: EventCursor>(_ cursor: C) throws(InputError) {
            repeat { consume(cursor) } while try cursor.advance(&counters)
        }

        while !live.isEmpty {
            if live.count == 1 {
                // The last source of a merge: its guard is not needed any more (the aggregator
                // guards a single stream), once a line it holds has been taken.
                var last = live[0]
                if let guarded = last as? JumpGuardCursor {
                    if guarded.isHolding {
                        consume(guarded)
                        guard try guarded.advance(&counters) else { live.removeAll(); break }
                    }
                    last = guarded.inner
                }
                if let cursor = last as? ParallelSourceCursor { try drain(cursor) }
                else if let cursor = last as? SourceCursor { try drain(cursor) }
                else { try drain(last) }
                live.removeAll()
                break
            }
            // Earliest event first; ties go to the source given first, so the merge is deterministic.
            var best = 0
            if live.count > 1 {
                var bestTs = live[0].ts
                for i in 1..<live.count {
                    let ts = live[i].ts
                    if ts < bestTs { best = i; bestTs = ts }
                }
            }
            let cursor = live[best]
            consume(cursor)
            if try !cursor.advance(&counters) { live.remove(at: best) }
        }
        for change in feed { aggregator.addChange(change) }
        aggregator.finish()
        // Lines held as possible clock errors (`max_jump`) and dropped: counted as parsed until then.
        if aggregator.heldLinesDropped > 0 {
            counters.failed[.future, default: 0] += aggregator.heldLinesDropped
            counters.linesParsed -= aggregator.heldLinesDropped
        }
        if let saveNoveltyState, let state = aggregator.noveltyState { saveNoveltyState(state) }
        counters.recordsWritten = written
        counters.serviceOverflow = aggregator.overflowEvents
        return counters
    }
}
