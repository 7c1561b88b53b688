import FuzzSupport
import VigilCore

/// The gzip reader on any bytes: it inflates, reports corruption, or stops at the limits; never crashes.
func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let stream = try? GzipStream(source: MemoryStream(bytes), path: "fuzz.gz") else { return }
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
    defer { buffer.deallocate() }
    var total = 0
    while total < 1 << 26, let n = try? stream.read(into: buffer, capacity: 4096), n > 0 { total += n }
}

runFuzzer(fuzzOne)
