import Foundation
import Testing
@testable import VigilCore

/// Each notification format against the fields its vendor documents (the doc is named on the encoder).
struct NotifyPayloadTests {
    static func record(_ event: Record.Event, severity: Severity = .critical, summary: String = "checkout: error ratio 40% <&>") -> Record {
        var r = AlertmanagerPayloadTests.record(event, seq: event == .opened ? 0 : 2, severity: severity)
        r.summary = summary
        r.tier = .L1
        r.metrics = [("error_ratio", 0.4), ("events", 120)]
        r.detectedAt = 1_795_700_120_000
        return r
    }

    static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any], "\(String(decoding: bytes, as: UTF8.self))")
    }

    static func target(_ kind: NotifyKind, _ settings: [String: String] = [:], path: String = "/") -> NotifyTarget {
        NotifyTarget(name: kind.rawValue, kind: kind, endpoint: HTTPClient.Endpoint(url: "http://127.0.0.1:1\(path)")!, settings: settings, hostName: "host-a")
    }

    @Test func slackHasTextAndBlocksWithinLimits() throws {
        let long = Self.record(.opened, summary: String(repeating: "x", count: 400) + " <b>")
        let body = try Self.json(SlackMessage.payload(long))
        let text = try #require(body["text"] as? String)
        #expect(text.hasPrefix("[CRITICAL] Opened: xxx") && text.hasSuffix("&lt;b&gt;"))
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String } == ["header", "section", "section", "section", "context"])
        let header = try #require(blocks[0]["text"] as? [String: Any])
        #expect(header["type"] as? String == "plain_text")
        #expect((header["text"] as? String)?.count == 150)
        let fields = try #require(blocks[2]["fields"] as? [[String: Any]])
        #expect(fields.count <= 10 && fields.allSatisfy { $0["type"] as? String == "mrkdwn" && ($0["text"] as? String)!.count <= 2000 })
        #expect(fields.contains { $0["text"] as? String == "*Tier*\nL1" })
        let evidence = try #require((blocks[3]["text"] as? [String: Any])?["text"] as? String)
        #expect(evidence == "```app.log:7: boom```")
        let escaped = try Self.json(SlackMessage.payload(Self.record(.opened)))
        #expect((escaped["text"] as? String)?.hasSuffix("40% &lt;&amp;&gt;") == true)
    }

    @Test func teamsCarriesAnAdaptiveCard() throws {
        let body = try Self.json(TeamsMessage.payload(Self.record(.resolved)))
        #expect(body["type"] as? String == "message")
        let attachment = try #require((body["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        #expect(attachment["contentUrl"] is NSNull)
        let card = try #require(attachment["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard" && card["version"] as? String == "1.4")
        #expect(card["$schema"] as? String == "http://adaptivecards.io/schemas/adaptive-card.json")
        let items = try #require(card["body"] as? [[String: Any]])
        #expect(items[0]["type"] as? String == "TextBlock" && items[0]["color"] as? String == "Good")
        #expect((items[0]["text"] as? String)?.hasPrefix("[CRITICAL] Resolved: ") == true)
        let facts = try #require(items.first { $0["type"] as? String == "FactSet" }?["facts"] as? [[String: String]])
        #expect(facts.contains { $0["title"] == "Ended" && $0["value"] == "2026-11-26T13:34:20.000Z" })
        #expect(facts.contains { $0["title"] == "Dedup key" && $0["value"] == "vigil:error_ratio:abc" })
    }

    @Test(arguments: [(Severity.critical, "critical"), (.error, "error"), (.warning, "warning"), (.info, "info")])
    func pagerDutyTriggerMapsSeverity(severity: Severity, expected: String) throws {
        let body = try Self.json(PagerDutyEvent.payload(Self.record(.opened, severity: severity), routingKey: "R0UT1NG", source: "host-a"))
        #expect(body["routing_key"] as? String == "R0UT1NG")
        #expect(body["event_action"] as? String == "trigger")
        #expect(body["dedup_key"] as? String == "vigil:error_ratio:abc")
        let payload = try #require(body["payload"] as? [String: Any])
        #expect(payload["summary"] as? String == "checkout: error ratio 40% <&>")
        #expect(payload["source"] as? String == "host-a")
        #expect(payload["severity"] as? String == expected)
        #expect(payload["timestamp"] as? String == "2026-11-26T13:33:20.000Z")
        #expect(payload["component"] as? String == "checkout")
        let details = try #require(payload["custom_details"] as? [String: Any])
        #expect(details["id"] as? String == "inc_0123456789abcdef")
        #expect(details["error_ratio"] as? Double == 0.4)
        #expect(details["evidence"] as? String == "app.log:7: boom")
    }

    @Test func pagerDutyResolveAndChangeEvents() throws {
        let resolve = try Self.json(PagerDutyEvent.payload(Self.record(.resolved), routingKey: "R", source: "h"))
        #expect(resolve.keys.sorted() == ["dedup_key", "event_action", "routing_key"])
        #expect(resolve["event_action"] as? String == "resolve")
        let change = Record(kind: .change, event: .detected, dedupKey: "vigil:change:1", severity: .info, summary: "deploy of payments 2.14.0",
                            labels: ["service": "payments"], startedAt: 1_795_700_000_000, changeId: "chg_1")
        let event = try Self.json(PagerDutyEvent.payload(change, routingKey: "R", source: "h"))
        #expect(event["event_action"] == nil)
        #expect((event["payload"] as? [String: Any])?["summary"] as? String == "deploy of payments 2.14.0")
        #expect(Self.target(.pagerduty, ["routing_key": "R"]).request(for: change, ticket: nil)?.path == "/v2/change/enqueue")
        #expect(Self.target(.pagerduty, ["routing_key": "R"]).request(for: Self.record(.opened), ticket: nil)?.path == "/v2/enqueue")
    }

    @Test func jiraCreateCommentTransition() throws {
        let target = Self.target(.jira, ["project": "OPS", "issuetype": "Incident", "user": "a@b.c", "token": "t", "close_transition": "31"], path: "/jira")
        let long = Self.record(.opened, summary: String(repeating: "é", count: 300))
        let create = try #require(target.request(for: long, ticket: nil))
        #expect(create.method == "POST" && create.path == "/jira/rest/api/2/issue" && create.effect == .creates)
        #expect(create.headers.first?.1 == "Basic " + Data("a@b.c:t".utf8).base64EncodedString())
        let fields = try #require(try Self.json(create.body)["fields"] as? [String: Any])
        #expect((fields["project"] as? [String: String])?["key"] == "OPS")
        #expect((fields["issuetype"] as? [String: String])?["name"] == "Incident")
        #expect((fields["summary"] as? String)?.utf16.count == 255)
        #expect((fields["description"] as? String)?.contains("dedup_key: vigil:error_ratio:abc") == true)
        #expect(fields["labels"] as? [String] == ["vigil", "severity-critical", "tier-L1", "service-checkout"])
        #expect(target.ticketId(from: #"{"id":"10000","key":"OPS-24","self":"x"}"#) == "OPS-24")
        #expect(target.ticketId(from: #"{"key":"../x"}"#) == nil)

        let comment = try #require(target.request(for: Self.record(.updated), ticket: "OPS-24"))
        #expect(comment.path == "/jira/rest/api/2/issue/OPS-24/comment" && comment.effect == .none)
        #expect((try Self.json(comment.body)["body"] as? String)?.hasPrefix("[CRITICAL] Updated: ") == true)
        let close = try #require(target.request(for: Self.record(.resolved), ticket: "OPS-24"))
        #expect(close.path == "/jira/rest/api/2/issue/OPS-24/transitions" && close.effect == .closes)
        let body = try Self.json(close.body)
        #expect((body["transition"] as? [String: String])?["id"] == "31")
        #expect(((body["update"] as? [String: Any])?["comment"] as? [[String: Any]])?.count == 1)
        #expect(target.request(for: Self.record(.resolved), ticket: nil) == nil)
    }

    @Test func serviceNowIncidentLifecycle() throws {
        let target = Self.target(.servicenow, ["bearer": "tok", "close_code": "Resolved by caller"])
        let create = try #require(target.request(for: Self.record(.opened, summary: String(repeating: "s", count: 200)), ticket: nil))
        #expect(create.path == "/api/now/table/incident" && create.headers.first?.1 == "Bearer tok")
        let body = try Self.json(create.body)
        #expect((body["short_description"] as? String)?.utf16.count == 160)
        #expect(body["urgency"] as? String == "1" && body["impact"] as? String == "1")
        #expect(body["correlation_id"] as? String == "vigil:error_ratio:abc")
        #expect(body["description"] is String)
        #expect(target.ticketId(from: #"{"result":{"sys_id":"9d385017c611228701d22104cc95c371","number":"INC0010001"}}"#) == "9d385017c611228701d22104cc95c371")
        let note = try Self.json(try #require(target.request(for: Self.record(.updated, severity: .warning), ticket: "abc")).body)
        #expect(note["work_notes"] is String && note["urgency"] as? String == "3")
        let resolve = try #require(target.request(for: Self.record(.resolved), ticket: "abc"))
        #expect(resolve.method == "PATCH" && resolve.path == "/api/now/table/incident/abc" && resolve.effect == .closes)
        let closed = try Self.json(resolve.body)
        #expect(closed["state"] as? String == "6" && closed["close_code"] as? String == "Resolved by caller" && closed["close_notes"] is String)
    }

    @Test func zendeskTicketLifecycle() throws {
        let target = Self.target(.zendesk, ["user": "ops@example.com", "token": "ZT"])
        let create = try #require(target.request(for: Self.record(.opened, severity: .error), ticket: nil))
        #expect(create.path == "/api/v2/tickets" && create.headers.first?.1 == "Basic " + Data("ops@example.com/token:ZT".utf8).base64EncodedString())
        let ticket = try #require(try Self.json(create.body)["ticket"] as? [String: Any])
        #expect(ticket["subject"] as? String == "checkout: error ratio 40% <&>")
        #expect((ticket["comment"] as? [String: Any])?["body"] is String)
        #expect(ticket["priority"] as? String == "high")
        #expect(ticket["external_id"] as? String == "inc_0123456789abcdef")
        #expect(target.ticketId(from: #"{"ticket":{"id":35436,"subject":"x"}}"#) == "35436")
        let updateRequest = try #require(target.request(for: Self.record(.updated), ticket: "35436"))
        let update = try #require(try Self.json(updateRequest.body)["ticket"] as? [String: Any])
        #expect(update["status"] == nil && update["comment"] != nil)
        let solve = try #require(target.request(for: Self.record(.resolved), ticket: "35436"))
        #expect(solve.method == "PUT" && solve.path == "/api/v2/tickets/35436" && solve.effect == .closes)
        #expect((try Self.json(solve.body)["ticket"] as? [String: Any])?["status"] as? String == "solved")
    }

    @Test func splunkEventIsTheRecord() throws {
        let target = Self.target(.splunk, ["token": "HEC", "index": "ops"])
        let request = try #require(target.request(for: Self.record(.resolved), ticket: nil))
        #expect(request.path == "/services/collector/event")
        #expect(request.headers.first?.1 == "Splunk HEC")
        let body = try Self.json(request.body)
        #expect(body["time"] as? Double == 1_795_700_060)
        #expect(body["host"] as? String == "host-a" && body["source"] as? String == "vigil")
        #expect(body["sourcetype"] as? String == "vigil:record" && body["index"] as? String == "ops")
        let event = try #require(body["event"] as? [String: Any])
        let record = try Self.json(RecordEncoder.encode(Self.record(.resolved)))
        #expect(NSDictionary(dictionary: event).isEqual(to: record))
    }

    @Test func targetsFromOptionsAndEnvironment() throws {
        let targets = try NotifyTarget.targets(
            specs: ["slack=http://127.0.0.1:9/hook", "pagerduty:oncall=http://127.0.0.1:9/v2/enqueue", "jira=http://127.0.0.1:9/"],
            options: ["jira.project=OPS"], environment: ["VIGIL_NOTIFY_ONCALL_ROUTING_KEY": "from-env", "VIGIL_NOTIFY_JIRA_TOKEN": "t"], hostName: "h")
        #expect(targets.map(\.name) == ["slack", "oncall", "jira"])
        #expect(targets[1].settings["routing_key"] == "from-env")
        #expect(targets[2].settings == ["project": "OPS", "token": "t"])
        #expect(throws: NotifyTarget.ConfigError.self) {
            try NotifyTarget.targets(specs: ["pagerduty=http://x/", "fax=http://x/", "slack=https://x/"], options: ["slack.token=1"], environment: [:], hostName: "h")
        }
        do {
            _ = try NotifyTarget.targets(specs: ["pagerduty=http://x/"], options: [], environment: [:], hostName: "h")
        } catch {
            #expect(error.description.contains("VIGIL_NOTIFY_PAGERDUTY_ROUTING_KEY"))
        }
    }
}
