/// The recent changes of each service, kept for the look-back of `[defaults] change_lookback`, so
/// that incidents and problem candidates can name the changes that preceded them.
final class ChangeLog {
    private var byService: [String: [ChangeEvent]] = [:]
    let lookback: EventTime

    init(lookback: EventTime) { self.lookback = lookback }

    func add(_ change: ChangeEvent) {
        var list = byService[change.service, default: []]
        // Changes arrive in event time (merged), but a feed may tie with a line: keep them sorted.
        let position = list.lastIndex { $0.time <= change.time }.map { $0 + 1 } ?? 0
        list.insert(change, at: position)
        // Forget what no incident can link to any more (incidents start at most `lateness` back).
        if let newest = list.last?.time, let first = list.first, newest - first.time > 2 * lookback + 3_600_000 {
            list.removeAll { newest - $0.time > lookback + 3_600_000 }
        }
        byService[change.service] = list
    }

    /// SPEC: changes of `service` whose time is at most 1 s after `start` and within the look-back
    /// before it, nearest first (ties: the later change first).
    func linked(to service: String, startingAt start: EventTime) -> [ChangeEvent] {
        guard let list = byService[service] else { return [] }
        return list.filter { $0.time <= start + 1000 && $0.time >= start - lookback }
            .sorted { (abs($0.time - start), -$0.time) < (abs($1.time - start), -$1.time) }
    }

    /// "began 90 s after deploy of payments 2.14.0", or nil without a linked change.
    static func phrase(_ changes: [ChangeEvent], start: EventTime) -> String? {
        guard let nearest = changes.first else { return nil }
        let seconds = (start - nearest.time) / 1000
        if seconds <= 0 { return "began with \(nearest.summary)" }
        let span = seconds < 120 ? "\(seconds) s" : "\(seconds / 60) min"
        return "began \(span) after \(nearest.summary)"
    }
}

extension ChangeLog {
    /// A checkpoint's copy of the changes still inside the look-back.
    var snapshot: [String: [ChangeEvent]] { byService }

    func restore(_ changes: [String: [ChangeEvent]]) { byService = changes }
}
