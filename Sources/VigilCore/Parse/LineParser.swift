#if canImport(Glibc)
import Glibc
#endif

/// The parser stage: one line of bytes → `ParsedLine`, or the reason it is not an event.
///
/// One parser per source and thread: it owns PCRE2 match data and scratch buffers, so parsing
/// allocates nothing. Formats are tried in order, the first that matches taking the line; formats
/// a line's first bytes rule out are skipped, so mixed shapes mostly cost one PCRE2 match a line.
public final class LineParser {
    public let formats: [FormatRule]
    /// The change rules' keywords, looked for here so the aggregator need not.
    private let changeKeywords: KeywordSet
    /// Owns the PCRE2 match data; the per-line path uses `raw` and `kinds`, plain values that cost
    /// no reference counting when read from an array.
    private let matchers: [Matcher?]
    private let raw: [RawMatcher?]
    private let kinds: [KindTag]
    /// Per byte value, whether each format can match a line starting with it (index byte * count + format).
    private let canStart: [Bool]
    private let groups: [FormatGroups]
    private var limitHitCounts: [Int]
    private enum KindTag: UInt8 { case json, logfmt, regex }
    public var timestamps: TimestampParser
    /// The last ISO and nginx timestamps' date and time of day (lines of one second read only their fraction).
    private var timestampMemo = TimestampMemo()
    /// Service for lines that name none (the `NAME` of `NAME=PATH`, else the source's file stem).
    private let defaultService: [UInt8]
    private let scratchCapacity: Int
    private let scratchMessage: UnsafeMutablePointer<UInt8>
    private let scratchService: UnsafeMutablePointer<UInt8>
    private let defaultServiceBuffer: UnsafeMutablePointer<UInt8>
    private var formatServices: [UnsafeBufferPointer<UInt8>?] = []

    /// When set, every named capture or JSON/logfmt member is also collected into `fields`
    /// (for `vigil parse`; the pipeline leaves it off).
    public var collectFields = false
    public private(set) var fields: [(name: String, value: [UInt8], isNumber: Bool)] = []

    /// Matches that hit a PCRE2 limit, per format.
    public var limitHits: [Int] { limitHitCounts }
    /// Limit hits not yet reported (`reportLimitHits`).
    public private(set) var limitHitsSinceCheck = 0
    /// The formats (bit = index, below 64) whose pattern hit the limit on the last line parsed: the
    /// merge of a parallel read counts them in input order (`ParallelSourceCursor`).
    public private(set) var lastLineLimitHits: UInt64 = 0
    /// A format whose pattern hits the PCRE2 limit this many times is switched off: a hostile or
    /// careless pattern costs each line up to the limit's work, and must not stall the pipeline.
    public static let disableAfterLimitHits = 1000
    private var disabled: [Bool] = []

    /// Adds the limit hits since the last call to the counters, and reports formats switched off.
    /// Formats below `countedFrom` are switched off here as well but left out of the counters: a
    /// parse thread of a parallel read leaves the first 64 (those `lastLineLimitHits` can carry) to
    /// the merge, which counts them in input order.
    public func reportLimitHits(into counters: inout PipelineCounters, countedFrom: Int = 0) {
        for (i, hits) in limitHitCounts.enumerated() where hits > 0 {
            if i >= countedFrom { counters.regexLimitHits[formats[i].name, default: 0] += hits }
            limitHitCounts[i] = 0
            totalLimitHits[i] += hits
            if totalLimitHits[i] >= Self.disableAfterLimitHits, !disabled[i] {
                disabled[i] = true
                if i >= countedFrom, !counters.formatsDisabled.contains(formats[i].name) { counters.formatsDisabled.append(formats[i].name) }
            }
        }
        limitHitsSinceCheck = 0
    }
    private var totalLimitHits: [Int] = []

    /// Switches the formats of `mask` (bit = index) off, as 1,000 limit hits would: the merge of a
    /// parallel read re-parses a line with the formats one thread would have switched off by then.
    public func switchOff(_ mask: UInt64) {
        var bits = mask
        while bits != 0 {
            let f = bits.trailingZeroBitCount
            bits &= bits - 1
            if f < disabled.count { disabled[f] = true }
        }
    }

    /// Regex formats (bit = index, below 64) that are anchored, so a line's first four bytes can
    /// rule them out; and, per four-byte prefix seen, the formats it rules out (a direct-mapped
    /// table; a key holds the prefix with bit 32 set, 0 is empty). A format is skipped only when
    /// PCRE2 showed no line with that prefix can match it, so what a line becomes never depends on
    /// what the table holds; it only spares the quick failures of earlier formats (app lines meet
    /// no nginx pattern, access lines no timestamp pattern) their PCRE2 calls.
    private var probeable: UInt64 = 0
    private var prefixKeys = [UInt64](repeating: 0, count: LineParser.prefixSlots)
    private var prefixRuledOut = [UInt64](repeating: 0, count: LineParser.prefixSlots)
    private static let prefixSlots = 4096

    public init(rules: RuleSet, defaultService: String, timestamps: TimestampParser = TimestampParser(), maxLineBytes: Int = 1 << 16) {
        formats = rules.formats
        matchers = rules.formats.map { format in
            if case .regex(let pattern) = format.kind { return Matcher(pattern) }
            return nil
        }
        raw = matchers.map { $0?.raw }
        changeKeywords = KeywordSet(rules.changes.map(\.keyword))
        kinds = rules.formats.map { format in
            switch format.kind { case .json: .json; case .logfmt: .logfmt; case .regex: .regex }
        }
        limitHitCounts = Array(repeating: 0, count: rules.formats.count)
        totalLimitHits = limitHitCounts
        disabled = Array(repeating: false, count: rules.formats.count)
        var canStart = [Bool](repeating: true, count: 256 * rules.formats.count)
        for (f, format) in rules.formats.enumerated() {
            switch format.kind {
            case .json: for b in 0..<256 { canStart[b * rules.formats.count + f] = b == 123 || b == 32 }
            case .logfmt: break
            case .regex(let pattern):
                if let first = pattern.firstBytes { for b in 0..<256 { canStart[b * rules.formats.count + f] = first[b] } }
            }
        }
        self.canStart = canStart
        for (f, matcher) in matchers.enumerated() where f < 64 && matcher?.pattern.isAnchored == true {
            probeable |= 1 << UInt64(f)
        }
        groups = rules.formats.map { FormatGroups($0) }
        self.timestamps = timestamps
        self.defaultService = Array(defaultService.utf8)
        scratchCapacity = maxLineBytes
        scratchMessage = .allocate(capacity: maxLineBytes)
        scratchService = .allocate(capacity: maxLineBytes)
        defaultServiceBuffer = .allocate(capacity: max(1, self.defaultService.count))
        defaultServiceBuffer.initialize(from: self.defaultService, count: self.defaultService.count)
        formatServices = rules.formats.map { format in
            guard let service = format.service else { return nil }
            let bytes = Array(service.utf8)
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, bytes.count))
            buffer.initialize(from: bytes, count: bytes.count)
            return UnsafeBufferPointer(start: buffer, count: bytes.count)
        }
    }

    deinit {
        scratchMessage.deallocate()
        scratchService.deallocate()
        defaultServiceBuffer.deallocate()
        for buffer in formatServices { buffer?.deallocate() }
    }

    /// Parses `n` bytes at `p` (no line terminator) into `out`; returns nil on success.
    public func parse(_ p: UnsafePointer<UInt8>, _ n: Int, into out: inout ParsedLine) -> FailureReason? {
        out = ParsedLine()
        lastLineLimitHits = 0
        if collectFields { fields.removeAll(keepingCapacity: true) }
        guard n > 0 else { return .empty }
        guard n <= scratchCapacity else { return .tooLong }
        if memchr(p, 0, n) != nil { return .binary }

        // Formats in their order, the first that matches taking the line: what a line becomes never
        // depends on the lines before it, so threads that parse parts of a file (`--jobs`) agree
        // with one thread. A format that cannot start with the line's first byte is not tried, so
        // mixed shapes (app lines start with a digit of the year, JSON with `{`) mostly cost one match.
        let count = formats.count
        let row = Int(p[0]) * count
        let ruledOut = probeable != 0 && n >= 4 ? formatsRuledOut(byPrefixOf: p, row: row) : 0
        for index in 0..<count {
            guard canStart[row + index], !disabled[index] else { continue }
            if index < 64, ruledOut & (1 << UInt64(index)) != 0 { continue }
            let result: FailureReason?
            switch kinds[index] {
            case .json:
                guard p[0] == 123 || p[0] == 32 else { continue }
                guard let r = parseJSON(p, n, &out) else { continue }
                result = r
            case .logfmt:
                guard let r = parseLogfmt(p, n, &out) else { continue }
                result = r
            case .regex:
                guard let r = parseRegex(index, p, n, &out) else { continue }
                result = r
            }
            out.format = index
            if result != nil { return result }
            if out.service == nil {
                out.service = formatServices[index] ?? UnsafeBufferPointer(start: defaultServiceBuffer, count: defaultService.count)
            }
            if !changeKeywords.isEmpty, let message = out.message, let base = message.baseAddress {
                out.changeKeywords = changeKeywords.scan(base, message.count)
            }
            return nil
        }
        return .noMatch
    }

    /// The formats the line's first four bytes rule out (see `probeable`).
    @inline(__always)
    private func formatsRuledOut(byPrefixOf p: UnsafePointer<UInt8>, row: Int) -> UInt64 {
        let key = UInt64(UnsafeRawPointer(p).loadUnaligned(as: UInt32.self)) | 1 << 32
        let slot = Int(truncatingIfNeeded: (key &* 0x9e37_79b9_7f4a_7c15) >> 52)
        if prefixKeys[slot] == key { return prefixRuledOut[slot] }
        return probe(p, key: key, slot: slot, row: row)
    }

    @inline(never)
    private func probe(_ p: UnsafePointer<UInt8>, key: UInt64, slot: Int, row: Int) -> UInt64 {
        var ruledOut: UInt64 = 0
        var bits = probeable
        while bits != 0 {
            let f = bits.trailingZeroBitCount
            bits &= bits - 1
            if canStart[row + f], matchers[f]!.cannotMatchAnythingStarting(with: p, 4) { ruledOut |= 1 << UInt64(f) }
        }
        prefixKeys[slot] = key
        prefixRuledOut[slot] = ruledOut
        return ruledOut
    }

    // MARK: regex formats

    /// nil when the pattern does not match; `.some(nil)` on success; `.some(reason)` when matched but unusable.
    private func parseRegex(_ index: Int, _ p: UnsafePointer<UInt8>, _ n: Int, _ out: inout ParsedLine) -> FailureReason?? {
        guard let matcher = raw[index] else { return nil }
        switch matcher.match(p, n) {
        case .matched: break
        case .noMatch: return nil
        case .limitHit:
            limitHitCounts[index] += 1
            limitHitsSinceCheck += 1
            if index < 64 { lastLineLimitHits |= 1 << UInt64(index) }
            return nil
        }
        let g = groups[index]
        if collectFields, let pattern = matchers[index]?.pattern {
            for (name, number) in pattern.groups {
                guard let r = matcher.range(number), !fields.contains(where: { $0.name == name }) else { continue }
                fields.append((name, Array(UnsafeBufferPointer(start: p + r.start, count: r.end - r.start)), false))
            }
        }
        @inline(__always) func first(_ numbers: GroupPair) -> (start: Int, end: Int)? {
            matcher.range(numbers.first) ?? matcher.range(numbers.second)
        }
        if let r = first(g.message) { out.message = UnsafeBufferPointer(start: p + r.start, count: r.end - r.start) }
        if let r = first(g.service) { out.service = UnsafeBufferPointer(start: p + r.start, count: r.end - r.start) }
        if let r = first(g.level) { out.level = Level.parse(p + r.start, r.end - r.start) }
        if out.level == .unknown, let r = first(g.pri), let pri = ByteNumber.int(p + r.start, r.end - r.start) { out.level = Level.syslog(pri % 8) }
        if let r = first(g.status), let s = ByteNumber.int(p + r.start, r.end - r.start) { out.status = Int32(clamping: s) }
        if let r = first(g.latencyMs), let v = ByteNumber.latencyMs(p + r.start, r.end - r.start, bareUnitMs: 1) { out.latencyMs = v }
        if out.latencyMs < 0, let r = first(g.latencySeconds), let v = ByteNumber.latencyMs(p + r.start, r.end - r.start, bareUnitMs: 1000) { out.latencyMs = v }
        // Trailing key=value fields (or the message itself) fill what the pattern did not capture.
        if let r = first(g.kv) {
            scanKeyValues(p + r.start, r.end - r.start, &out, onlyMissing: true)
        } else if let message = out.message, out.latencyMs < 0 || out.service == nil {
            scanKeyValues(message.baseAddress!, message.count, &out, onlyMissing: true)
        }
        // An access log line's status says it all; other lines may name their level in the message.
        if out.level == .unknown, out.status == 0, let message = out.message, let base = message.baseAddress {
            out.level = Level.sniff(base, message.count)
        }
        guard let r = first(g.ts), let ts = timestamps.parse(p + r.start, r.end - r.start, memo: &timestampMemo) else { return .some(.badTimestamp) }
        out.ts = ts
        return .some(nil)
    }

    // MARK: key=value

    private func parseLogfmt(_ p: UnsafePointer<UInt8>, _ n: Int, _ out: inout ParsedLine) -> FailureReason?? {
        // A logfmt line starts with key=: the first token holds '=' before any space.
        var i = 0
        while i < n, p[i] != 61, p[i] != 32 { i += 1 }
        guard i < n, p[i] == 61, i > 0 else { return nil }
        let hasTime = scanKeyValues(p, n, &out, onlyMissing: false)
        guard hasTime else { return .some(.badTimestamp) }
        return .some(nil)
    }

    /// Applies the well-known keys among `key=value` pairs; returns whether a valid time was found.
    @discardableResult
    private func scanKeyValues(_ p: UnsafePointer<UInt8>, _ n: Int, _ out: inout ParsedLine, onlyMissing: Bool) -> Bool {
        if onlyMissing, !collectFields { fillMissing(p, n, &out); return false }
        var scanner = KeyValueScanner(p, n)
        var hasTime = false
        while let pair = scanner.next() {
            let v = p + pair.value
            let vn = pair.valueLength
            if collectFields, !onlyMissing {
                let name = String(decoding: UnsafeBufferPointer(start: p + pair.key, count: pair.keyLength), as: UTF8.self)
                fields.append((name, Array(UnsafeBufferPointer(start: v, count: vn)), false))
            }
            switch FieldKey.classify(p + pair.key, pair.keyLength) {
            case .time:
                if !onlyMissing, let ts = timestamps.parse(v, vn) { out.ts = ts; hasTime = true }
            case .message:
                if out.message == nil { out.message = UnsafeBufferPointer(start: v, count: vn) }
            case let key:
                fill(key, v, vn, &out)
            }
        }
        return hasTime
    }

    /// Sets the field a key names from its value, unless the line already has it.
    @inline(__always)
    private func fill(_ key: FieldKey, _ v: UnsafePointer<UInt8>, _ vn: Int, _ out: inout ParsedLine) {
        switch key {
        case .level:
            if out.level == .unknown { out.level = Level.parse(v, vn) }
        case .service:
            if out.service == nil, vn > 0, !(vn == 1 && v[0] == 45) { out.service = UnsafeBufferPointer(start: v, count: vn) }
        case .status:
            if out.status == 0, let s = ByteNumber.int(v, vn) { out.status = Int32(clamping: s) }
        case .latencyMs:
            if out.latencyMs < 0, let l = ByteNumber.latencyMs(v, vn, bareUnitMs: 1) { out.latencyMs = l }
        case .latencySeconds:
            if out.latencyMs < 0, let l = ByteNumber.latencyMs(v, vn, bareUnitMs: 1000) { out.latencyMs = l }
        default: break
        }
    }

    /// The per-line path of `scanKeyValues` for trailing fields and messages: jumps from `=` to `=`
    /// (most bytes of a message are not keys) and only fills what is still missing. The jumps are
    /// short (a key, a value), too short for a `memchr` call to pay off: `ByteSearch` looks at
    /// eight bytes at a time inline.
    @inline(__always)
    private func fillMissing(_ p: UnsafePointer<UInt8>, _ n: Int, _ out: inout ParsedLine) {
        var i = 0
        while i < n {
            let equals = ByteSearch.first(61, p, from: i, n)
            guard equals < n else { break }
            let keyStart = ByteSearch.afterLastBlank(p, from: i, to: equals)
            var valueStart = equals + 1
            var valueEnd: Int
            if valueStart < n, p[valueStart] == 34 {
                valueStart += 1
                valueEnd = valueStart
                // To the closing quote; a backslash takes the byte after it along.
                while valueEnd < n {
                    let j = ByteSearch.first(34, or: 92, p, from: valueEnd, n)
                    if j < n, p[j] == 92 { valueEnd = j + 2; continue }
                    valueEnd = j
                    break
                }
                valueEnd = min(valueEnd, n)
                i = min(valueEnd + 1, n)
            } else {
                valueEnd = ByteSearch.first(32, p, from: valueStart, n)
                i = valueEnd
            }
            let keyLength = equals - keyStart
            guard keyLength > 0 else { i = max(i, equals + 1); continue }
            fill(FieldKey.classify(p + keyStart, keyLength), p + valueStart, valueEnd - valueStart, &out)
        }
    }

    // MARK: JSON and journald

    private func parseJSON(_ p: UnsafePointer<UInt8>, _ n: Int, _ out: inout ParsedLine) -> FailureReason?? {
        guard var scanner = JSONObjectScanner(p, n) else { return nil }
        var time: (Int, Int, JSONObjectScanner.ValueKind)? = nil
        var realtime: (Int, Int)? = nil, sourceRealtime: (Int, Int)? = nil
        var service: JSONObjectScanner.Member? = nil, unit: JSONObjectScanner.Member? = nil, identifier: JSONObjectScanner.Member? = nil
        var message: JSONObjectScanner.Member? = nil
        var priority: Level = .unknown
        while let m = scanner.next() {
            let v = p + m.value
            if collectFields, m.kind != .object, m.kind != .array || m.valueLength < 2048 {
                let name = String(decoding: UnsafeBufferPointer(start: p + m.key, count: m.keyLength), as: UTF8.self)
                fields.append((name, Array(UnsafeBufferPointer(start: v, count: m.valueLength)), m.kind == .number))
            }
            switch FieldKey.classify(p + m.key, m.keyLength) {
            case .time: time = (m.value, m.valueLength, m.kind)
            case .realtime: realtime = (m.value, m.valueLength)
            case .sourceRealtime: sourceRealtime = (m.value, m.valueLength)
            case .level:
                if m.kind == .number || m.kind == .string { out.level = Level.parse(v, m.valueLength) }
            case .priority: priority = Level.parse(v, m.valueLength)
            case .service: if m.kind == .string { service = m }
            case .unit: if m.kind == .string { unit = m }
            case .identifier: if m.kind == .string { identifier = m }
            case .message: if message == nil || m.keyLength == 7 { message = m }
            case .status:
                if let s = ByteNumber.int(v, m.valueLength) { out.status = Int32(clamping: s) }
            case .latencyMs:
                if m.kind != .object, m.kind != .array, let l = ByteNumber.latencyMs(v, m.valueLength, bareUnitMs: 1) { out.latencyMs = l }
            case .latencySeconds:
                if out.latencyMs < 0, m.kind != .object, m.kind != .array, let l = ByteNumber.latencyMs(v, m.valueLength, bareUnitMs: 1000) { out.latencyMs = l }
            case .cursor: if m.kind == .string { out.cursor = UnsafeBufferPointer(start: v, count: m.valueLength) }
            case .other: break
            }
        }
        guard !scanner.malformed else { return nil }
        if out.level == .unknown { out.level = priority }

        if let m = service ?? unit ?? identifier {
            var length = JSONObjectScanner.unescape(p + m.value, m.valueLength, into: scratchService)
            // journald units: `checkout.service` names the service `checkout`.
            if m.key == unit?.key, length > 8, memcmp(scratchService + length - 8, ".service", 8) == 0 { length -= 8 }
            out.service = UnsafeBufferPointer(start: scratchService, count: length)
        }
        if let m = message {
            switch m.kind {
            case .string:
                if m.escaped {
                    let length = JSONObjectScanner.unescape(p + m.value, m.valueLength, into: scratchMessage)
                    out.message = UnsafeBufferPointer(start: scratchMessage, count: length)
                } else {
                    out.message = UnsafeBufferPointer(start: p + m.value, count: m.valueLength)
                }
            case .array:
                // journald writes MESSAGE as an array of byte values when it is not valid UTF-8.
                out.message = UnsafeBufferPointer(start: scratchMessage, count: Self.byteArray(p + m.value, m.valueLength, into: scratchMessage))
            default: break
            }
            if let text = out.message, let base = text.baseAddress, out.latencyMs < 0 || out.status == 0 {
                scanKeyValues(base, text.count, &out, onlyMissing: true)
            }
            if out.level == .unknown, let text = out.message, let base = text.baseAddress { out.level = Level.sniff(base, text.count) }
        }

        if let (start, length) = sourceRealtime ?? realtime, let ts = timestamps.parse(p + start, length) {
            out.ts = ts
        } else if let (start, length, _) = time, let ts = timestamps.parse(p + start, length) {
            out.ts = ts
        } else {
            return .some(.badTimestamp)
        }
        return .some(nil)
    }

    /// `[104,105]` → bytes; returns the count written. A number beyond 255 (not a byte; found by
    /// fuzzing as a 1,000-digit one that overflowed) is written as 255.
    private static func byteArray(_ p: UnsafePointer<UInt8>, _ n: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var o = 0, value = 0, inNumber = false
        for i in 0..<n {
            let d = p[i] &- 48
            if d < 10 { value = min(value * 10 + Int(d), 256); inNumber = true; continue }
            if inNumber { out[o] = UInt8(clamping: value); o += 1; value = 0; inNumber = false }
        }
        return o
    }
}

/// Up to two group numbers for one field (a name may repeat in alternatives, e.g. syslog's `ts`);
/// -1 when absent. Plain integers, so reading them per line costs nothing.
struct GroupPair {
    var first = -1
    var second = -1
    mutating func add(_ number: Int) {
        if first < 0 { first = number } else if second < 0 { second = number }
    }
}

/// Group numbers of the captures vigil interprets, per format.
struct FormatGroups {
    var ts = GroupPair(), level = GroupPair(), pri = GroupPair(), service = GroupPair(), status = GroupPair()
    var latencyMs = GroupPair(), latencySeconds = GroupPair(), message = GroupPair(), kv = GroupPair()

    init(_ format: FormatRule) {
        guard case .regex(let pattern) = format.kind else { return }
        for (name, number) in pattern.groups {
            switch name {
            case "ts", "timestamp", "time": ts.add(number)
            case "level", "severity": level.add(number)
            case "pri": pri.add(number)
            case "service", "program": service.add(number)
            case "status": status.add(number)
            case "latency_ms", "duration_ms": latencyMs.add(number)
            case "latency_s", "request_time": latencySeconds.add(number)
            case "message", "msg": message.add(number)
            case "kv": kv.add(number)
            default: break
            }
        }
    }
}

/// Finding a byte a short way ahead (or behind), eight bytes at a time, without a call.
enum ByteSearch {
    /// Each byte of `x` that is zero becomes 0x80, every other byte 0 (exact, unlike the cheaper test
    /// that `first` uses, which may flag bytes above a zero byte).
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        ~(((x & 0x7f7f_7f7f_7f7f_7f7f) &+ 0x7f7f_7f7f_7f7f_7f7f) | x | 0x7f7f_7f7f_7f7f_7f7f)
    }

    /// The index after the last space or tab in `p[lower..<upper]`, or `lower` when there is none
    /// (where a key ending at `upper` starts).
    @inline(__always)
    static func afterLastBlank(_ p: UnsafePointer<UInt8>, from lower: Int, to upper: Int) -> Int {
        var end = upper
        let raw = UnsafeRawPointer(p)
        while end - 8 >= lower {
            let x = raw.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self)
            let blanks = zeroBytes(x ^ 0x2020_2020_2020_2020) | zeroBytes(x ^ 0x0909_0909_0909_0909)
            if blanks != 0 { return end - 8 + (63 - blanks.leadingZeroBitCount) >> 3 + 1 }
            end -= 8
        }
        // Fewer than eight bytes left (a short key): one load reaching back before `lower`, when
        // those bytes exist (`p` is where the text starts), with the bytes before `lower` ignored.
        if end > lower, end >= 8 {
            let x = raw.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self)
            let below = UInt64(lower - (end - 8)) * 8
            let blanks = ((zeroBytes(x ^ 0x2020_2020_2020_2020) | zeroBytes(x ^ 0x0909_0909_0909_0909)) >> below) << below
            return blanks != 0 ? end - 8 + (63 - blanks.leadingZeroBitCount) >> 3 + 1 : lower
        }
        while end > lower, p[end - 1] != 32, p[end - 1] != 9 { end -= 1 }
        return end
    }

    /// The index of the first `a` or `b` in `p[from..<n]`, or `n`.
    @inline(__always)
    static func first(_ a: UInt8, or b: UInt8, _ p: UnsafePointer<UInt8>, from: Int, _ n: Int) -> Int {
        var i = from
        let raw = UnsafeRawPointer(p)
        let pa = UInt64(a) &* 0x0101_0101_0101_0101, pb = UInt64(b) &* 0x0101_0101_0101_0101
        while i + 8 <= n {
            let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let x = w ^ pa, y = w ^ pb
            // Each test's lowest flagged byte is exact, so the lowest of both is the first match.
            let found = ((x &- 0x0101_0101_0101_0101) & ~x | (y &- 0x0101_0101_0101_0101) & ~y) & 0x8080_8080_8080_8080
            if found != 0 { return i + found.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n, p[i] != a, p[i] != b { i += 1 }
        return i
    }

    /// The index of the first `byte` in `p[from..<n]`, or `n`.
    @inline(__always)
    static func first(_ byte: UInt8, _ p: UnsafePointer<UInt8>, from: Int, _ n: Int) -> Int {
        var i = from
        let raw = UnsafeRawPointer(p)
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        while i + 8 <= n {
            // A zero byte of `x` is a match; the lowest flagged byte is exact (borrows only run upwards).
            let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ pattern
            let found = (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
            if found != 0 { return i + found.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n, p[i] != byte { i += 1 }
        return i
    }
}
