/// Jira issues through the REST API v2 (Jira Cloud and Data Center; v2 takes a plain-text description).
///
/// Atlassian documents (developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues):
/// create `POST /rest/api/2/issue` with `fields.project.key`, `fields.summary` (at most 255
/// characters), `fields.description`, `fields.issuetype.name` and `fields.labels` (strings without
/// spaces), answered `201 {"id","key","self"}`; comment `POST /rest/api/2/issue/{key}/comment` with
/// `body`; transition `POST /rest/api/2/issue/{key}/transitions` with `transition.id` and an optional
/// `update.comment[].add.body`.
public enum JiraIssue {
    public static func create(_ r: Record, project: String, issueType: String) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject(); w.key("fields"); w.beginObject()
        w.key("project"); w.beginObject(); w.key("key"); w.string(project); w.endObject()
        w.key("summary"); w.string(NotifyText.truncateUTF16(r.summary, 255))
        w.key("description"); w.string(NotifyText.body(r))
        w.key("issuetype"); w.beginObject(); w.key("name"); w.string(issueType); w.endObject()
        w.key("labels"); w.beginArray()
        for label in labels(r) { w.string(label) }
        w.endArray()
        w.endObject(); w.endObject()
        return w.bytes
    }

    public static func comment(_ r: Record) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject(); w.key("body"); w.string(NotifyText.body(r)); w.endObject()
        return w.bytes
    }

    /// Moves the issue to its closing status (the transition id depends on the workflow) with a comment.
    public static func transition(_ r: Record, transitionId: String) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("transition"); w.beginObject(); w.key("id"); w.string(transitionId); w.endObject()
        w.key("update"); w.beginObject(); w.key("comment"); w.beginArray()
        w.beginObject(); w.key("add"); w.beginObject(); w.key("body"); w.string(NotifyText.body(r)); w.endObject(); w.endObject()
        w.endArray(); w.endObject()
        w.endObject()
        return w.bytes
    }

    /// `vigil`, `severity-error`, `tier-L2`, `service-checkout`: Jira labels may not contain spaces.
    static func labels(_ r: Record) -> [String] {
        var labels = ["vigil", "severity-" + r.severity.rawValue]
        if let tier = r.tier { labels.append("tier-" + tier.rawValue) }
        if let service = r.labels["service"] { labels.append("service-" + service) }
        return labels.map { String($0.map { $0.isWhitespace ? "_" : $0 }.prefix(255)) }
    }
}

/// ServiceNow incidents through the Table API.
///
/// ServiceNow documents (developer.servicenow.com, REST API reference, Table API; the `incident`
/// table's dictionary): create `POST /api/now/table/incident` answered `201 {"result":{"sys_id",
/// "number",…}}`, update `PATCH /api/now/table/incident/{sys_id}`. Fields: `short_description` (at
/// most 160 characters), `description`, `urgency` and `impact` (`1` high, `2` medium, `3` low),
/// `correlation_id` (at most 100) and `correlation_display`, `work_notes` (journal), and on
/// resolution `state` `6` (Resolved) with the mandatory `close_code` and `close_notes`.
public enum ServiceNowIncident {
    public static func create(_ r: Record, assignmentGroup: String? = nil, callerId: String? = nil) -> [UInt8] {
        let (urgency, impact) = urgencyImpact(r.severity)
        var w = JSONWriter()
        w.beginObject()
        w.key("short_description"); w.string(NotifyText.truncateUTF16(r.summary, 160))
        w.key("description"); w.string(NotifyText.body(r))
        w.key("urgency"); w.string(urgency)
        w.key("impact"); w.string(impact)
        w.key("correlation_id"); w.string(String(r.dedupKey.utf16.count <= 100 ? r.dedupKey : String(r.dedupKey.prefix(100))))
        w.key("correlation_display"); w.string("vigil")
        if let assignmentGroup { w.key("assignment_group"); w.string(assignmentGroup) }
        if let callerId { w.key("caller_id"); w.string(callerId) }
        w.endObject()
        return w.bytes
    }

    /// An update: a work note, and the urgency and impact of the current severity.
    public static func workNote(_ r: Record) -> [UInt8] {
        let (urgency, impact) = urgencyImpact(r.severity)
        var w = JSONWriter()
        w.beginObject()
        w.key("work_notes"); w.string(NotifyText.body(r))
        w.key("urgency"); w.string(urgency)
        w.key("impact"); w.string(impact)
        w.endObject()
        return w.bytes
    }

    public static func resolve(_ r: Record, closeCode: String) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("state"); w.string("6")
        w.key("close_code"); w.string(closeCode)
        w.key("close_notes"); w.string(NotifyText.body(r))
        w.endObject()
        return w.bytes
    }

    /// critical → 1/1, error → 2/2, warning → 3/2, info → 3/3 (urgency/impact; priority follows from both).
    static func urgencyImpact(_ severity: Severity) -> (String, String) {
        switch severity {
        case .critical: ("1", "1")
        case .error: ("2", "2")
        case .warning: ("3", "2")
        case .info: ("3", "3")
        }
    }
}

/// Zendesk Support tickets.
///
/// Zendesk documents (developer.zendesk.com/api-reference/ticketing/tickets/tickets): create
/// `POST /api/v2/tickets` with `ticket.subject`, `ticket.comment.body`, `ticket.priority` (`urgent`,
/// `high`, `normal`, `low`), `ticket.external_id`, `ticket.tags`, answered `201 {"ticket":{"id",…}}`;
/// update `PUT /api/v2/tickets/{id}` with `ticket.comment` (`public: false` for an internal note) and
/// `ticket.status` (`solved` when resolved).
public enum ZendeskTicket {
    public static func create(_ r: Record, groupId: String? = nil) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject(); w.key("ticket"); w.beginObject()
        w.key("subject"); w.string(NotifyText.truncate(r.summary, 255))
        w.key("comment"); w.beginObject(); w.key("body"); w.string(NotifyText.body(r)); w.key("public"); w.bool(false); w.endObject()
        w.key("priority"); w.string(priority(r.severity))
        w.key("external_id"); w.string(NotifyText.subjectId(r) ?? r.changeId ?? r.dedupKey)
        w.key("tags"); w.beginArray()
        for tag in JiraIssue.labels(r) { w.string(tag.lowercased()) }
        w.endArray()
        if let groupId, let id = Int(groupId) { w.key("group_id"); w.int(id) }
        w.endObject(); w.endObject()
        return w.bytes
    }

    /// A private comment, and `status: solved` once resolved or expired.
    public static func update(_ r: Record) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject(); w.key("ticket"); w.beginObject()
        w.key("comment"); w.beginObject(); w.key("body"); w.string(NotifyText.body(r)); w.key("public"); w.bool(false); w.endObject()
        w.key("priority"); w.string(priority(r.severity))
        if r.event == .resolved || r.event == .expired { w.key("status"); w.string("solved") }
        w.endObject(); w.endObject()
        return w.bytes
    }

    static func priority(_ severity: Severity) -> String {
        switch severity {
        case .critical: "urgent"
        case .error: "high"
        case .warning: "normal"
        case .info: "low"
        }
    }
}
