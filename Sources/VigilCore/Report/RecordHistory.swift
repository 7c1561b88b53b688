/// The records of one incident, problem candidate or change, gathered from any number of files.
///
/// The same record can appear in several files (overlapping daily sinks, a replay beside a live
/// run): one record per `seq` is kept, and the one with the highest `seq` gives the current state.
public struct RecordHistory: Sendable {
    /// `incident_id`, `problem_id` or `change_id`.
    public let id: String
    /// One record per `seq`, in `seq` order.
    public private(set) var records: [ReportRecord]

    /// The record with the highest `seq`: the latest known state.
    public var latest: ReportRecord { records[records.count - 1] }
    /// The first record (`opened`/`detected`), or the earliest one known.
    public var first: ReportRecord { records[0] }

    init(_ record: ReportRecord) {
        id = record.id
        records = [record]
    }

    /// Adds a record; a second copy of a `seq` already held is ignored.
    mutating func add(_ record: ReportRecord) {
        guard !records.contains(where: { $0.seq == record.seq }) else { return }
        let index = records.firstIndex { $0.seq > record.seq } ?? records.count
        records.insert(record, at: index)
    }

    /// Groups records of one kind by id; the result is ordered by first `started_at`, then id.
    static func group(_ records: [ReportRecord], kind: ReportRecord.Kind) -> [RecordHistory] {
        var byId: [String: RecordHistory] = [:]
        for record in records where record.kind == kind {
            if byId[record.id] == nil { byId[record.id] = RecordHistory(record) } else { byId[record.id]!.add(record) }
        }
        return byId.values.sorted { ($0.first.startedAt, $0.id) < ($1.first.startedAt, $1.id) }
    }
}
