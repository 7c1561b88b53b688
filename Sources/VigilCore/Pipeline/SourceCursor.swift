import Foundation

/// Reads one logical source (its rotated files oldest first) and holds its next parsed event, so
/// several sources can be merged by event time. The held event's bytes stay valid until `advance`.
final class SourceCursor {
    let source: Source
    let parser: LineParser
    private let maxLineBytes: Int
    private let year: Int?
    private var fileIndex = -1
    private var reader: LineReader? {
        didSet { unretainedReader = reader.map { Unmanaged.passUnretained($0) } }
    }
    /// `reader` without ownership: calling it through `_withUnsafeGuaranteedRef` spares each line the
    /// retain and release a call through the optional `var` costs (`reader` owns it meanwhile).
    private var unretainedReader: Unmanaged<LineReader>?
    private(set) var line: Line?
    var parsed = ParsedLine()

    /// A parse thread of a parallel read (`ParallelSourceCursor`) leaves the limit hits of the first
    /// 64 formats to the merge, which counts them in input order: its own counts only switch formats
    /// off for itself (never before one thread would). Formats past the 64th are counted per thread.
    var countsLimitHits = true
    /// Also stops at lines that failed after a format matched them or hit its limit (`failure` says
    /// why they failed): the merge may re-parse such a line as one thread would have.
    var yieldsRevisableFailures = false
    /// Why the held line failed, when `yieldsRevisableFailures` let it through.
    private(set) var failure: FailureReason?

    /// The part of the source this cursor reads alone (a parallel read), if any.
    private var part: SourcePart?
    private var partOpened = false

    init(source: Source, rules: RuleSet, year: Int?, maxLineBytes: Int, part: SourcePart? = nil) {
        self.source = source
        self.year = year
        self.maxLineBytes = maxLineBytes
        self.part = part
        parser = LineParser(rules: rules, defaultService: source.defaultService, maxLineBytes: maxLineBytes)
    }

    /// Goes on with another part of the source once this one is read to its end (a thread of a
    /// parallel read takes every `jobs`-th part); the parser and its match data are kept.
    func begin(part: SourcePart) {
        self.part = part
        partOpened = false
        reader = nil
        line = nil
    }

    /// Moves to the next line that parses, counting every line on the way. False at end of source.
    func advance(_ counters: inout PipelineCounters) throws(InputError) -> Bool {
        while true {
            if reader == nil {
                let path: String
                if let part {
                    // A part is one file or a range of one: it ends where that does.
                    guard !partOpened else { line = nil; return false }
                    partOpened = true
                    path = source.files[part.file]
                    reader = try part.openReader(path, maxLineBytes: maxLineBytes)
                } else {
                    fileIndex += 1
                    guard fileIndex < source.files.count else { line = nil; return false }
                    path = source.files[fileIndex]
                    reader = LineReader(stream: try InputOpener.open(path), maxLineBytes: maxLineBytes)
                }
                parser.timestamps = TimestampParser.forFile(path, year: year)
            }
            let next: Line?
            do {
                next = try unretainedReader!._withUnsafeGuaranteedRef { reader in
                    Result { () throws(InputError) -> Line? in try reader.next() }
                }.get()
            } catch where error.kind == .corrupt || error.kind == .limit {
                // Keep what was read before the damage; report the file and go on with the next one.
                counters.sourceErrors.append(error.description)
                if error.kind == .limit { counters.archiveLimitExceeded += 1 }
                reader = nil
                continue
            }
            guard let current = next else { reader = nil; continue }
            counters.linesRead += 1
            counters.bytesRead += current.streamBytes
            if current.tooLong { counters.failed[.tooLong, default: 0] += 1; continue }
            if current.hadCarriageReturn { counters.carriageReturns += 1 }
            if Self.hasHighBit(current.bytes, current.count),
               !UTF8Decoding.isValid(UnsafeBufferPointer(start: current.bytes, count: current.count)) {
                counters.invalidUTF8 += 1
            }
            let reason = parser.parse(current.bytes, current.count, into: &parsed)
            if parser.limitHitsSinceCheck > 0 { parser.reportLimitHits(into: &counters, countedFrom: countsLimitHits ? 0 : 64) }
            if let reason {
                counters.failed[reason, default: 0] += 1
                if yieldsRevisableFailures, parsed.format >= 0 || parser.lastLineLimitHits != 0 {
                    failure = reason
                    line = current
                    return true
                }
                continue
            }
            counters.linesParsed += 1
            failure = nil
            line = current
            return true
        }
    }

    /// The held line as evidence.
    func evidence() -> Evidence {
        let line = line!
        return Evidence(ts: parsed.ts, source: source.name, lineNumber: line.number, offset: line.offset,
                        line: Array(UnsafeBufferPointer(start: line.bytes, count: line.count)),
                        cursor: parsed.cursor.map { String(decoding: $0, as: UTF8.self) })
    }

    /// Any byte ≥ 0x80, 32 then eight bytes at a time: most log lines are ASCII and skip the UTF-8 check.
    @inline(__always)
    static func hasHighBit(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 32 <= n {
            let any = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                | raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
            if any & 0x8080_8080_8080_8080 != 0 { return true }
            i += 32
        }
        while i + 8 <= n {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return true }
            i += 8
        }
        while i < n { if p[i] >= 0x80 { return true }; i += 1 }
        return false
    }
}

extension TimestampParser {
    /// Syslog timestamps carry no year: take `--year`, else the year of the file's modification time
    /// (a line from a later month than the file's is from the year before).
    public static func forFile(_ path: String, year: Int?) -> TimestampParser {
        if let year { return TimestampParser(defaultYear: year, referenceMonth: 12) }
        guard path != "-", let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date else {
            let (y, m, _) = CivilTime.civilFromDays(Int(Date().timeIntervalSince1970 / 86_400))
            return TimestampParser(defaultYear: y, referenceMonth: m)
        }
        let (y, m, _) = CivilTime.civilFromDays(Int(modified.timeIntervalSince1970 / 86_400))
        return TimestampParser(defaultYear: y, referenceMonth: m)
    }
}
