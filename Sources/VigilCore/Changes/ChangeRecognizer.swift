#if canImport(Glibc)
import Glibc
#endif

/// Recognises change lines by the `[change NAME]` rules. The parser has already looked for the
/// rules' keywords (one pass over the message, on the parse thread), so an ordinary line costs the
/// aggregator nothing and a regex runs only where its keyword is present.
/// Not thread-safe: it owns PCRE2 match data.
final class ChangeRecognizer {
    private let rules: [ChangeRule]
    private let matchers: [Matcher]
    private let serviceGroups: [Int?]
    private let unitGroups: [Int?]

    /// The keywords of the rules, scanned for by the parser (`ParsedLine.changeKeywords`).
    let keywordSet: KeywordSet

    init(rules: [ChangeRule]) {
        self.rules = rules
        matchers = rules.map { Matcher($0.pattern) }
        serviceGroups = rules.map { $0.pattern.groupNumber("service") }
        unitGroups = rules.map { $0.pattern.groupNumber("unit") }
        keywordSet = KeywordSet(rules.map(\.keyword))
    }

    var isEmpty: Bool { rules.isEmpty }

    /// The change announced by `text`, if any; `lineService` is the service of the line, used when
    /// the pattern captures neither `service` nor `unit`.
    /// `present` is the line's `changeKeywords` (from the parser, off the aggregating thread).
    func recognise(_ text: UnsafeBufferPointer<UInt8>, present: UInt64, lineService: String, at time: EventTime) -> ChangeEvent? {
        guard let base = text.baseAddress, text.count > 0 else { return nil }
        for (i, rule) in rules.enumerated() {
            if keywordSet.ruleBits[i] != 0, present & keywordSet.ruleBits[i] == 0 { continue }
            let matcher = matchers[i]
            guard matcher.match(base, text.count) else { continue }
            func capture(_ number: Int?) -> String? {
                guard let number, let r = matcher.range(number), r.end > r.start else { return nil }
                return String(decoding: UnsafeBufferPointer(start: base + r.start, count: r.end - r.start), as: UTF8.self)
            }
            let service = capture(serviceGroups[i]) ?? capture(unitGroups[i]).map(Self.unitService) ?? lineService
            var summary = ""
            var rest = Substring(rule.summary)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                summary += rest[..<open]
                let name = String(rest[rest.index(after: open)..<close])
                summary += name == "service" ? service : (capture(rule.pattern.groupNumber(name)) ?? "")
                rest = rest[rest.index(after: close)...]
            }
            summary += rest
            return ChangeEvent(service: service, kind: rule.kind, summary: summary, time: time)
        }
        return nil
    }

    /// Whether `n` bytes at `p` contain `needle`: `memchr` for its first byte, then `memcmp`.
    @inline(__always)
    static func contains(_ p: UnsafePointer<UInt8>, _ n: Int, _ needle: [UInt8]) -> Bool {
        let m = needle.count
        guard m <= n else { return false }
        return needle.withUnsafeBufferPointer { k -> Bool in
            var i = 0
            while i <= n - m {
                guard let hit = memchr(p + i, Int32(k[0]), n - m - i + 1) else { return false }
                let at = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(at, k.baseAddress!, m) == 0 { return true }
                i = (at - p) + 1
            }
            return false
        }
    }

    /// `payments.service` → `payments`, as for journald's `_SYSTEMD_UNIT`.
    static func unitService(_ unit: String) -> String {
        unit.hasSuffix(".service") ? String(unit.dropLast(8)) : unit
    }
}
