/// A `[route NAME]` section: which records go to which `--notify` targets.
///
/// A record goes to the targets of every route it matches. A condition left out matches everything.
/// Without any route in the rule set, every record goes to every target.
public struct NotifyRoute: Sendable {
    public var name: String
    /// Target names or kinds (`pagerduty` selects every PagerDuty target), as written.
    public var notify: [Located<String>] = []
    /// `severity = critical,error`; nil: any severity.
    public var severities: Set<Severity>?
    /// `tier = L1,L2`; nil: any tier. A record without a tier (a change) matches only routes without `tier`.
    public var tiers: Set<Tier>?
    /// `kinds = incident,problem_candidate,change`; nil: every kind.
    public var kinds: Set<Record.Kind>?

    public func matches(_ r: Record) -> Bool {
        if let severities, !severities.contains(r.severity) { return false }
        if let tiers { guard let tier = r.tier, tiers.contains(tier) else { return false } }
        if let kinds, !kinds.contains(r.kind) { return false }
        return true
    }
}

extension RuleSet {
    /// Reads `[route NAME]`; target names are checked against `--notify` when `vigil run` starts.
    mutating func readRoute(_ section: RuleFile.Section, _ diagnostics: inout [Diagnostic]) {
        let name = section.name.value
        guard NotifyTarget.isValidName(name) else {
            diagnostics.append((name.isEmpty ? section.kind : section.name).diagnostic("[route] needs a name matching [A-Za-z0-9_.-]+: [route NAME]"))
            return
        }
        if routes.contains(where: { $0.name == name }) {
            diagnostics.append(section.name.diagnostic("[route \(name)] is defined twice")); return
        }
        var route = NotifyRoute(name: name)
        for (key, value) in section.entries {
            switch key.value {
            case "notify":
                for item in Self.list(value) {
                    if NotifyTarget.isValidName(item.value) { route.notify.append(item) } else {
                        diagnostics.append(item.diagnostic("'\(item.value)' is not a target name or kind (expected [A-Za-z0-9_.-]+)"))
                    }
                }
            case "severity": route.severities = Self.set(value, Severity.init(rawValue:), "severity", Severity.allCases.map(\.rawValue), &diagnostics)
            case "tier": route.tiers = Self.set(value, Tier.init(rawValue:), "tier", Tier.allCases.map(\.rawValue), &diagnostics)
            case "kinds": route.kinds = Self.set(value, Record.Kind.init(rawValue:), "kind", ["incident", "problem_candidate", "change"], &diagnostics)
            default: diagnostics.append(key.diagnostic("unknown key '\(key.value)' in [route] (expected notify, severity, tier, kinds)"))
            }
        }
        if route.notify.isEmpty && !section.entries.contains(where: { $0.key.value == "notify" }) {
            diagnostics.append(section.name.diagnostic("[route \(name)] needs 'notify = TARGET[,TARGET…]'"))
        }
        routes.append(route)
    }

    /// `a, b,c` → its items, each with its own column.
    static func list(_ value: Located<String>) -> [Located<String>] {
        var items: [Located<String>] = []
        var offset = 0
        for part in value.value.split(separator: ",", omittingEmptySubsequences: false) {
            let leading = part.prefix { $0 == " " || $0 == "\t" }.count
            let text = part.trimmingCharacters(in: " \t")
            items.append(Located(value: text, file: value.file, line: value.line, column: value.column + offset + leading))
            offset += part.count + 1
        }
        return items
    }

    private static func set<T: Hashable>(_ value: Located<String>, _ make: (String) -> T?, _ what: String, _ allowed: [String],
                                         _ diagnostics: inout [Diagnostic]) -> Set<T> {
        var out = Set<T>()
        for item in list(value) {
            if let v = make(item.value) { out.insert(v) } else {
                diagnostics.append(item.diagnostic("unknown \(what) '\(item.value)' (expected \(allowed.joined(separator: ", ")))"))
            }
        }
        return out
    }
}

/// Routes resolved against the `--notify` targets of one run.
public struct NotifyRouter: Sendable {
    public let targets: [NotifyTarget]
    /// Per route, the indices of its targets.
    private let routes: [(route: NotifyRoute, targets: [Int])]

    /// Every route target must be the name of a `--notify` target or a kind one of them has;
    /// unknown ones are reported at their place in the rule file.
    public init(routes: [NotifyRoute], targets: [NotifyTarget]) throws(RuleSetError) {
        self.targets = targets
        var diagnostics: [Diagnostic] = []
        var resolved: [(NotifyRoute, [Int])] = []
        for route in routes {
            var indices: [Int] = []
            for item in route.notify {
                let matching = targets.indices.filter { targets[$0].name == item.value || targets[$0].kind.rawValue == item.value }
                if matching.isEmpty {
                    let given = targets.map(\.name).joined(separator: ", ")
                    diagnostics.append(item.diagnostic("route '\(route.name)' notifies '\(item.value)', but no --notify target has that name or kind (given: \(given.isEmpty ? "none" : given))"))
                }
                for index in matching where !indices.contains(index) { indices.append(index) }
            }
            resolved.append((route, indices))
        }
        if !diagnostics.isEmpty { throw RuleSetError(diagnostics: diagnostics) }
        self.routes = resolved
    }

    /// The targets a record goes to, in `--notify` order.
    public func targets(for r: Record) -> [Int] {
        if routes.isEmpty { return Array(targets.indices) }
        var chosen = Set<Int>()
        for (route, indices) in routes where route.matches(r) { chosen.formUnion(indices) }
        return chosen.sorted()
    }
}
