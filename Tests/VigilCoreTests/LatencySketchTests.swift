import Testing
@testable import VigilCore

@Suite struct LatencySketchTests {
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
