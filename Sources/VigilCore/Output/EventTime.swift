/// Event time in milliseconds since the Unix epoch, UTC.
///
/// Millisecond precision is what SPEC's record times carry; journald's microseconds are truncated.
public typealias EventTime = Int64

/// Conversions between civil dates and epoch days (Howard Hinnant's algorithms), so neither
/// parsing nor formatting a timestamp touches Foundation's calendars on the hot path.
public enum CivilTime {
    /// Days since 1970-01-01 of a proleptic Gregorian date.
    @inline(__always)
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The civil date of a day count since 1970-01-01.
    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// `2026-11-26T10:03:00.000Z`: RFC 3339, UTC, exactly three fraction digits (SPEC "Times").
    public static func format(_ ms: EventTime) -> String {
        var days = Int(ms / 86_400_000)
        var rest = Int(ms % 86_400_000)
        if rest < 0 { rest += 86_400_000; days -= 1 }
        let (y, mo, d) = civilFromDays(days)
        let h = rest / 3_600_000, mi = rest / 60_000 % 60, s = rest / 1000 % 60, f = rest % 1000
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func put(_ v: Int, _ width: Int) {
            var digits = [UInt8](repeating: 48, count: width)
            var v = v
            for i in stride(from: width - 1, through: 0, by: -1) { digits[i] = UInt8(48 + v % 10); v /= 10 }
            out.append(contentsOf: digits)
        }
        put(y, 4); out.append(45); put(mo, 2); out.append(45); put(d, 2); out.append(84)
        put(h, 2); out.append(58); put(mi, 2); out.append(58); put(s, 2); out.append(46); put(f, 3); out.append(90)
        return String(decoding: out, as: UTF8.self)
    }
}
