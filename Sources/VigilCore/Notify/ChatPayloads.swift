import Foundation

/// Slack incoming webhook message (`POST` to the webhook URL).
///
/// Slack documents (api.slack.com/messaging/webhooks, /reference/block-kit/blocks): a JSON body with
/// `text` (the notification fallback, required when `blocks` are sent) and `blocks`; a `header` block
/// holds `plain_text` of at most 150 characters, a `section` `mrkdwn` text at most 3000 characters and
/// at most 10 `fields` of at most 2000 characters each, a `context` block at most 10 elements.
/// In `mrkdwn`, `&`, `<` and `>` must be written `&amp;`, `&lt;`, `&gt;`.
public enum SlackMessage {
    public static func payload(_ r: Record) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("text"); w.string(escape(NotifyText.truncate(NotifyText.headline(r), 3000)))
        w.key("blocks"); w.beginArray()
        block(&w, "header") { w in
            w.key("text"); plainText(&w, NotifyText.truncate(NotifyText.headline(r), 150))
        }
        if let description = r.description {
            block(&w, "section") { w in w.key("text"); mrkdwn(&w, NotifyText.truncate(escape(description), 3000)) }
        }
        block(&w, "section") { w in
            w.key("fields"); w.beginArray()
            for fact in NotifyText.facts(r).prefix(10) {
                mrkdwn(&w, NotifyText.truncate("*\(escape(fact.name))*\n\(escape(fact.value))", 2000))
            }
            w.endArray()
        }
        let evidence = NotifyText.evidence(r)
        if !evidence.isEmpty {
            // Backticks inside a code block would end it early.
            let code = escape(evidence).replacingOccurrences(of: "```", with: "'''")
            block(&w, "section") { w in w.key("text"); mrkdwn(&w, "```" + NotifyText.truncate(code, 2990) + "```") }
        }
        block(&w, "context") { w in
            w.key("elements"); w.beginArray()
            mrkdwn(&w, NotifyText.truncate("vigil · dedup_key `\(escape(r.dedupKey))`", 2000))
            w.endArray()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func block(_ w: inout JSONWriter, _ type: String, _ content: (inout JSONWriter) -> Void) {
        w.beginObject()
        w.key("type"); w.string(type)
        content(&w)
        w.endObject()
    }

    private static func plainText(_ w: inout JSONWriter, _ text: String) {
        w.beginObject(); w.key("type"); w.string("plain_text"); w.key("text"); w.string(text); w.key("emoji"); w.bool(false); w.endObject()
    }

    private static func mrkdwn(_ w: inout JSONWriter, _ text: String) {
        w.beginObject(); w.key("type"); w.string("mrkdwn"); w.key("text"); w.string(text); w.endObject()
    }
}

/// Microsoft Teams incoming webhook message carrying an Adaptive Card.
///
/// Microsoft documents (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/
/// connectors-using, "Send Adaptive Cards using an Incoming Webhook"; the same body is accepted by a
/// Workflows "When a Teams webhook request is received" flow): `{"type":"message","attachments":[{
/// "contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{AdaptiveCard}}]}`,
/// the card with `$schema`, `type: AdaptiveCard`, `version` (1.4 is supported by Teams) and `body`
/// elements such as `TextBlock` (`text`, `wrap`, `weight`, `size`, `color`) and `FactSet` (`facts`
/// of `title`/`value`). A message may be at most 28 KB, so evidence is cut short.
public enum TeamsMessage {
    public static func payload(_ r: Record) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("type"); w.string("message")
        w.key("attachments"); w.beginArray(); w.beginObject()
        w.key("contentType"); w.string("application/vnd.microsoft.card.adaptive")
        w.key("contentUrl"); w.null()
        w.key("content"); w.beginObject()
        w.key("$schema"); w.string("http://adaptivecards.io/schemas/adaptive-card.json")
        w.key("type"); w.string("AdaptiveCard")
        w.key("version"); w.string("1.4")
        w.key("body"); w.beginArray()
        textBlock(&w, NotifyText.truncate(NotifyText.headline(r), 500), weight: "Bolder", size: "Medium", color: color(r))
        if let description = r.description { textBlock(&w, NotifyText.truncate(description, 4000)) }
        w.beginObject()
        w.key("type"); w.string("FactSet")
        w.key("facts"); w.beginArray()
        for fact in NotifyText.facts(r) + [("Dedup key", r.dedupKey)] {
            w.beginObject(); w.key("title"); w.string(fact.name); w.key("value"); w.string(NotifyText.truncate(fact.value, 1000)); w.endObject()
        }
        w.endArray()
        w.endObject()
        let evidence = NotifyText.evidence(r)
        if !evidence.isEmpty { textBlock(&w, NotifyText.truncate(evidence, 4000), fontType: "Monospace") }
        w.endArray()
        w.endObject()
        w.endObject(); w.endArray()
        w.endObject()
        return w.bytes
    }

    /// Adaptive Card text colours: red for critical and error, yellow for warning, green once resolved.
    static func color(_ r: Record) -> String {
        if r.event == .resolved || r.event == .expired { return "Good" }
        switch r.severity {
        case .critical, .error: return "Attention"
        case .warning: return "Warning"
        case .info: return "Default"
        }
    }

    private static func textBlock(_ w: inout JSONWriter, _ text: String, weight: String? = nil, size: String? = nil,
                                  color: String? = nil, fontType: String? = nil) {
        w.beginObject()
        w.key("type"); w.string("TextBlock")
        w.key("text"); w.string(text)
        w.key("wrap"); w.bool(true)
        if let weight { w.key("weight"); w.string(weight) }
        if let size { w.key("size"); w.string(size) }
        if let color { w.key("color"); w.string(color) }
        if let fontType { w.key("fontType"); w.string(fontType) }
        w.endObject()
    }
}
