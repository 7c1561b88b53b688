import VigilCore
import FuzzSupport

/// Any bytes as a timestamp field: no crash, and a parsed time formats back to RFC 3339 text.
func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let parser = TimestampParser(defaultYear: 2026, referenceMonth: 11)
    if let ts = parser.parse(data, size) {
        precondition(CivilTime.format(ts).utf8.count >= 24)
    }
}

runFuzzer(fuzzOne)
