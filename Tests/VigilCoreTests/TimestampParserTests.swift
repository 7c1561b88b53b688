import Testing
@testable import VigilCore

@Suite struct TimestampParserTests {
    static let cases: [(String, String?)] = [
        ("2026-11-26T10:00:00Z", "2026-11-26T10:00:00.000Z"),
        ("2026-11-26T10:00:00.123Z", "2026-11-26T10:00:00.123Z"),
        ("2026-11-26T10:00:00.123456789Z", "2026-11-26T10:00:00.123Z"),
        ("2026-11-26T10:00:00.5+01:00", "2026-11-26T09:00:00.500Z"),
        ("2026-11-26T10:00:00-0530", "2026-11-26T15:30:00.000Z"),
        ("2026-11-26T10:00:00+02", "2026-11-26T08:00:00.000Z"),
        ("2026-11-26 10:00:00,123", "2026-11-26T10:00:00.123Z"),
        ("2026/11/26 10:00:00", "2026-11-26T10:00:00.000Z"),
        ("26/Nov/2026:10:00:00 +0000", "2026-11-26T10:00:00.000Z"),
        ("26/Nov/2026:10:00:00 -0700", "2026-11-26T17:00:00.000Z"),
        ("Nov 26 10:00:00", "2026-11-26T10:00:00.000Z"),
        ("Nov  6 10:00:00", "2026-11-06T10:00:00.000Z"),
        ("Nov 26 10:00:00.250", "2026-11-26T10:00:00.250Z"),
        ("1795687200", "2026-11-26T10:00:00.000Z"),
        ("1795687200.75", "2026-11-26T10:00:00.750Z"),
        ("1795687200123", "2026-11-26T10:00:00.123Z"),
        ("1795687200123456", "2026-11-26T10:00:00.123Z"),
        ("1795687200123456789", "2026-11-26T10:00:00.123Z"),
        ("2026-12-31T23:59:60Z", "2026-12-31T23:59:59.000Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"),
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"),
        ("2026-13-01T00:00:00Z", nil),
        ("2026-11-26T25:00:00Z", nil),
        ("2026-11-26T10:00:00.Z", nil),
        ("2026-11-26T10:00:00Zjunk", nil),
        ("yesterday", nil),
        ("12345", nil),
        ("", nil),
        ("Foo 26 10:00:00", nil),
        // Fuzzing regressions: kept as cases.
        ("9999999999999999999", nil),
        ("9999999999999999999999999999", nil),
    ]

    @Test(arguments: cases)
    func parses(_ input: String, _ expected: String?) {
        let parser = TimestampParser(defaultYear: 2026, referenceMonth: 12)
        #expect(parser.parse(input).map(CivilTime.format) == expected)
    }

    @Test func syslogYearRollsBackForMonthsAfterTheFile() {
        // A file written in January holding December lines: those are from the year before.
        let parser = TimestampParser(defaultYear: 2027, referenceMonth: 1)
        #expect(parser.parse("Dec 31 23:00:00").map(CivilTime.format) == "2026-12-31T23:00:00.000Z")
        #expect(parser.parse("Jan  1 01:00:00").map(CivilTime.format) == "2027-01-01T01:00:00.000Z")
    }

    @Test func civilRoundTrip() {
        for days in stride(from: -1000, through: 40000, by: 37) {
            let (y, m, d) = CivilTime.civilFromDays(days)
            #expect(CivilTime.daysFromCivil(year: y, month: m, day: d) == days)
        }
        #expect(CivilTime.format(-1) == "1969-12-31T23:59:59.999Z")
    }
}
