/// One source of a merge of several, with clock errors taken out before the merge sees them.
///
/// The merge takes the earliest event of all sources. A line stamped far ahead of its own source
/// (a host clock set ten years on) would stay that source's earliest event until every other
/// source is drained, and the rest of the source would then come after all of them, late. So a
/// line more than `max_jump` ahead of its source's newest is held, and the line after it decides:
/// ahead too (the source moved on after a quiet spell), the held line is handed to the merge
/// first; back in step, it was a clock error, dropped and counted as `future`. (A single source
/// needs no guard: the aggregator does the same on its stream.)
final class JumpGuardCursor: EventCursor {
    let inner: EventCursor
    private let maxJump: EventTime
    private var newest: EventTime = .min
    /// A line that jumped ahead and was confirmed by the next one: the merge's current event.
    private var held: HeldLine?

    init(_ inner: EventCursor, maxJump: EventTime) {
        self.inner = inner
        self.maxJump = maxJump
    }

    /// Whether the current event is a held line rather than the inner cursor's.
    var isHolding: Bool { held != nil }

    var parsed: ParsedLine { held?.line ?? inner.parsed }
    var ts: EventTime { held?.line.ts ?? inner.ts }
    func evidence() -> Evidence { held?.evidence ?? inner.evidence() }

    func advance(_ counters: inout PipelineCounters) throws(InputError) -> Bool {
        if held != nil {
            // The held line was taken; the line that confirmed it is next (already read).
            held = nil
            newest = max(newest, inner.ts)
            return true
        }
        guard try inner.advance(&counters) else { return false }
        return try settle(&counters)
    }

    /// The inner cursor has a new current line: checked against the source's newest.
    private func settle(_ counters: inout PipelineCounters) throws(InputError) -> Bool {
        guard jumps(inner.ts) else {
            newest = max(newest, inner.ts)
            return true
        }
        let suspect = HeldLine(inner.parsed, evidence: inner.evidence())
        let more = try inner.advance(&counters)
        if more, jumps(inner.ts) {
            held = suspect
            newest = suspect.line.ts
            return true
        }
        counters.failed[.future, default: 0] += 1
        counters.linesParsed -= 1
        guard more else { return false }
        newest = max(newest, inner.ts)
        return true
    }

    private func jumps(_ ts: EventTime) -> Bool { WindowAggregator.jumps(ts, after: newest, by: maxJump) }
}
