import Testing
@testable import VigilCore

/// The inline searches of the key=value path and the timestamp memo must agree with the plain
/// versions they stand in for.
@Suite struct ByteSearchTests {
    @Test func searchesMatchByteLoops() {
        var rng = SplitMix64(seed: 11)
        let alphabet = Array("ab= \t\"x".utf8)
        for _ in 0..<5000 {
            let n = Int(rng.next() % 40)
            let bytes = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            bytes.withUnsafeBufferPointer { buffer in
                let p = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
                let from = n == 0 ? 0 : Int(rng.next() % UInt64(n + 1))
                var expected = from
                while expected < n, p[expected] != 61 { expected += 1 }
                #expect(ByteSearch.first(61, p, from: from, n) == expected)
                let upper = from + (n == from ? 0 : Int(rng.next() % UInt64(n - from + 1)))
                var start = upper
                while start > from, p[start - 1] != 32, p[start - 1] != 9 { start -= 1 }
                #expect(ByteSearch.afterLastBlank(p, from: from, to: upper) == start)
            }
        }
    }

    @Test func timestampMemoGivesWhatParseGives() {
        let parser = TimestampParser(defaultYear: 2026, referenceMonth: 11)
        var memo = TimestampMemo()
        let texts = ["2026-11-26T10:00:00.003Z", "2026-11-26T10:00:00.999Z", "2026-11-26T10:00:00Z", "2026-11-26T10:00:00+01:00",
                     "2026-11-26T10:00:00.5-0230", "2026-11-26T10:00:00.x", "2026-11-26T10:00:01.000Z", "2026-13-26T10:00:00Z",
                     "2026-13-26T10:00:00.1Z", "26/Nov/2026:10:00:00 +0000", "26/Nov/2026:10:00:00 -0700", "26/Nov/2026:10:00:00",
                     "26/Nov/2026:10:00:00.25 +0100", "26/Nov/2026:10:00:00 +01", "26/Nov/2026:10:00:00 junk", "26/Xyz/2026:10:00:00 +0000",
                     "2026-11-26 10:00:00,123", " \"2026-11-26T10:00:00.003Z\" ", "1764151200", "1764151200123", "Nov 26 10:00:00",
                     "2026/11/26 10:00:00", "2026-11-26T23:59:60.5Z", "2026-11-26T10:00:00.003Z", "26/Nov/2026:10:00:00 +0000"]
        for round in 0..<2 {
            for text in texts {
                var bytes = Array(text.utf8)
                bytes.append(0)
                let (plain, memoised) = bytes.withUnsafeBufferPointer { b in
                    (parser.parse(b.baseAddress!, b.count - 1), parser.parse(b.baseAddress!, b.count - 1, memo: &memo))
                }
                #expect(plain == memoised, "round \(round): \(text)")
            }
        }
    }
}
