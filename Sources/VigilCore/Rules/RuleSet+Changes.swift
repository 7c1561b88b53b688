/// What a change is, as written in `labels.change_kind`.
public enum ChangeKind: String, Sendable, CaseIterable, Codable {
    case deploy, restart
    case configReload = "config_reload"
    case versionChange = "version_change"
    case packageUpgrade = "package_upgrade"
}

/// A `[change NAME]` section: how to recognise one kind of change line.
public struct ChangeRule: Sendable {
    public var name: String
    /// A literal the message must contain before the pattern is tried (a cheap prefilter).
    public var keyword: [UInt8]
    public var pattern: CompiledPattern
    public var kind: ChangeKind
    /// Summary text; `{name}` is replaced by the capture `name`, `{service}` by the change's service.
    public var summary: String
}

/// Change linking settings (`[defaults] change_lookback`).
extension RuleSet {
    mutating func readChange(_ section: RuleFile.Section, _ diagnostics: inout [Diagnostic]) {
        let name = section.name.value
        guard !name.isEmpty else { diagnostics.append(section.kind.diagnostic("[change] needs a name: [change NAME]")); return }
        if changes.contains(where: { $0.name == name }) {
            diagnostics.append(section.name.diagnostic("change '\(name)' is defined twice")); return
        }
        var keyword = "", pattern: Located<String>?, kind = ChangeKind.deploy, summary: Located<String>?, enabled = true
        for (key, value) in section.entries {
            switch key.value {
            case "keyword": keyword = value.value
            case "pattern": pattern = value
            case "kind":
                guard let k = ChangeKind(rawValue: value.value) else {
                    diagnostics.append(value.diagnostic("unknown change kind '\(value.value)' (expected \(ChangeKind.allCases.map(\.rawValue).joined(separator: ", ")))")); continue
                }
                kind = k
            case "summary": summary = value
            case "enabled": if let b = Self.bool(value, &diagnostics) { enabled = b }
            default: diagnostics.append(key.diagnostic("unknown key '\(key.value)' in [change] (expected keyword, pattern, kind, summary, enabled)"))
            }
        }
        guard let pattern else { diagnostics.append(section.name.diagnostic("change '\(name)' needs 'pattern = …'")); return }
        guard let compiled = compile(pattern, &diagnostics) else { return }
        let captures = Set(compiled.groups.map(\.name))
        let text = summary?.value ?? "\(kind.rawValue) of {service}"
        if let summary { Self.checkPlaceholders(summary, captures: captures, &diagnostics) }
        if enabled { changes.append(ChangeRule(name: name, keyword: Array(keyword.utf8), pattern: compiled, kind: kind, summary: text)) }
    }

    /// Every `{name}` in a summary must be `service` or a capture of the pattern.
    private static func checkPlaceholders(_ summary: Located<String>, captures: Set<String>, _ diagnostics: inout [Diagnostic]) {
        let chars = Array(summary.value)
        var i = 0
        while i < chars.count {
            if chars[i] == "{", let close = chars[i...].firstIndex(of: "}") {
                let name = String(chars[(i + 1)..<close])
                if name != "service", !captures.contains(name) {
                    diagnostics.append(summary.diagnostic("unknown placeholder '{\(name)}' (expected {service} or a named capture of the pattern)", columnOffset: i))
                }
                i = close + 1
            } else {
                i += 1
            }
        }
    }
}
