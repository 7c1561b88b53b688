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
