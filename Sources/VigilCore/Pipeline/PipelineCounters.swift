/// What the pipeline did with its input: every line read is parsed or failed with a reason
/// (SPEC "Nothing is lost silently"). `read == parsed + failed.values.sum()` always holds.
public struct PipelineCounters: Sendable, Equatable {
    public var linesRead = 0
    public var bytesRead: Int64 = 0
    public var linesParsed = 0
    public var failed: [FailureReason: Int] = [:]
    /// Lines that ended in `\r\n` (parsed without the `\r`).
    public var carriageReturns = 0
    /// Lines holding invalid UTF-8 (parsed; output escaping replaces the bad bytes).
    public var invalidUTF8 = 0
    /// Parsed lines left out by `--from`/`--to`.
    public var outsideRange = 0
    public var recordsWritten = 0
    /// Events of services beyond `max_services`, aggregated as service `other`.
    public var serviceOverflow = 0
    /// Archives cut short by the decompression limits (gzip bombs).
    public var archiveLimitExceeded = 0
    /// PCRE2 matches stopped by the match or depth limit, per format name (the line then counts
    /// as unmatched by that format); and formats switched off for hitting it too often.
    public var regexLimitHits: [String: Int] = [:]
    public var formatsDisabled: [String] = []
    /// NUL bytes skipped at the start of lines: the hole a writer without O_APPEND leaves when it
    /// goes on at its old offset after a copytruncate (RELIABILITY R4).
    public var nulBytesSkipped: Int64 = 0
    /// Files that could not be read to the end (corrupt gzip …), with the reason.
    public var sourceErrors: [String] = []

    public init() {}

    public var linesFailed: Int { failed.values.reduce(0, +) }

    /// One line for stderr at the end of a run.
    public var summary: String {
        var text = "\(linesRead) lines read, \(linesParsed) parsed, \(linesFailed) failed"
        let reasons = failed.filter { $0.value > 0 }.sorted { $0.key.rawValue < $1.key.rawValue }
        if !reasons.isEmpty { text += " (" + reasons.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ") + ")" }
        if carriageReturns > 0 { text += ", \(carriageReturns) CRLF" }
        if invalidUTF8 > 0 { text += ", \(invalidUTF8) invalid UTF-8" }
        if outsideRange > 0 { text += ", \(outsideRange) outside --from/--to" }
        if nulBytesSkipped > 0 { text += ", \(nulBytesSkipped) NUL bytes skipped" }
        if archiveLimitExceeded > 0 { text += ", \(archiveLimitExceeded) archives cut at the decompression limit" }
        let hits = regexLimitHits.values.reduce(0, +)
        if hits > 0 { text += ", \(hits) regex limit hits" }
        if !formatsDisabled.isEmpty { text += " (formats disabled: \(formatsDisabled.joined(separator: ", ")))" }
        if serviceOverflow > 0 { text += ", \(serviceOverflow) events of services beyond max_services counted as other" }
        text += "; \(recordsWritten) records"
        return text
    }
}
