import Foundation
import Testing
@testable import VigilCore

@Suite struct LatencySketchTests {
    /// The table lookups must give exactly the bucket the logarithm gives.
    @Test func fastBucketIsBucket() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<50_000 {
            let whole = Double(rng.next() % 20_000)
            let digits = Array(String(format: "%d.%03d", Int(rng.next() % 20), Int(rng.next() % 1000)).utf8)
            let seconds = digits.withUnsafeBufferPointer { ByteNumber.latencyMs($0.baseAddress!, $0.count, bareUnitMs: 1000) }!
            let any = Double(rng.next() % 1_000_000) / 997
            for ms in [whole, seconds, any, whole + 0.5, seconds.nextUp, seconds.nextDown] {
                #expect(LatencySketch.fastBucket(ms) == LatencySketch.bucket(ms), "\(ms)")
            }
        }
    }

    /// Only the range of buckets between the lowest and highest value is stored; ranges widen
    /// both ways as values arrive and when sketches merge, and nothing is lost doing so.
    @Test func storedRangeWidensBothWaysAndMergesExactly() throws {
        var rng = SplitMix64(seed: 11)
        var up = LatencySketch(), down = LatencySketch(), merged = LatencySketch()
        var parts = [LatencySketch(), LatencySketch(), LatencySketch()]
        var values: [Double] = []
        for k in 0..<3000 {
            // Three clusters far apart (0.5 ms, 40 ms, 9 s), so the parts' ranges are disjoint.
            let v = [0.5, 40, 9000][k % 3] * (1 + Double(rng.next() % 100) / 1000)
            values.append(v)
            parts[k % 3].record(v)
        }
        for v in values.sorted() { up.record(v) }
        for v in values.sorted().reversed() { down.record(v) }
        for part in [parts[1], parts[2], parts[0], LatencySketch()] { merged.merge(part) }
        #expect(up == down)
        #expect(merged == up)
        #expect(up.total == 3000)
        for q in [0.1, 0.33, 0.34, 0.5, 0.66, 0.67, 0.9, 1.0] {
            #expect(merged.quantile(q) == up.quantile(q))
            let exact = values.sorted()[max(0, Int((q * 3000).rounded(.up)) - 1)]
            #expect(abs(try #require(up.quantile(q)) - exact) / exact <= LatencySketch.relativeError + 1e-9, "q=\(q)")
        }
        // A narrow cluster keeps a small range: 30-40 ms is 15 buckets, not 1,048.
        var narrow = LatencySketch()
        for ms in stride(from: 30.0, through: 40, by: 0.5) { narrow.record(ms) }
        #expect(narrow.nonEmptyBuckets.count <= 16)
        #expect(narrow.storedBuckets <= 16 + 8)
        // The checkpoint form (non-empty buckets) restores an equal sketch.
        let restored = try JSONDecoder().decode(LatencySketch.self, from: JSONEncoder().encode(merged))
        #expect(restored == merged)
        #expect(restored.quantile(0.99) == merged.quantile(0.99))
    }

    @Test func quantilesWithinStatedRelativeError() {
        var sketch = LatencySketch()
        var values: [Double] = []
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let v = 40 * rng.logNormalFactor(sigma: 0.8)
            values.append(v)
            sketch.record(v)
        }
        values.sort()
        for q in [0.5, 0.9, 0.95, 0.99] {
            let exact = values[Int((q * Double(values.count)).rounded(.up)) - 1]
            let estimate = sketch.quantile(q)!
            #expect(abs(estimate - exact) / exact <= LatencySketch.relativeError + 1e-9, "q=\(q) exact=\(exact) estimate=\(estimate)")
        }
    }

    @Test func mergeEqualsRecordingEverything() {
        var a = LatencySketch(), b = LatencySketch(), all = LatencySketch()
        for v in stride(from: 1.0, to: 500, by: 3.7) { a.record(v); all.record(v) }
        for v in stride(from: 200.0, to: 9000, by: 41) { b.record(v); all.record(v) }
        a.merge(b)
        #expect(a == all)
        #expect(LatencySketch().quantile(0.5) == nil)
    }
}
