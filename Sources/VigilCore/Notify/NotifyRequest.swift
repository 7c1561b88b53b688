import Foundation

/// One HTTP request to a notify target, decided from a record and the ticket known for it.
public struct NotifyRequest: Sendable {
    /// What the request does to the ticket of the record's incident or problem.
    public enum TicketEffect: Sendable, Equatable { case none, creates, closes }

    public var method: String
    public var path: String
    public var body: [UInt8]
    public var headers: [(String, String)] = []
    public var effect: TicketEffect = .none
}

extension NotifyTarget {
    /// The request for `record`, or nil when there is nothing to send (a ticket to close that was
    /// never created). Pure: the ticket id comes in, the create response is read by `ticketId(from:)`.
    public func request(for r: Record, ticket: String?) -> NotifyRequest? {
        let base = endpoint.path
        let final = r.event == .resolved || r.event == .expired
        switch kind {
        case .slack: return NotifyRequest(method: "POST", path: base, body: SlackMessage.payload(r))
        case .teams: return NotifyRequest(method: "POST", path: base, body: TeamsMessage.payload(r))
        case .pagerduty:
            let path = PagerDutyEvent.path(for: r, base: base == "/" ? "/v2/enqueue" : base)
            return NotifyRequest(method: "POST", path: path, body: PagerDutyEvent.payload(r, routingKey: settings["routing_key"] ?? "", source: settings["source"] ?? hostName))
        case .splunk:
            var request = NotifyRequest(method: "POST", path: base == "/" ? "/services/collector/event" : base,
                                        body: SplunkEvent.payload(r, host: settings["host"] ?? hostName, source: settings["source"] ?? "vigil",
                                                                  sourcetype: settings["sourcetype"] ?? "vigil:record", index: settings["index"]))
            request.headers = [("Authorization", "Splunk " + (settings["token"] ?? ""))]
            return request
        case .jira:
            let issues = Self.join(base, "rest/api/2/issue")
            var request: NotifyRequest
            if let ticket {
                if final, let transition = settings["close_transition"] {
                    request = NotifyRequest(method: "POST", path: "\(issues)/\(ticket)/transitions", body: JiraIssue.transition(r, transitionId: transition), effect: .closes)
                } else {
                    request = NotifyRequest(method: "POST", path: "\(issues)/\(ticket)/comment", body: JiraIssue.comment(r), effect: final ? .closes : .none)
                }
            } else {
                if final { return nil }
                request = NotifyRequest(method: "POST", path: issues, body: JiraIssue.create(r, project: settings["project"] ?? "", issueType: settings["issuetype"] ?? "Task"), effect: .creates)
            }
            request.headers = authorization(basicUser: "user", basicSecret: "token")
            return request
        case .servicenow:
            let table = Self.join(base, "api/now/table/incident")
            var request: NotifyRequest
            if let ticket {
                request = final ? NotifyRequest(method: "PATCH", path: "\(table)/\(ticket)", body: ServiceNowIncident.resolve(r, closeCode: settings["close_code"] ?? "Solution provided"), effect: .closes)
                                : NotifyRequest(method: "PATCH", path: "\(table)/\(ticket)", body: ServiceNowIncident.workNote(r))
            } else {
                if final { return nil }
                request = NotifyRequest(method: "POST", path: table, body: ServiceNowIncident.create(r, assignmentGroup: settings["assignment_group"], callerId: settings["caller_id"]), effect: .creates)
            }
            request.headers = authorization(basicUser: "user", basicSecret: "password")
            return request
        case .zendesk:
            let tickets = Self.join(base, "api/v2/tickets")
            var request: NotifyRequest
            if let ticket {
                request = NotifyRequest(method: "PUT", path: "\(tickets)/\(ticket)", body: ZendeskTicket.update(r), effect: final ? .closes : .none)
            } else {
                if final { return nil }
                request = NotifyRequest(method: "POST", path: tickets, body: ZendeskTicket.create(r, groupId: settings["group_id"]), effect: .creates)
            }
            // Zendesk API tokens authenticate as `EMAIL/token:TOKEN`.
            var auth = authorization(basicUser: "user", basicSecret: "token")
            if let user = settings["user"], let token = settings["token"] { auth = [("Authorization", "Basic " + Data("\(user)/token:\(token)".utf8).base64EncodedString())] }
            request.headers = auth
            return request
        }
    }

    /// The ticket id in a create response: Jira `key`, ServiceNow `result.sys_id`, Zendesk `ticket.id`.
    /// Only `[A-Za-z0-9_-]` is accepted, since the id goes into later request paths.
    public func ticketId(from body: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return nil }
        let value: Any?
        switch kind {
        case .jira: value = object["key"] ?? object["id"]
        case .servicenow: value = (object["result"] as? [String: Any])?["sys_id"]
        case .zendesk: value = (object["ticket"] as? [String: Any])?["id"]
        default: return nil
        }
        let text: String
        if let string = value as? String { text = string } else if let number = value as? NSNumber { text = number.stringValue } else { return nil }
        guard !text.isEmpty, text.count <= 64, text.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 }) else { return nil }
        return text
    }

    /// `Authorization: Bearer …` when a `bearer` token is set, else Basic with the two settings.
    private func authorization(basicUser: String, basicSecret: String) -> [(String, String)] {
        if let bearer = settings["bearer"], !bearer.isEmpty { return [("Authorization", "Bearer " + bearer)] }
        if let user = settings[basicUser], let secret = settings[basicSecret] {
            return [("Authorization", "Basic " + Data("\(user):\(secret)".utf8).base64EncodedString())]
        }
        return []
    }

    /// The site's base path (`/`, `/jira/`) plus an API path.
    static func join(_ base: String, _ suffix: String) -> String {
        (base.hasSuffix("/") ? base : base + "/") + suffix
    }
}
