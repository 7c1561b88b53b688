import Foundation

extension RuleSet {
    /// A rule file's path (as reported in diagnostics) and text.
    public typealias SourceFile = (path: String, text: String)

    /// The built-in rules shipped in `Rules/` (embedded at build time).
    public static func builtin() throws(RuleSetError) -> RuleSet {
        try load(files: BuiltinRules.files.map { ("<builtin>/\($0.path)", $0.text) })
    }

    /// Loads every file of a rules directory: `patterns/*` as pattern libraries, `*.rules` as rules.
    public static func load(directory: String) throws(RuleSetError) -> RuleSet {
        let fm = FileManager.default
        var files: [SourceFile] = []
        var diagnostics: [Diagnostic] = []
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RuleSetError(diagnostics: [Diagnostic(file: directory, line: 1, column: 1, message: "rules directory not found")])
        }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let patternDir = base + "/patterns"
        let patternNames = ((try? fm.contentsOfDirectory(atPath: patternDir)) ?? []).sorted()
        let ruleNames = ((try? fm.contentsOfDirectory(atPath: base)) ?? []).filter { $0.hasSuffix(".rules") }.sorted()
        for path in patternNames.map({ patternDir + "/" + $0 }) + ruleNames.map({ base + "/" + $0 }) {
            guard let data = FileManager.default.contents(atPath: path) else {
                diagnostics.append(Diagnostic(file: path, line: 1, column: 1, message: "cannot read file"))
                continue
            }
            files.append((path, String(decoding: data, as: UTF8.self)))
        }
        if !diagnostics.isEmpty { throw RuleSetError(diagnostics: diagnostics) }
        if ruleNames.isEmpty {
            throw RuleSetError(diagnostics: [Diagnostic(file: base, line: 1, column: 1, message: "no *.rules file in the rules directory")])
        }
        return try load(files: files)
    }

    /// Loads a rule set from files; a path containing `/patterns/` is a pattern library.
    /// Every problem is collected; any problem refuses the whole set.
    public static func load(files: [SourceFile]) throws(RuleSetError) -> RuleSet {
        var diagnostics: [Diagnostic] = []
        var set = RuleSet()
        var parsed: [RuleFile] = []
        for file in files {
            if file.path.contains("/patterns/") || file.path.hasPrefix("patterns/") {
                set.patterns.load(path: file.path, text: file.text, diagnostics: &diagnostics)
            } else if file.path.hasSuffix(".rules") {
                parsed.append(RuleFile(path: file.path, text: file.text, diagnostics: &diagnostics))
            }
        }
        // Services refer to detectors, which may be declared in any file: read them last.
        var serviceSections: [RuleFile.Section] = []
        var slaSeen: Set<Severity> = []
        for file in parsed {
            for section in file.sections {
                switch section.kind.value {
                case "defaults": set.readDefaults(section, &diagnostics)
                case "format": set.readFormat(section, &diagnostics)
                case "detector": set.readDetector(section, &diagnostics)
                case "service": serviceSections.append(section)
                case "sla": set.readSLA(section, seen: &slaSeen, &diagnostics)
                case "change": set.readChange(section, &diagnostics)
                case "route": set.readRoute(section, &diagnostics)
                default:
                    diagnostics.append(section.kind.diagnostic("unknown section '[\(section.kind.value)]' (expected defaults, format, detector, service, sla, change or route)"))
                }
            }
        }
        for section in serviceSections { set.readService(section, &diagnostics) }
        if set.window.step <= 0 || set.window.window < set.window.step || set.window.window % set.window.step != 0 {
            let where_ = parsed.first.map { Diagnostic(file: $0.path, line: 1, column: 1, message: "") }
            diagnostics.append(Diagnostic(file: where_?.file ?? "<rules>", line: 1, column: 1,
                                          message: "window (\(set.window.window) ms) must be a positive multiple of step (\(set.window.step) ms)"))
        }
        if !diagnostics.isEmpty { throw RuleSetError(diagnostics: diagnostics) }
        return set
    }

    // MARK: sections

    private mutating func readDefaults(_ section: RuleFile.Section, _ diagnostics: inout [Diagnostic]) {
        var seasonValue: Located<String>?
        defer {
            // A phase of the season is at least one step.
            if let seasonValue, window.season > 0, window.season < EventTime(SeasonalProfile.bucketCount) * window.step {
                diagnostics.append(seasonValue.diagnostic("season must be 0 (off) or at least \(SeasonalProfile.bucketCount) steps (\(Format.duration(EventTime(SeasonalProfile.bucketCount) * window.step)) with step = \(Format.duration(window.step)))"))
            }
        }
        for (key, value) in section.entries {
            switch key.value {
            case "window": if let d = Self.duration(value, &diagnostics) { window.window = d }
            case "step": if let d = Self.duration(value, &diagnostics) { window.step = d }
            case "lateness": if let d = Self.duration(value, &diagnostics, allowZero: true) { window.lateness = d }
            case "max_jump": if let d = Self.duration(value, &diagnostics) { window.maxJump = d }
            case "max_services":
                if let n = Self.number(value, &diagnostics) {
                    if n >= 1 { window.maxServices = Int(n) } else { diagnostics.append(value.diagnostic("max_services must be at least 1")) }
                }
            case "change_lookback": if let d = Self.duration(value, &diagnostics, allowZero: true) { window.changeLookback = d }
            case "change_verify": if let d = Self.duration(value, &diagnostics, allowZero: true) { window.changeVerify = d }
            case "season": if let d = Self.duration(value, &diagnostics, allowZero: true) { window.season = d; seasonValue = value }
            case "learning": if let d = Self.duration(value, &diagnostics, allowZero: true) { window.learning = d }
            case "problem_recurrence":
                if let n = Self.number(value, &diagnostics) {
                    if n >= 1 { window.problemRecurrence = Int(n) } else { diagnostics.append(value.diagnostic("problem_recurrence must be at least 1")) }
                }
            case "problem_expiry": if let d = Self.duration(value, &diagnostics) { window.problemExpiry = d }
            default: diagnostics.append(key.diagnostic("unknown key '\(key.value)' in [defaults] (expected window, step, lateness, max_jump, max_services, change_lookback, change_verify, season, learning, problem_recurrence, problem_expiry)"))
            }
        }
    }

    private mutating func readFormat(_ section: RuleFile.Section, _ diagnostics: inout [Diagnostic]) {
        let name = section.name.value
        guard !name.isEmpty else { diagnostics.append(section.kind.diagnostic("[format] needs a name: [format NAME]")); return }
        var type = "regex", pattern: Located<String>?, service: String?, enabled = true
        for (key, value) in section.entries {
            switch key.value {
            case "type":
                guard ["regex", "json", "logfmt"].contains(value.value) else {
                    diagnostics.append(value.diagnostic("unknown format type '\(value.value)' (expected regex, json or logfmt)")); continue
                }
                type = value.value
            case "pattern": pattern = value
            case "service": service = value.value
            case "enabled": if let b = Self.bool(value, &diagnostics) { enabled = b }
            default: diagnostics.append(key.diagnostic("unknown key '\(key.value)' in [format] (expected type, pattern, service, enabled)"))
            }
        }
        let kind: FormatKind
        switch type {
        case "json": kind = .json
        case "logfmt": kind = .logfmt
        default:
            guard let pattern else { diagnostics.append(section.name.diagnostic("format '\(name)' needs 'pattern = …'")); return }
            guard let compiled = compile(pattern, &diagnostics) else { return }
            kind = .regex(compiled)
        }
        if enabled { formats.append(FormatRule(name: name, kind: kind, service: service)) }
    }

    /// Expands grok references and compiles; errors point at the column in the rule file.
    public func compile(_ pattern: Located<String>, _ diagnostics: inout [Diagnostic]) -> CompiledPattern? {
        let expanded: String
        do { expanded = try patterns.expand(pattern.value) } catch {
            diagnostics.append(pattern.diagnostic(error.message, columnOffset: error.offset)); return nil
        }
        // PCRE2 reads `(*LIMIT_MATCH=n)`, `(*LIMIT_DEPTH=n)`, `(*LIMIT_HEAP=n)` at the start of a
        // pattern. It only lets them lower the limits vigil sets, but a rule that looks as if it
        // raised them is refused, so that nobody believes it did (RELIABILITY B4).
        if let verb = Self.limitVerb(in: pattern.value) {
            diagnostics.append(pattern.diagnostic(Self.limitVerbMessage(verb.text), columnOffset: verb.offset)); return nil
        }
        if expanded != pattern.value, let verb = Self.limitVerb(in: expanded) {
            diagnostics.append(pattern.diagnostic(Self.limitVerbMessage(verb.text) + " (in the expanded pattern)")); return nil
        }
        do { return try CompiledPattern(expanded) } catch {
            // When no reference was expanded the offset maps straight onto the rule file's column.
            let offset = expanded == pattern.value ? error.offset : 0
            let hint = expanded == pattern.value ? "" : " (in the expanded pattern, offset \(error.offset))"
            diagnostics.append(pattern.diagnostic("invalid regex: \(error.message)\(hint)", columnOffset: offset))
            return nil
        }
    }

    /// The first `(*LIMIT_…)` among the verbs that open a pattern, with its byte offset.
    static func limitVerb(in pattern: String) -> (text: String, offset: Int)? {
        let bytes = Array(pattern.utf8)
        var at = 0
        while at + 1 < bytes.count, bytes[at] == UInt8(ascii: "("), bytes[at + 1] == UInt8(ascii: "*") {
            guard let close = bytes[at...].firstIndex(of: UInt8(ascii: ")")) else { return nil }
            let verb = String(decoding: bytes[at...close], as: UTF8.self)
            if verb.hasPrefix("(*LIMIT_") { return (verb, at) }
            at = close + 1
        }
        return nil
    }

    static func limitVerbMessage(_ verb: String) -> String {
        let limits = MatchLimits()
        return "\(verb) is not allowed: vigil sets the PCRE2 limits itself (match \(limits.match), depth \(limits.depth))"
    }

    private mutating func readDetector(_ section: RuleFile.Section, _ diagnostics: inout [Diagnostic]) {
        let id = section.name.value
        guard !id.isEmpty, id.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 46 || $0 == 45 }) else {
            diagnostics.append(section.name.diagnostic("detector id '\(id)' must match [a-z0-9_.-]+")); return
        }
        let typeEntry = section.entries.first { $0.key.value == "type" }
        let typeName = typeEntry?.value.value ?? id
        guard let type = DetectorType(rawValue: typeName) else {
            let at = typeEntry?.value ?? section.name
            diagnostics.append(at.diagnostic("unknown detector type '\(typeName)' (expected \(DetectorType.allCases.map(\.rawValue).joined(separator: ", ")))")); return
        }
        var rule = DetectorRule(id: id, type: type, alertname: DetectorParams.defaultAlertname(type),
                                params: .defaults(for: type))
        for (key, value) in section.entries where key.value != "type" {
            switch key.value {
            case "alertname":
                guard let first = value.value.utf8.first, (65...90).contains(first) || (97...122).contains(first),
                      value.value.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }) else {
                    diagnostics.append(value.diagnostic("alertname must match [A-Za-z][A-Za-z0-9]*")); continue
                }
                rule.alertname = value.value
            case "severity":
                guard let s = Severity(rawValue: value.value) else { diagnostics.append(value.diagnostic("severity must be critical, error, warning or info")); continue }
                rule.severity = s
            case "tier":
                guard let t = Tier(rawValue: value.value) else { diagnostics.append(value.diagnostic("tier must be L1, L2 or L3")); continue }
                rule.tier = t
            case "enabled": if let b = Self.bool(value, &diagnostics) { rule.enabled = b }
            case "drop_alertname" where type == .volume:
                guard let first = value.value.utf8.first, (65...90).contains(first) || (97...122).contains(first),
                      value.value.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }) else {
                    diagnostics.append(value.diagnostic("drop_alertname must match [A-Za-z][A-Za-z0-9]*")); continue
                }
                rule.dropAlertname = value.value
            default: Self.setParam(&rule.params, key: key, value: value, type: type, &diagnostics)
            }
        }
        if detectors.contains(where: { $0.id == id }) {
            diagnostics.append(section.name.diagnostic("detector '\(id)' is defined twice")); return
        }
        detectors.append(rule)
    }

    private mutating func readService(_ section: RuleFile.Section, _ diagnostics: inout [Diagnostic]) {
        let service = section.name.value
        guard !service.isEmpty else { diagnostics.append(section.kind.diagnostic("[service] needs a name: [service NAME]")); return }
        for (key, value) in section.entries {
            let parts = key.value.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let rule = detectors.first(where: { $0.id == parts[0] }) else {
                diagnostics.append(key.diagnostic("expected DETECTOR.KEY with a defined detector (\(detectors.map(\.id).joined(separator: ", "))), got '\(key.value)'"))
                continue
            }
            if parts[1] == "enabled" {
                if let b = Self.bool(value, &diagnostics), !b { serviceDisabled[service, default: []].insert(rule.id) }
                continue
            }
            var params = serviceParams[service]?[rule.id] ?? rule.params
            let subKey = Located(value: parts[1], file: key.file, line: key.line, column: key.column + parts[0].count + 1)
            Self.setParam(&params, key: subKey, value: value, type: rule.type, &diagnostics)
            serviceParams[service, default: [:]][rule.id] = params
        }
    }

    // MARK: values

    private static func setParam(_ p: inout DetectorParams, key: Located<String>, value: Located<String>, type: DetectorType, _ d: inout [Diagnostic]) {
        let common: [String]
        let specific: [String]
        switch type {
        case .errorRatio, .latency:
            common = ["factor", "min_events", "for", "resolve_for", "resolve_below", "baseline", "warmup"]
            specific = type == .errorRatio ? ["floor", "min_delta", "critical_at", "significance", "min_errors"]
                : ["percentile", "floor_ms", "critical_factor", "significance", "min_delta_ms"]
        case .novelty: common = ["min_events", "for", "resolve_for"]; specific = ["candidate_min"]
        case .absence: common = ["min_events", "for", "resolve_for", "resolve_below", "baseline", "warmup"]; specific = ["below"]
        case .volume:
            common = ["factor", "min_events", "for", "resolve_for", "resolve_below", "baseline", "warmup"]
            specific = ["deviations", "direction", "drop_alertname"]
        case .burnRate: common = ["min_events", "resolve_below"]; specific = ["objective"]
        }
        guard common.contains(key.value) || specific.contains(key.value) else {
            d.append(key.diagnostic("unknown key '\(key.value)' for detector type \(type.rawValue) (expected \((["type", "alertname", "severity", "tier", "enabled"] + common + specific).joined(separator: ", ")))"))
            return
        }
        switch key.value {
        case "for": if let v = duration(value, &d, allowZero: true) { p.holdFor = v }
        case "resolve_for": if let v = duration(value, &d, allowZero: true) { p.resolveFor = v }
        case "baseline": if let v = duration(value, &d) { p.baseline = v }
        case "warmup": if let v = duration(value, &d, allowZero: true) { p.warmup = v }
        case "min_events": if let v = number(value, &d) { p.minEvents = Int(v) }
        case "percentile":
            guard let v = number(value, &d) else { return }
            guard [50.0, 95, 99].contains(v) else { d.append(value.diagnostic("percentile must be 50, 95 or 99")); return }
            p.percentile = v
        case "floor": if let v = number(value, &d) { p.floor = v }
        case "min_delta": if let v = number(value, &d) { p.minDelta = v }
        case "critical_at": if let v = number(value, &d) { p.criticalAt = v }
        case "factor": if let v = number(value, &d) { p.factor = v }
        case "resolve_below": if let v = number(value, &d) { p.resolveBelow = v }
        case "floor_ms": if let v = number(value, &d) { p.floorMs = v }
        case "critical_factor": if let v = number(value, &d) { p.criticalFactor = v }
        case "candidate_min": if let v = number(value, &d) { p.candidateMin = max(1, Int(v)) }
        case "below": if let v = number(value, &d) { p.below = v }
        case "deviations": if let v = number(value, &d) { p.deviations = v }
        case "significance":
            guard let v = number(value, &d) else { return }
            guard v > 0, v < 0.5 else { d.append(value.diagnostic("significance must be a p-value above 0 and below 0.5 (e.g. 1e-6)")); return }
            p.significance = v
        case "min_errors": if let v = number(value, &d) { p.minErrors = Int(v) }
        case "min_delta_ms": if let v = number(value, &d) { p.minDeltaMs = v }
        case "direction":
            guard let v = VolumeDirection(rawValue: value.value) else { d.append(value.diagnostic("direction must be both, spike or drop")); return }
            p.direction = v
        case "objective":
            guard let v = number(value, &d) else { return }
            guard v > 0, v < 1 else { d.append(value.diagnostic("objective must be between 0% and 100%, exclusive (e.g. 99.9%)")); return }
            p.objective = v
        case "drop_alertname":
            d.append(key.diagnostic("drop_alertname is set in the [detector] section, not per service"))
        default: break
        }
    }

    static let maxDurationMs = 400.0 * 86_400_000
    static let maxNumber = 1e12

    /// `500ms`, `30s`, `5m`, `1h`, `1d` → milliseconds.
    public static func duration(_ value: Located<String>, _ d: inout [Diagnostic], allowZero: Bool = false) -> EventTime? {
        let text = value.value
        let digits = text.prefix { $0.isNumber || $0 == "." }
        let unit = text.dropFirst(digits.count)
        let scale: Double? = switch unit { case "ms": 1; case "s": 1000; case "m": 60_000; case "h": 3_600_000; case "d": 86_400_000; default: nil }
        guard let n = Double(digits), let scale, n >= 0, allowZero || n > 0 else {
            d.append(value.diagnostic("invalid duration '\(text)' (expected a number with ms, s, m, h or d, e.g. 5m)"))
            return nil
        }
        // Longer than any window a log tool needs, and far from overflowing milliseconds (found by fuzzing).
        guard n * scale <= maxDurationMs else {
            d.append(value.diagnostic("duration '\(text)' is too long (at most 400d)"))
            return nil
        }
        return EventTime((n * scale).rounded())
    }

    /// A number; `5%` means 0.05.
    static func number(_ value: Located<String>, _ d: inout [Diagnostic]) -> Double? {
        let text = value.value
        if text.hasSuffix("%"), let n = Double(text.dropLast()), n.isFinite, n >= 0, n <= 100 { return n / 100 }
        guard let n = Double(text), n.isFinite, n >= 0 else {
            d.append(value.diagnostic("invalid number '\(text)'")); return nil
        }
        // Counts become Int: keep them far from overflowing (found by fuzzing).
        guard n <= maxNumber else { d.append(value.diagnostic("number '\(text)' is too large")); return nil }
        return n
    }

    static func bool(_ value: Located<String>, _ d: inout [Diagnostic]) -> Bool? {
        switch value.value {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: d.append(value.diagnostic("expected true or false, got '\(value.value)'")); return nil
        }
    }
}
