/// The syntax of `*.rules` files: `[kind name]` section headers and `key = value` lines.
///
/// Kept deliberately small (no quoting, no nesting) so a regex can be written as it is: the value is
/// everything after the first `=`, trimmed. Lines starting with `#` or `;` are comments.
public struct RuleFile: Sendable {
    public struct Section: Sendable {
        /// `format`, `detector`, `service` or `defaults`.
        public let kind: Located<String>
        /// The section's name (`[format nginx]` → `nginx`), empty for `[defaults]`.
        public let name: Located<String>
        public var entries: [(key: Located<String>, value: Located<String>)] = []
    }

    public let path: String
    public private(set) var sections: [Section] = []

    /// Parses `text`; syntax errors are appended to `diagnostics` and the offending line skipped.
    public init(path: String, text: String, diagnostics: inout [Diagnostic]) {
        self.path = path
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let leading = line.prefix { $0 == " " || $0 == "\t" }.count
            let body = line.dropFirst(leading)
            if body.isEmpty || body.hasPrefix("#") || body.hasPrefix(";") { continue }
            let column = leading + 1
            if body.hasPrefix("[") {
                guard let close = body.firstIndex(of: "]") else {
                    diagnostics.append(Diagnostic(file: path, line: lineNumber, column: column, message: "section header is missing its closing ']'"))
                    continue
                }
                let trailing = body[body.index(after: close)...].trimmingCharacters(in: " \t")
                if !trailing.isEmpty {
                    diagnostics.append(Diagnostic(file: path, line: lineNumber, column: column + body.distance(from: body.startIndex, to: close) + 1,
                                                  message: "unexpected text after section header"))
                }
                let inner = body[body.index(after: body.startIndex)..<close]
                let words = inner.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
                guard let kind = words.first, !kind.isEmpty else {
                    diagnostics.append(Diagnostic(file: path, line: lineNumber, column: column, message: "empty section header"))
                    continue
                }
                let name = words.count > 1 ? words[1] : ""
                let nameColumn = column + 1 + (inner.count - inner.drop { $0 == " " }.count) + kind.count + 1
                sections.append(Section(kind: Located(value: kind, file: path, line: lineNumber, column: column + 1),
                                        name: Located(value: name, file: path, line: lineNumber, column: nameColumn)))
                continue
            }
            guard let equals = body.firstIndex(of: "=") else {
                diagnostics.append(Diagnostic(file: path, line: lineNumber, column: column, message: "expected 'key = value' or a '[section]' header"))
                continue
            }
            guard !sections.isEmpty else {
                diagnostics.append(Diagnostic(file: path, line: lineNumber, column: column, message: "'key = value' before any '[section]' header"))
                continue
            }
            let key = body[..<equals].trimmingCharacters(in: " \t")
            let afterEquals = body[body.index(after: equals)...]
            let valueLeading = afterEquals.prefix { $0 == " " || $0 == "\t" }.count
            let value = afterEquals.dropFirst(valueLeading).trimmingCharacters(in: " \t")
            let valueColumn = column + body.distance(from: body.startIndex, to: equals) + 1 + valueLeading
            if key.isEmpty {
                diagnostics.append(Diagnostic(file: path, line: lineNumber, column: column, message: "missing key before '='"))
                continue
            }
            sections[sections.count - 1].entries.append((
                Located(value: key, file: path, line: lineNumber, column: column),
                Located(value: value, file: path, line: lineNumber, column: valueColumn)))
        }
    }
}

extension StringProtocol {
    /// Trims the given ASCII characters from both ends (Foundation-free).
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
