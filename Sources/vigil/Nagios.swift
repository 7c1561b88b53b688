import ArgumentParser
import Foundation
import VigilCore

struct Nagios: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A Nagios/Icinga plugin: the state of vigil's incidents as a plugin status line.",
        discussion: """
            Reads the JSONL records vigil wrote (--sink files), keeps the latest record of each \
            incident (highest seq), and prints one plugin line with performance data:

              VIGIL CRITICAL - 1 open incident: checkout ErrorRatioHigh (critical) | open_incidents=1;1;5;0 critical=1 …

            Exit status: 0 OK, 1 WARNING (at least --warning-open incidents open), 2 CRITICAL (at \
            least --critical-open open, or any open incident of severity critical), 3 UNKNOWN (no \
            file could be read, or none held a single record line).

              vigil nagios --records /var/lib/vigil/incidents.jsonl --warning-open 1 --critical-open 3
            """
    )

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Record files written by vigil run or replay.", valueName: "FILE"))
    var records: [String] = []

    @Option(help: ArgumentHelp("WARNING when at least this many incidents are open.", valueName: "N"))
    var warningOpen = 1

    @Option(help: ArgumentHelp("CRITICAL when at least this many incidents are open.", valueName: "N"))
    var criticalOpen = 5

    @Flag(inversion: .prefixedNo, help: "An open incident of severity critical makes the status CRITICAL.")
    var criticalSeverity = true

    @Argument(help: ArgumentHelp("More record files.", valueName: "FILE"))
    var files: [String] = []

    func validate() throws {
        if records.isEmpty && files.isEmpty { throw ValidationError("give at least one record file (--records FILE)") }
        if warningOpen < 0 || criticalOpen < 0 { throw ValidationError("thresholds must not be negative") }
    }

    func run() throws {
        let result = NagiosCheck.evaluate(paths: records + files, warningOpen: warningOpen, criticalOpen: criticalOpen,
                                          criticalSeverity: criticalSeverity)
        print(result.line)
        throw ExitCode(result.status.rawValue)
    }
}

/// The check itself, apart from the command line so that tests can call it.
enum NagiosCheck {
    enum Status: Int32 {
        case ok = 0, warning = 1, critical = 2, unknown = 3
        var word: String { ["OK", "WARNING", "CRITICAL", "UNKNOWN"][Int(rawValue)] }
    }

    struct Incident {
        var seq: Int
        var event: String
        var severity: String
        var service: String
        var alertname: String
    }

    static func evaluate(paths: [String], warningOpen: Int, criticalOpen: Int, criticalSeverity: Bool) -> (status: Status, line: String) {
        var incidents: [String: Incident] = [:]
        var readable = 0, recordLines = 0, malformed = 0
        var problems: [String] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                problems.append("cannot read \(path)")
                continue
            }
            readable += 1
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                      object["schema"] as? String == "vigil.record/v1" else { malformed += 1; continue }
                recordLines += 1
                guard object["kind"] as? String == "incident", let id = object["incident_id"] as? String else { continue }
                let labels = object["labels"] as? [String: Any] ?? [:]
                let incident = Incident(seq: object["seq"] as? Int ?? 0, event: object["event"] as? String ?? "",
                                        severity: object["severity"] as? String ?? "error",
                                        service: labels["service"] as? String ?? "?", alertname: labels["alertname"] as? String ?? "?")
                if let known = incidents[id], known.seq > incident.seq { continue }
                incidents[id] = incident
            }
        }
        if readable == 0 || (recordLines == 0 && malformed > 0) {
            let why = readable == 0 ? problems.joined(separator: "; ") : "no vigil record in \(malformed) lines"
            return (.unknown, "VIGIL UNKNOWN - \(why)")
        }
        let open = incidents.values.filter { $0.event != "resolved" }
            .sorted { ($0.severityRank, $0.service, $0.alertname) < ($1.severityRank, $1.service, $1.alertname) }
        var bySeverity: [String: Int] = [:]
        for incident in open { bySeverity[incident.severity, default: 0] += 1 }
        let status: Status
        if open.count >= criticalOpen || (criticalSeverity && bySeverity["critical", default: 0] > 0) {
            status = .critical
        } else if open.count >= warningOpen {
            status = .warning
        } else {
            status = .ok
        }
        var text = "\(open.count) open incident\(open.count == 1 ? "" : "s")"
        if !open.isEmpty {
            let shown = open.prefix(5).map { "\($0.service) \($0.alertname) (\($0.severity))" }
            text += ": " + shown.joined(separator: ", ") + (open.count > 5 ? ", …" : "")
        }
        if malformed > 0 { text += "; \(malformed) malformed lines skipped" }
        if !problems.isEmpty { text += "; " + problems.joined(separator: "; ") }
        // Plugin output ends at the first "|" or newline: keep them out of the text.
        text = text.replacingOccurrences(of: "|", with: "/").replacingOccurrences(of: "\n", with: " ")
        var perf = "open_incidents=\(open.count);\(warningOpen);\(criticalOpen);0"
        for severity in Severity.allCases { perf += " \(severity.rawValue)=\(bySeverity[severity.rawValue, default: 0]);;;0" }
        perf += " incidents_total=\(incidents.count);;;0 records=\(recordLines)c"
        return (status, "VIGIL \(status.word) - \(text) | \(perf)")
    }
}

extension NagiosCheck.Incident {
    var severityRank: Int { ["critical": 0, "error": 1, "warning": 2, "info": 3][severity] ?? 4 }
}
