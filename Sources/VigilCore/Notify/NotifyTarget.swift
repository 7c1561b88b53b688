/// The systems `vigil run --notify KIND=URL` can send records to.
public enum NotifyKind: String, Sendable, CaseIterable {
    case slack, teams, pagerduty, jira, servicenow, zendesk, splunk

    /// Ticketing systems create a ticket when an incident opens and comment on or close it later,
    /// so they need the ticket id the create call returned.
    public var isTicketing: Bool { self == .jira || self == .servicenow || self == .zendesk }

    /// Settings a target of this kind accepts (`--notify-option NAME.KEY=VALUE` or the environment
    /// variable `VIGIL_NOTIFY_<NAME>_<KEY>`), and which of them it cannot do without.
    public var settings: (allowed: [String], required: [String]) {
        switch self {
        case .slack, .teams: ([], [])
        case .pagerduty: (["routing_key", "source"], ["routing_key"])
        case .splunk: (["token", "index", "source", "sourcetype", "host"], ["token"])
        case .jira: (["project", "issuetype", "close_transition", "user", "token", "bearer"], ["project"])
        case .servicenow: (["user", "password", "bearer", "assignment_group", "caller_id", "close_code"], [])
        case .zendesk: (["user", "token", "bearer", "group_id"], [])
        }
    }
}

/// One `--notify` destination: a kind, the name routes refer to it by, its URL and its settings.
public struct NotifyTarget: Sendable {
    public var name: String
    public var kind: NotifyKind
    public var endpoint: HTTPClient.Endpoint
    /// Settings after options and environment were merged (secrets included: never log them).
    public var settings: [String: String]
    /// Default `source`/`host` of PagerDuty and Splunk events.
    public var hostName: String

    public init(name: String, kind: NotifyKind, endpoint: HTTPClient.Endpoint, settings: [String: String] = [:], hostName: String = "vigil") {
        self.name = name
        self.kind = kind
        self.endpoint = endpoint
        self.settings = settings
        self.hostName = hostName
    }

    /// A problem with the `--notify` options, worded for the user.
    public struct ConfigError: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ message: String) { description = message }
    }

    /// Parses `KIND=URL` or `KIND:NAME=URL` (the name defaults to the kind).
    public static func parse(_ spec: String) throws(ConfigError) -> (kind: NotifyKind, name: String, endpoint: HTTPClient.Endpoint) {
        guard let equals = spec.firstIndex(of: "=") else {
            throw ConfigError("--notify \(spec): expected KIND=URL or KIND:NAME=URL (KIND: \(NotifyKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let head = spec[..<equals].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let kind = NotifyKind(rawValue: head[0]) else {
            throw ConfigError("--notify \(spec): unknown kind '\(head[0])' (expected \(NotifyKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let name = head.count > 1 ? head[1] : kind.rawValue
        guard isValidName(name) else { throw ConfigError("--notify \(spec): the name '\(name)' must match [A-Za-z0-9_.-]+") }
        let url = String(spec[spec.index(after: equals)...])
        guard let endpoint = HTTPClient.Endpoint(url: url) else {
            throw ConfigError("--notify \(spec): give an http:// or https://HOST[:PORT]/PATH URL")
        }
        return (kind, name, endpoint)
    }

    /// Builds the targets from `--notify` specs, `--notify-option NAME.KEY=VALUE` and the environment
    /// (`VIGIL_NOTIFY_<NAME>_<KEY>`, name and key upper-cased, other characters as `_`); an option
    /// wins over the environment. Every problem is reported, not only the first.
    public static func targets(specs: [String], options: [String], environment: [String: String], hostName: String) throws(ConfigError) -> [NotifyTarget] {
        var problems: [String] = []
        var targets: [NotifyTarget] = []
        for spec in specs {
            do throws(ConfigError) {
                let (kind, name, endpoint) = try parse(spec)
                if targets.contains(where: { $0.name == name }) {
                    problems.append("--notify \(spec): a target named '\(name)' is given twice; name them, e.g. \(kind.rawValue):\(name)2=URL")
                    continue
                }
                targets.append(NotifyTarget(name: name, kind: kind, endpoint: endpoint, hostName: hostName))
            } catch { problems.append(error.description) }
        }
        for (index, target) in targets.enumerated() {
            for key in target.kind.settings.allowed {
                if let value = environment[environmentName(target.name, key)], !value.isEmpty { targets[index].settings[key] = value }
            }
        }
        for option in options {
            guard let equals = option.firstIndex(of: "="), let dot = option[..<equals].firstIndex(of: ".") else {
                problems.append("--notify-option \(option): expected NAME.KEY=VALUE"); continue
            }
            let name = String(option[..<dot]), key = String(option[option.index(after: dot)..<equals])
            guard let index = targets.firstIndex(where: { $0.name == name }) else {
                problems.append("--notify-option \(option): no --notify target is named '\(name)'"); continue
            }
            guard targets[index].kind.settings.allowed.contains(key) else {
                let allowed = targets[index].kind.settings.allowed
                problems.append("--notify-option \(option): \(targets[index].kind.rawValue) takes \(allowed.isEmpty ? "no settings" : allowed.joined(separator: ", "))"); continue
            }
            targets[index].settings[key] = String(option[option.index(after: equals)...])
        }
        for target in targets {
            for key in target.kind.settings.required where (target.settings[key] ?? "").isEmpty {
                problems.append("--notify \(target.name): \(target.kind.rawValue) needs '\(key)': --notify-option \(target.name).\(key)=… or \(environmentName(target.name, key))")
            }
        }
        if !problems.isEmpty { throw ConfigError(problems.joined(separator: "\n")) }
        return targets
    }

    /// `VIGIL_NOTIFY_PAGERDUTY_ROUTING_KEY` for target `pagerduty`, key `routing_key`.
    public static func environmentName(_ name: String, _ key: String) -> String {
        "VIGIL_NOTIFY_" + String((name + "_" + key).uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 46 || $0 == 45 }
    }
}
