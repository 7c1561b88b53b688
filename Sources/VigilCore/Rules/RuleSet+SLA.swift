/// Response and resolution targets for incidents of one severity (`[sla SEVERITY]`).
///
/// `vigil report` measures every incident against the targets of its peak severity: the response
/// target against MTTD (`detected_at − started_at`; vigil has no acknowledgement of its own), the
/// resolution target against MTTR (`ended_at − started_at`).
public struct SLATarget: Sendable, Equatable {
    /// Longest acceptable time from the start of an incident to its detection (or acknowledgement).
    public var response: EventTime
    /// Longest acceptable time from the start of an incident to its end.
    public var resolution: EventTime

    public init(response: EventTime, resolution: EventTime) {
        self.response = response
        self.resolution = resolution
    }

    /// The targets a severity has when no `[sla]` section sets them; `Rules/sla.rules` repeats them.
    public static let defaults: [Severity: SLATarget] = [
        .critical: SLATarget(response: 15 * 60_000, resolution: 4 * 3_600_000),
        .error: SLATarget(response: 30 * 60_000, resolution: 8 * 3_600_000),
        .warning: SLATarget(response: 4 * 3_600_000, resolution: 24 * 3_600_000),
        .info: SLATarget(response: 86_400_000, resolution: 5 * 86_400_000),
    ]
}

extension RuleSet {
    /// Reads `[sla SEVERITY]`: `response` and `resolution` durations; keys not given keep the default.
    mutating func readSLA(_ section: RuleFile.Section, seen: inout Set<Severity>, _ diagnostics: inout [Diagnostic]) {
        let name = section.name.value
        guard let severity = Severity(rawValue: name) else {
            let message = name.isEmpty ? "[sla] needs a severity: [sla critical|error|warning|info]"
                                       : "unknown severity '\(name)' in [sla] (expected critical, error, warning or info)"
            diagnostics.append((name.isEmpty ? section.kind : section.name).diagnostic(message))
            return
        }
        guard seen.insert(severity).inserted else {
            diagnostics.append(section.name.diagnostic("[sla \(name)] is defined twice"))
            return
        }
        var target = sla[severity] ?? SLATarget.defaults[severity]!
        for (key, value) in section.entries {
            switch key.value {
            case "response": if let d = Self.duration(value, &diagnostics) { target.response = d }
            case "resolution": if let d = Self.duration(value, &diagnostics) { target.resolution = d }
            default: diagnostics.append(key.diagnostic("unknown key '\(key.value)' in [sla] (expected response, resolution)"))
            }
        }
        sla[severity] = target
    }
}
