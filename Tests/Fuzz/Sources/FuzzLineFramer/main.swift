import FuzzSupport
import VigilCore

/// The line framer on any bytes, in any chunking, in replay and follow mode: lines come out in
/// order, numbered 1, 2, 3…, at increasing offsets, never longer than the limit.
func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for follow in [false, true] {
        let reader = LineReader(stream: MemoryStream(bytes), maxLineBytes: 64, chunkBytes: 16)
        reader.follow = follow
        var expected = 1
        var lastOffset: Int64 = -1
        var rounds = 0
        while rounds < 10_000 {
            rounds += 1
            guard let line = try? reader.next() else {
                if follow { reader.endOfInput(); if let last = try? reader.next() { precondition(last.number == expected); expected += 1 }; break }
                break
            }
            precondition(line.number == expected)
            precondition(line.offset > lastOffset)
            precondition(line.tooLong || line.count <= 64)
            expected += 1
            lastOffset = line.offset
        }
    }
}

runFuzzer(fuzzOne)
