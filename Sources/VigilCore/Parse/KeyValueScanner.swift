#if canImport(Glibc)
import Glibc
#endif

/// Iterates `key=value` pairs (logfmt): values are bare up to the next space, or double-quoted with
/// backslash escapes (the range then excludes the quotes and escapes stay in place).
struct KeyValueScanner {
    private let p: UnsafePointer<UInt8>
    private let n: Int
    private var i = 0

    init(_ p: UnsafePointer<UInt8>, _ n: Int) { self.p = p; self.n = n }

    /// The next pair as (key start, key length, value start, value length, quoted).
    mutating func next() -> (key: Int, keyLength: Int, value: Int, valueLength: Int, quoted: Bool)? {
        while i < n {
            while i < n, p[i] == 32 || p[i] == 9 { i += 1 }
            let keyStart = i
            while i < n, p[i] != 61, p[i] != 32, p[i] != 9 { i += 1 }
            guard i < n, p[i] == 61, i > keyStart else {
                // A bare word: skip it.
                while i < n, p[i] != 32, p[i] != 9 { i += 1 }
                continue
            }
            let keyLength = i - keyStart
            i += 1
            if i < n, p[i] == 34 {
                i += 1
                let valueStart = i
                while i < n, p[i] != 34 { if p[i] == 92 { i += 1 }; i += 1 }
                let valueEnd = min(i, n)
                i = min(i + 1, n)
                return (keyStart, keyLength, valueStart, valueEnd - valueStart, true)
            }
            let valueStart = i
            while i < n, p[i] != 32, p[i] != 9 { i += 1 }
            return (keyStart, keyLength, valueStart, i - valueStart, false)
        }
        return nil
    }
}

/// Which well-known field a key names (shared by logfmt, JSON and trailing `kv` captures).
enum FieldKey {
    case time, level, priority, service, unit, identifier, message, status
    /// Milliseconds, unless the value carries a unit (`37ms`, `0.2s`, `250us`).
    case latencyMs
    /// Seconds (nginx `$request_time`, `$upstream_response_time`).
    case latencySeconds
    /// journald times in microseconds, preferred source first.
    case sourceRealtime, realtime
    case cursor
    case other

    @inline(__always)
    static func classify(_ p: UnsafePointer<UInt8>, _ n: Int) -> FieldKey {
        @inline(__always) func eq(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == n && memcmp(p, s.utf8Start, n) == 0
        }
        switch n {
        case 2: if eq("ts") { return .time }; if eq("rt") { return .latencySeconds }
        case 3:
            if eq("lvl") { return .level }; if eq("svc") || eq("app") { return .service }; if eq("msg") { return .message }
            if eq("urt") { return .latencySeconds }
        case 4: if eq("time") { return .time }
        case 5: if eq("level") || eq("LEVEL") { return .level }
        case 6: if eq("status") { return .status }
        case 7:
            if eq("service") { return .service }; if eq("message") || eq("MESSAGE") { return .message }
            if eq("latency") { return .latencyMs }
        case 8:
            if eq("severity") || eq("loglevel") { return .level }; if eq("upstream") { return .service }
            if eq("duration") { return .latencyMs }; if eq("PRIORITY") { return .priority }; if eq("__CURSOR") { return .cursor }
        case 9: if eq("timestamp") { return .time }
        case 10: if eq("@timestamp") { return .time }; if eq("latency_ms") { return .latencyMs }
        case 11: if eq("duration_ms") { return .latencyMs }; if eq("status_code") { return .status }
        case 12: if eq("request_time") { return .latencySeconds }
        case 13: if eq("_SYSTEMD_UNIT") { return .unit }
        case 17: if eq("SYSLOG_IDENTIFIER") { return .identifier }
        case 20: if eq("__REALTIME_TIMESTAMP") { return .realtime }
        case 22: if eq("upstream_response_time") { return .latencySeconds }
        case 26: if eq("_SOURCE_REALTIME_TIMESTAMP") { return .sourceRealtime }
        default: break
        }
        return .other
    }
}

/// Number parsing on bytes.
enum ByteNumber {
    /// A decimal number (optional sign, fraction, exponent ignored), or nil.
    @inline(__always)
    static func double(_ p: UnsafePointer<UInt8>, _ n: Int) -> (value: Double, length: Int)? {
        var i = 0
        var negative = false
        if i < n, p[i] == 45 { negative = true; i += 1 }
        var whole: Double = 0
        let digitsStart = i
        while i < n, p[i] &- 48 < 10 { whole = whole * 10 + Double(p[i] - 48); i += 1 }
        var any = i > digitsStart
        if i < n, p[i] == 46 {
            i += 1
            var scale = 0.1
            while i < n, p[i] &- 48 < 10 { whole += Double(p[i] - 48) * scale; scale *= 0.1; i += 1; any = true }
        }
        guard any else { return nil }
        return (negative ? -whole : whole, i)
    }

    /// A latency value in milliseconds: `37`, `37ms`, `0.041s`, `250us`/`250µs`, `1.5m`; a bare number
    /// is taken in `bareUnitMs` milliseconds (1 for *_ms keys, 1000 for nginx seconds).
    @inline(__always)
    static func latencyMs(_ p: UnsafePointer<UInt8>, _ n: Int, bareUnitMs: Double) -> Double? {
        guard let (value, length) = double(p, n), value >= 0 else { return nil }
        let rest = n - length
        if rest == 0 { return value * bareUnitMs }
        let u = p + length
        if rest == 2, u[0] == 109, u[1] == 115 { return value }                    // ms
        if rest == 1, u[0] == 115 { return value * 1000 }                          // s
        if rest == 2, u[0] == 117, u[1] == 115 { return value / 1000 }             // us
        if rest == 3, u[0] == 0xc2, u[1] == 0xb5, u[2] == 115 { return value / 1000 } // µs
        if rest == 2, u[0] == 110, u[1] == 115 { return value / 1_000_000 }        // ns
        if rest == 1, u[0] == 109 { return value * 60_000 }                        // m
        if u[0] == 44 || u[0] == 32 { return value * bareUnitMs }                   // "0.040, 0.012" (several upstreams)
        return nil
    }

    @inline(__always)
    static func int(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        guard n > 0, n <= 18 else { return nil }
        var v = 0
        for i in 0..<n {
            let d = p[i] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }
}
