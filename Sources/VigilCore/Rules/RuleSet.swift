/// Event-time windowing for every service (`[defaults]`).
public struct WindowConfig: Sendable, Equatable {
    /// Length of the sliding window a detector evaluates.
    public var window: EventTime = 300_000
    /// Distance between evaluations; windows and incident start times are aligned to it.
    public var step: EventTime = 60_000
    /// How far behind the newest event time a line may arrive and still count; later lines are
    /// counted as `late` and left out, never merged silently into a closed window.
    public var lateness: EventTime = 60_000
    /// A line more than this far ahead of the newest event time is held until the next line shows
    /// whether the stream moved on (kept) or its clock is wrong (dropped as `future`); taken at face
    /// value, one bad timestamp would close every window up to it and make every later line late.
    public var maxJump: EventTime = 3_600_000
    /// Services tracked one by one; events of further services are aggregated as `other`, so a
    /// flood of distinct names (a UUID in the service field) cannot exhaust memory.
    public var maxServices = 10_000
    /// How far before an incident's start a change of its service is still linked to it (`change_ids`).
    public var changeLookback: EventTime = 1_800_000
    /// A service's own cycle of traffic (volume and absence compare a step with the same phase of
    /// earlier cycles when there is no fleet to take the load from); 0 turns it off.
    public var season: EventTime = 86_400_000
    /// How long a service is watched after each change before its verdict (`verified` record);
    /// 0 writes none.
    public var changeVerify: EventTime = 900_000
    /// Novelty: the first stretch of each service's event time, in which its templates are learned
    /// as normal rather than reported as new.
    public var learning: EventTime = 1_800_000
    /// Incidents with the same signature (service, rule, alertname, dominant template) before they
    /// are written as one recurring problem candidate.
    public var problemRecurrence = 2
    /// A problem candidate not seen for this long (event time) is written as `expired`.
    public var problemExpiry: EventTime = 7 * 86_400_000
    public init() {}
}

/// Which detector a `[detector ID]` section configures.
public enum DetectorType: String, Sendable, CaseIterable {
    case errorRatio = "error_ratio"
    case latency
    /// New error templates (warning level or worse) not seen while the service was learned.
    case novelty
    /// A steadily logging service falls silent.
    case absence
    /// Events per step far above (spike) or below (drop) the service's own median.
    case volume
    /// SLO error-budget burn rate, multi-window multi-burn-rate (Google SRE workbook).
    case burnRate = "burn_rate"
}

/// Which way a volume detector looks.
public enum VolumeDirection: String, Sendable, CaseIterable { case both, spike, drop }

/// Tunables of one detector; each detector reads the fields documented for it in `Rules/README.md`.
public struct DetectorParams: Sendable, Equatable {
    /// error_ratio: lowest error ratio that can open an incident, whatever the baseline.
    public var floor = 0.05
    /// Multiplier on the baseline (ratio, latency percentile or volume) that is a material change.
    public var factor = 3.0
    /// error_ratio: the ratio must also rise this much above the baseline (percentage points), so
    /// a near-zero baseline needs a real rise.
    public var minDelta = 0.02
    /// Fewest events in the window for an evaluation to count at all.
    public var minEvents = 20
    /// Hold: the condition must hold this long (whole steps) before an incident opens.
    public var holdFor: EventTime = 120_000
    /// Hysteresis: resolve only after this long below `resolveBelow × threshold`.
    public var resolveFor: EventTime = 180_000
    public var resolveBelow = 0.5
    /// Span of history the baseline is taken from (steps inside an incident excluded).
    public var baseline: EventTime = 3_600_000
    /// The baseline needs this much history before the detector may fire.
    public var warmup: EventTime = 600_000
    /// error_ratio: window ratio at which the severity becomes critical.
    public var criticalAt = 0.25
    /// latency: the percentile compared (50, 95 or 99).
    public var percentile = 95.0
    /// latency: lowest percentile value (milliseconds) that can open an incident.
    public var floorMs = 200.0
    /// latency: `baseline × criticalFactor` makes the severity critical.
    public var criticalFactor = 5.0
    /// novelty: window occurrences of a new template before its problem candidate is written.
    public var candidateMin = 5
    /// absence: a step is silent when it holds at most this fraction of the expected events.
    public var below = 0.1
    /// volume: robust deviations (1.4826 × MAD, at least √median) a step must also be away from
    /// the median, so that a noisy service needs a larger change than a steady one.
    public var deviations = 3.0
    /// volume: spikes, drops or both.
    public var direction = VolumeDirection.both
    /// error_ratio, latency: the one-sided p-value the excess must reach to count as
    /// evidence (not chance). 1e-6 keeps hundreds of services × 1,440 steps a day quiet.
    public var significance = 1e-6 { didSet { zThreshold = Significance.z(forUpperTail: significance) } }
    /// The one-sided z score of `significance`, computed when it is set (not at every step).
    public private(set) var zThreshold = DetectorParams.defaultZ
    static let defaultZ = Significance.z(forUpperTail: 1e-6)
    /// error_ratio: fewest errors in the span judged (a handful on a quiet service is no incident).
    public var minErrors = 5
    /// latency: the percentile must also rise by at least this many milliseconds.
    public var minDeltaMs = 5.0
    /// burn_rate: the service's objective, the share of good (non-error) events (`99.9%` → 0.999);
    /// nil means no objective, and the detector stays silent for the service.
    public var objective: Double? = nil

    public init() {}

    public static func defaults(for type: DetectorType) -> DetectorParams {
        var p = DetectorParams()
        switch type {
        case .errorRatio: p.floor = 0; p.factor = 1.5; p.minDelta = 0.005; p.holdFor = 60_000; p.resolveBelow = 0.8
        case .latency: p.factor = 1.2; p.floorMs = 0; p.resolveBelow = 0.95; p.holdFor = 60_000
        case .novelty: p.minEvents = 10; p.holdFor = 60_000; p.resolveFor = 300_000
        case .absence: p.minEvents = 10; p.resolveBelow = 0.5
        case .volume: p.minEvents = 10; p.resolveBelow = 0.5
        case .burnRate: p.minEvents = 20; p.holdFor = 0; p.resolveFor = 0; p.resolveBelow = 1
        }
        return p
    }

    /// The alertname a detector type uses unless its section gives one.
    public static func defaultAlertname(_ type: DetectorType) -> String {
        switch type {
        case .errorRatio: "ErrorRatioHigh"
        case .latency: "LatencyHigh"
        case .novelty: "NewErrorTemplate"
        case .absence: "ServiceSilent"
        case .volume: "VolumeSpike"
        case .burnRate: "SLOBurnRate"
        }
    }
}

public enum Severity: String, Sendable, CaseIterable, Codable { case critical, error, warning, info }
public enum Tier: String, Sendable, CaseIterable { case L1, L2, L3 }

/// A `[detector ID]` section.
public struct DetectorRule: Sendable {
    public var id: String
    public var type: DetectorType
    public var alertname: String
    public var severity: Severity = .error
    public var tier: Tier = .L2
    public var enabled = true
    public var params: DetectorParams
    /// volume: `labels.alertname` of drops (`alertname` names the spikes).
    public var dropAlertname = "VolumeDrop"
}

/// How a `[format NAME]` section recognises lines.
public enum FormatKind: Sendable {
    /// A JSON object per line (JSON-lines app logs and `journalctl -o json`).
    case json
    /// `key=value` pairs.
    case logfmt
    /// A PCRE2/grok pattern with named captures.
    case regex(CompiledPattern)
}

/// A `[format NAME]` section.
public struct FormatRule: Sendable {
    public var name: String
    public var kind: FormatKind
    /// Service given to lines whose pattern captures none (before the source's default).
    public var service: String?

    public init(name: String, kind: FormatKind, service: String?) {
        self.name = name
        self.kind = kind
        self.service = service
    }
}

/// A validated rule set: what `--rules DIR` (or the built-in rules) resolves to.
public struct RuleSet: Sendable {
    public var window = WindowConfig()
    public var formats: [FormatRule] = []
    public var detectors: [DetectorRule] = []
    /// `[change NAME]` sections, in file and section order (the first that matches a line wins).
    public var changes: [ChangeRule] = []
    /// Per-service overrides: service → detector id → params, and detectors switched off.
    public var serviceParams: [String: [String: DetectorParams]] = [:]
    public var serviceDisabled: [String: Set<String>] = [:]
    public var patterns = PatternLibrary()
    /// Incident response and resolution targets per severity (`[sla SEVERITY]`), used by `vigil report`.
    public var sla: [Severity: SLATarget] = SLATarget.defaults
    /// `[route NAME]` sections for `vigil run --notify` (see `NotifyRoute`), in file and section order.
    public var routes: [NotifyRoute] = []

    public init() {}

    /// The parameters detector `rule` uses for `service`.
    public func params(_ rule: DetectorRule, service: String) -> DetectorParams {
        serviceParams[service]?[rule.id] ?? rule.params
    }

    public func isEnabled(_ rule: DetectorRule, service: String) -> Bool {
        rule.enabled && !(serviceDisabled[service]?.contains(rule.id) ?? false)
    }
}
