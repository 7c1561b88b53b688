import Foundation
import Testing
@testable import VigilCore

/// The aggregator's checkpoint is complete: an hour of generated traffic with every kind of anomaly,
/// cut at several points — snapshot, JSON round trip, restore into a fresh aggregator, go on — gives
/// byte for byte the records of one uninterrupted pass (open incidents, baselines, sketches,
/// templates, problem candidates, changes, SLO history all carried over).
@Suite struct SnapshotRoundTripTests {
    /// Every line of the generated files with the parser of its file, in event-time order.
    static func corpus() throws -> (lines: [[UInt8]], parsers: [LineParser], fileOf: [Int]) {
        var generator = LogGenerator()
        generator.seed = 11
        generator.serviceCount = 8
        generator.rate = 2
        let start = generator.start
        generator.anomalies = [
            .init(kind: .deploy, service: "payments", start: start + 24 * 60_000, duration: 0, intensity: 14),
            .init(kind: .errorBurst, service: "payments", start: start + 25 * 60_000, duration: 6 * 60_000, intensity: 0.3),
            .init(kind: .latencyRegression, service: "search", start: start + 40 * 60_000, duration: 8 * 60_000, intensity: 8),
            .init(kind: .newError, service: "checkout", start: start + 30 * 60_000, duration: 10 * 60_000, intensity: 0.15),
        ]
        let rules = try RuleSet.builtin()
        var lines: [[UInt8]] = [], parsers: [LineParser] = [], fileOf: [Int] = [], times: [EventTime] = []
        for (name, bytes) in generator.generate().sorted(by: { $0.0 < $1.0 }) {
            let parser = LineParser(rules: rules, defaultService: SourceSet.serviceName(fromLogical: name))
            parser.timestamps = TimestampParser.forFile(name, year: 2026)
            parsers.append(parser)
            for line in bytes.split(separator: 10) {
                var parsed = ParsedLine()
                let bytes = Array(line)
                let ok = bytes.withUnsafeBufferPointer { parser.parse($0.baseAddress!, $0.count, into: &parsed) } == nil
                guard ok else { continue }
                lines.append(bytes)
                fileOf.append(parsers.count - 1)
                times.append(parsed.ts)
            }
        }
        let order = times.indices.sorted { (times[$0], $0) < (times[$1], $1) }
        return (order.map { lines[$0] }, parsers, order.map { fileOf[$0] })
    }

    static func feed(_ aggregator: WindowAggregator, _ corpus: (lines: [[UInt8]], parsers: [LineParser], fileOf: [Int]), _ range: Range<Int>) {
        for i in range {
            corpus.lines[i].withUnsafeBufferPointer { buffer in
                var parsed = ParsedLine()
                _ = corpus.parsers[corpus.fileOf[i]].parse(buffer.baseAddress!, buffer.count, into: &parsed)
                aggregator.add(parsed) {
                    Evidence(ts: parsed.ts, source: "gen", lineNumber: i + 1, offset: 0, line: Array(buffer), cursor: nil)
                }
            }
        }
    }

    @Test func cutAnywhereGivesTheSameRecords() throws {
        let rules = try RuleSet.builtin()
        let corpus = try Self.corpus()
        var whole: [UInt8] = []
        let reference = WindowAggregator(rules: rules) { whole += RecordEncoder.encode($0) }
        Self.feed(reference, corpus, 0..<corpus.lines.count)
        reference.finish()
        #expect(whole.count > 0)
        let opened = String(decoding: whole, as: UTF8.self).components(separatedBy: "\"event\":\"opened\"").count - 1
        #expect(opened >= 3, "the corpus opens incidents")
        let text = String(decoding: whole, as: UTF8.self)
        #expect(text.contains("\"kind\":\"change\"") && text.contains("\"kind\":\"problem_candidate\""), "changes and problems too")

        // Cut while incidents are open and problems are growing, three times in one pass.
        let n = corpus.lines.count
        let cuts = [n * 2 / 5, n * 3 / 5, n * 4 / 5]
        var pieces: [UInt8] = []
        var current = WindowAggregator(rules: rules) { pieces += RecordEncoder.encode($0) }
        var from = 0
        for cut in cuts + [n] {
            Self.feed(current, corpus, from..<cut)
            from = cut
            guard cut < n else { break }
            let data = try JSONEncoder().encode(current.snapshot())
            let snapshot = try JSONDecoder().decode(AggregatorSnapshot.self, from: data)
            current = WindowAggregator(rules: rules) { pieces += RecordEncoder.encode($0) }
            try current.restore(snapshot)
        }
        current.finish()
        #expect(pieces == whole, "records differ after a restore")
    }

    @Test func restoreIsRefusedUnderOtherWindowSettings() throws {
        let rules = try RuleSet.builtin()
        let corpus = try Self.corpus()
        let aggregator = WindowAggregator(rules: rules) { _ in }
        Self.feed(aggregator, corpus, 0..<1000)
        let other = try RuleSet.load(files: [("w.rules", "[defaults]\nwindow = 10m\n")])
        let fresh = WindowAggregator(rules: other) { _ in }
        #expect(throws: CheckpointError.self) { try fresh.restore(aggregator.snapshot()) }
    }
}
