/// What the merge loop needs from a source: its next parsed event, held until `advance`.
protocol EventCursor: AnyObject {
    var parsed: ParsedLine { get }
    /// The held event's time (read by the merge for every line; cheaper than copying `parsed`).
    var ts: EventTime { get }
    /// Moves to the next event, counting every line on the way; false at the end of the source.
    func advance(_ counters: inout PipelineCounters) throws(InputError) -> Bool
    /// The held event's line as evidence.
    func evidence() -> Evidence
}

extension SourceCursor: EventCursor {
    var ts: EventTime { parsed.ts }
}

extension ParallelSourceCursor {
    var ts: EventTime { parsed.ts }
}
