/// Log severity, ordered so that `>= .error` means "counts as an error".
public enum Level: UInt8, Sendable, Comparable {
    case unknown = 0, trace, debug, info, notice, warning, error, critical, alert, emergency

    public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .unknown: "unknown"
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        case .alert: "alert"
        case .emergency: "emergency"
        }
    }

    /// A syslog severity digit (0 emerg … 7 debug).
    public static func syslog(_ severity: Int) -> Level {
        switch severity {
        case 0: .emergency
        case 1: .alert
        case 2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        case 7: .debug
        default: .unknown
        }
    }

    /// Level words as loggers write them (case-insensitive): `ERROR`, `err`, `Warning`, `FATAL`, `E` …,
    /// or a single syslog digit.
    public static func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Level {
        guard n > 0, n <= 11 else { return .unknown }
        if n == 1, p[0] &- 48 < 8 { return syslog(Int(p[0] - 48)) }
        // Fold to lowercase and pack the first 8 bytes; compare against known words.
        var key: UInt64 = 0
        for i in 0..<min(n, 8) { key = key << 8 | UInt64(p[i] | 0x20) }
        switch (n, key) {
        case (5, word("trace")): return .trace
        case (5, word("debug")), (3, word("dbg")): return .debug
        case (4, word("info")), (11, word("informat")), (3, word("inf")): return .info
        case (6, word("notice")): return .notice
        case (4, word("warn")), (7, word("warning")), (3, word("wrn")): return .warning
        case (5, word("error")), (3, word("err")), (6, word("severe")): return .error
        case (4, word("crit")), (8, word("critical")), (5, word("fatal")), (5, word("panic")): return .critical
        case (5, word("alert")): return .alert
        case (5, word("emerg")), (9, word("emergenc")): return .emergency
        case (1, word("e")): return .error
        case (1, word("w")): return .warning
        case (1, word("i")): return .info
        case (1, word("f")): return .critical
        default: return .unknown
        }
    }

    private static func word(_ s: StaticString) -> UInt64 {
        var key: UInt64 = 0
        let p = s.utf8Start
        for i in 0..<min(s.utf8CodeUnitCount, 8) { key = key << 8 | UInt64(p[i]) }
        return key
    }

    /// A level named at the very start of a message (`error: …`, `[WARN] …`, `ERROR …`), for formats
    /// such as syslog whose lines carry no level field.
    public static func sniff(_ p: UnsafePointer<UInt8>, _ n: Int) -> Level {
        var i = 0
        while i < n, p[i] == 91 || p[i] == 60 || p[i] == 32 { i += 1 }   // [ < space
        let start = i
        while i < n, i - start < 12, (p[i] | 0x20) >= 97, (p[i] | 0x20) <= 122 { i += 1 }
        guard i > start + 2, i < n, p[i] == 58 || p[i] == 93 || p[i] == 62 || p[i] == 32 else { return .unknown }
        return parse(p + start, i - start)
    }
}
