import Foundation
import Testing
@testable import VigilCore

/// KPIs of `Fixtures/report/kpi`, whose times were chosen so every value can be computed by hand
/// (the table is in `Fixtures/report/kpi/make-records.py`).
@Suite struct ReportKPITests {
    static func model(start: String? = "2026-11-26T00:00:00.000Z", end: String? = "2026-11-27T00:00:00.000Z",
                      sla: [Severity: SLATarget] = SLATarget.defaults) throws -> (ReportModel, RecordReader) {
        var reader = RecordReader()
        for name in ["records-a.jsonl", "records-b.jsonl"] {
            let url = TestSupport.fixtures.appendingPathComponent("report/kpi/\(name)")
            reader.read(try Data(contentsOf: url), name: name)
        }
        let model = ReportModel(records: reader.records, start: start.flatMap(RecordReader.parseTime),
                                end: end.flatMap(RecordReader.parseTime), sla: sla)
        return (model, reader)
    }

    static let minute: EventTime = 60_000, hour: EventTime = 3_600_000

    @Test func incidentsAndDetectionAndResolutionTimes() throws {
        let (model, reader) = try Self.model()
        #expect(reader.problems.isEmpty)
        #expect(reader.records.count == 19)
        #expect(model.distinctRecords == 18, "I1's updated record is in both files and counts once")
        // I0 started the day before: not an incident of the period.
        #expect(model.incidents.map(\.service) == ["checkout", "checkout", "payments", "search"])
        #expect(model.incidents.map(\.timeToDetect) == [2 * Self.minute, 5 * Self.minute, 40 * Self.minute, 3 * Self.minute])
        #expect(model.incidents.map(\.timeToResolve) == [30 * Self.minute, 5 * Self.hour, 10 * Self.hour, nil])
        // MTTD 2, 3, 5, 40 min: mean 12.5 min, median (3 + 5) / 2, p90 the 4th of 4.
        #expect(model.timeToDetect == DurationStats([2, 5, 40, 3].map { $0 * Self.minute }))
        #expect(model.timeToDetect.mean == 12 * Self.minute + 30_000)
        #expect(model.timeToDetect.median == 4 * Self.minute)
        #expect(model.timeToDetect.p90 == 40 * Self.minute)
        // MTTR 0.5, 5, 10 h: mean 15.5 / 3 h = 5 h 10 min, median 5 h, p90 the 3rd of 3.
        #expect(model.timeToResolve.mean == 5 * Self.hour + 10 * Self.minute)
        #expect(model.timeToResolve.median == 5 * Self.hour)
        #expect(model.timeToResolve.p90 == 10 * Self.hour)
        #expect(model.openAtEnd.map(\.service) == ["search"])
        #expect(model.openAtEnd.first?.openFor == 4 * Self.hour + 30 * Self.minute)
    }

    @Test func breakdownsAndSLA() throws {
        let (model, _) = try Self.model()
        #expect(model.byService.map { "\($0.key) \($0.incidents) \($0.open)" } == ["checkout 2 0", "payments 1 0", "search 1 1"])
        #expect(model.bySeverity.map { "\($0.key) \($0.incidents)" } == ["critical 2", "error 1", "warning 1"], "peak severity: I1 went error → critical")
        #expect(model.byTier.map { "\($0.key) \($0.incidents)" } == ["L2 2", "L1 1", "L3 1"])
        #expect(model.incidents.map { "\($0.response.rawValue)/\($0.resolution.rawValue)" }
                == ["met/met", "met/met", "breached/breached", "met/breached"])
        #expect(model.response.met == 3 && model.response.breached == 1 && model.response.compliance == 0.75)
        #expect(model.resolution.met == 2 && model.resolution.breached == 2 && model.resolution.compliance == 0.5)
        let critical = try #require(model.sla.first { $0.severity == .critical })
        #expect(critical.incidents == 2 && critical.resolution.met == 1 && critical.resolution.breached == 1)
    }

    @Test func openIncidentWithinItsTargetIsPending() throws {
        // Ending the period at 22:00 leaves I3 open (10 h ≥ 9 h: breached) and I4 open 2 h 30 min (< 4 h: pending).
        let (model, _) = try Self.model(end: "2026-11-26T22:00:00.000Z")
        #expect(model.openAtEnd.map(\.service) == ["payments", "search"])
        #expect(model.incidents.map(\.resolution) == [.met, .met, .breached, .pending])
        #expect(model.resolution.pending == 1)
        #expect(model.timeToResolve.count == 2)
    }

    @Test func slaTargetsFromTheRulesApply() throws {
        var sla = SLATarget.defaults
        sla[.error] = SLATarget(response: 45 * Self.minute, resolution: 12 * Self.hour)
        let (model, _) = try Self.model(sla: sla)
        #expect(model.incidents[2].response == .met && model.incidents[2].resolution == .met)
    }

    @Test func changesAndProblems() throws {
        let (model, _) = try Self.model()
        #expect(model.changes.count == 3, "the change of the day before is outside the period")
        #expect(model.changes.map(\.followedBy.count) == [1, 1, 0])
        #expect(model.changeFailureRate == 2.0 / 3.0)
        #expect(model.incidents[0].changeIds == [model.changes[0].record.id])
        #expect(model.problems.map(\.count) == [12, 3])
        #expect(model.problems.first?.signature == "connection reset by peer <*>")
        #expect(model.trend.filter { $0.incidents > 0 }.map { ReportFormat.time($0.start) }
                == ["2026-11-26 10:00:00", "2026-11-26 12:00:00", "2026-11-26 13:00:00", "2026-11-26 19:00:00"])
    }

    @Test func periodIsDerivedFromTheRecordsWhenNotGiven() throws {
        let (model, _) = try Self.model(start: nil, end: nil)
        #expect(model.period.map { ReportFormat.time($0.start) } == "2026-11-25 22:00:00")
        #expect(model.period.map { ReportFormat.time($0.end) } == "2026-11-26 23:03:00")
        #expect(model.incidents.count == 5)
        #expect(ReportModel(records: []).period == nil)
    }

    @Test(arguments: [
        (0, "0s"), (999, "999ms"), (45_000, "45s"), (150_000, "2m 30s"), (3_600_000, "1h"), (3_900_000, "1h 5m"),
        (93_600_000, "1d 2h"), (119_999, "2m"),
    ] as [(EventTime, String)])
    func durationsReadWell(_ ms: EventTime, _ text: String) {
        #expect(ReportFormat.duration(ms) == text)
    }

    @Test func recordTextIsEscaped() {
        #expect(ReportFormat.html("a<b & \"c\" 'd'>\u{1}") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;\u{FFFD}")
        #expect(ReportFormat.markdown("a|b <x> *y* [z](u)\nnext") == "a\\|b \\<x\\> \\*y\\* \\[z\\](u) next")
        #expect(RecordReader.parseTime("2026-11-26T10:03:00.000Z") == 1_795_687_380_000)
        #expect(RecordReader.parseTime("2026-11-26T10:03:00Z") == 1_795_687_380_000)
        #expect(RecordReader.parseTime("2026-11-26 10:03:00.000Z") == nil)
    }
}

/// Change verdicts in a report: `verified` records are read (not skipped as an unknown event), the
/// change table shows each change's verdict beside its own summary, and a degraded verdict counts as
/// a failed change even without an incident naming it.
@Suite struct ReportVerdictTests {
    @Test func verdictsAreReadShownAndCountedInTheFailureRate() throws {
        var records: [Record] = []
        for (service, verdict) in [("cart", Record.Verdict.healthy), ("search", .degraded)] {
            let change = ChangeEvent(service: service, kind: .deploy, summary: "deploy of \(service) 2.0.0", time: 1_795_687_200_000)
            var verified = change.record
            (verified.event, verified.seq, verified.verdict, verified.summary) = (.verified, 1, verdict, "deploy of \(service) 2.0.0: \(verdict.rawValue)")
            records += [change.record, verified]
        }
        var reader = RecordReader()
        reader.read(Data(records.flatMap(RecordEncoder.encode)), name: "r.jsonl")
        #expect(reader.problems.isEmpty, "\(reader.problems)")
        let model = ReportModel(records: reader.records)
        #expect(model.changes.map(\.verdict) == ["healthy", "degraded"])
        #expect(model.changes.map(\.record.summary) == ["deploy of cart 2.0.0", "deploy of search 2.0.0"])
        #expect(model.changeFailureRate == 0.5)
        let markdown = MarkdownReport.render(model, sources: 1)
        #expect(markdown.contains("| deploy of search 2.0.0 | degraded |"))
        #expect(markdown.contains("| Change failure rate | 1 of 2 (50.0%) |"))
    }
}
