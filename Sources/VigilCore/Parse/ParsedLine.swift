/// Why a line produced no event. Each reason is a label of `vigil_lines_failed_total{reason}`.
public enum FailureReason: String, Sendable, CaseIterable {
    /// No built-in or configured format matched the line.
    case noMatch = "no_match"
    /// A format matched but the line has no timestamp vigil can read.
    case badTimestamp = "bad_timestamp"
    /// The line holds NUL bytes: binary data, not a log line.
    case binary
    /// Longer than the line limit; skipped whole (its start is not parsed as a line of its own).
    case tooLong = "too_long"
    /// Older than the watermark allows (event time more than `lateness` behind the newest).
    case late
    /// More than `max_jump` ahead of the newest event time, and the next line did not follow it
    /// there: a clock error (a host set ten years ahead), not the stream moving on.
    case future
    /// A blank line.
    case empty
}

/// The fields of one parsed line. Byte ranges point into the line or into the parser's scratch
/// buffers, and stay valid until the next call to `LineParser.parse`.
public struct ParsedLine {
    public var ts: EventTime = .min
    public var level: Level = .unknown
    /// HTTP status, 0 when the line carries none.
    public var status: Int32 = 0
    /// Latency in milliseconds, negative when the line carries none.
    public var latencyMs: Double = -1
    public var service: UnsafeBufferPointer<UInt8>? = nil
    public var message: UnsafeBufferPointer<UInt8>? = nil
    /// journald `__CURSOR`, kept for evidence.
    public var cursor: UnsafeBufferPointer<UInt8>? = nil
    /// Index into the rule set's formats of the format that matched.
    public var format: Int = -1
    /// Change-rule keywords present in the message (`KeywordSet`), found by the parser.
    public var changeKeywords: UInt64 = 0

    public init() {}

    /// An error event: level error or worse, or an HTTP 5xx.
    @inline(__always) public var isError: Bool { level >= .error || status >= 500 }
}
