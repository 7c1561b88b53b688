/// The span a report covers, inclusive at both ends.
public struct ReportPeriod: Sendable, Equatable {
    public var start: EventTime
    public var end: EventTime
    /// True when both ends came from options; false when one or both were derived from the records.
    public var given: Bool

    public init(start: EventTime, end: EventTime, given: Bool) {
        self.start = start
        self.end = end
        self.given = given
    }

    /// Whether `time` falls within the period.
    public func contains(_ time: EventTime) -> Bool { time >= start && time <= end }
}

/// Mean, median and 90th percentile of a set of durations (MTTD, MTTR).
///
/// The median is the middle value (the mean of the two middle values for an even count); p90 is
/// the nearest rank (the ⌈0.9·n⌉-th smallest value), so both can be checked by hand.
public struct DurationStats: Sendable, Equatable {
    public var count: Int
    public var mean: EventTime?
    public var median: EventTime?
    public var p90: EventTime?

    public init(_ durations: [EventTime]) {
        let sorted = durations.sorted()
        count = sorted.count
        guard !sorted.isEmpty else { mean = nil; median = nil; p90 = nil; return }
        let sum = sorted.reduce(0, +)
        mean = EventTime((Double(sum) / Double(sorted.count)).rounded())
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        let rank = (9 * sorted.count + 9) / 10
        p90 = sorted[rank - 1]
    }
}

/// How one incident fares against one SLA target.
public enum SLAOutcome: String, Sendable {
    case met
    case breached
    /// Still open at the end of the period and not yet over its target.
    case pending
}

/// Met and breached counts; `pending` incidents are in neither.
public struct SLATally: Sendable, Equatable {
    public var met = 0
    public var breached = 0
    public var pending = 0

    public init() {}

    mutating func add(_ outcome: SLAOutcome) {
        switch outcome { case .met: met += 1; case .breached: breached += 1; case .pending: pending += 1 }
    }

    /// Share of decided incidents that met the target, nil when none is decided.
    public var compliance: Double? { met + breached == 0 ? nil : Double(met) / Double(met + breached) }
}

extension DurationStats {
    /// The median of sorted values, by the same rule as `median`.
    static func medianOf(_ sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
