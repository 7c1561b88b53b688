/// What `TemplateMiner.add` did to the model for one line (Drain3's `change_type`).
public enum TemplateChange: String, Sendable, Equatable {
    /// The line started a new template.
    case created
    /// The line joined a template and made it more general (some tokens became `<*>`).
    case updated
    /// The line fitted a template as it was.
    case none
}

/// One mined template, as callers and the state file see it.
public struct LogTemplate: Sendable, Equatable {
    /// `tpl_` and 12 hex digits; see `TemplateIdentity`.
    public var id: String
    /// Tokens joined by single spaces, variables written `<*>`.
    public var text: String
    /// Lines that matched it so far (across restarts when state is kept).
    public var count: Int

    public init(id: String, text: String, count: Int) {
        self.id = id
        self.text = text
        self.count = count
    }
}

/// How template ids are made, so they are stable across runs and restarts.
///
/// The id is `tpl_` + the first 12 hex digits of SHA-256 of the template text **when the template
/// was created**, and it never changes afterwards: when later lines generalise the template
/// (`a b c` → `a <*> c`), records already written keep pointing at the right template. Replaying
/// the same input gives the same ids; with `--state` the ids are stored and reused. In the rare case
/// that two templates are created with the same text (they sit on different tree paths), the
/// second hashes `text + "\n#2"`, the third `text + "\n#3"`, and so on, in creation order.
public enum TemplateIdentity {
    /// The id for a template created with `text`, given the ids already taken.
    public static func id(for text: String, taken: Set<String>) -> String {
        var candidate = "tpl_" + SHA256.hex(text).prefix(12)
        var k = 2
        while taken.contains(candidate) {
            candidate = "tpl_" + SHA256.hex(text + "\n#\(k)").prefix(12)
            k += 1
        }
        return candidate
    }
}
