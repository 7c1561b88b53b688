/// A grok-style pattern library: logstash-format files of `NAME regex` lines.
///
/// `%{NAME}` in a pattern inserts NAME's regex as a non-capturing group, `%{NAME:field}` as the named
/// group `field`; a third part (`%{NUMBER:bytes:int}`) is accepted for Logstash compatibility and ignored,
/// since vigil types fields by their name.
public struct PatternLibrary: Sendable {
    public private(set) var definitions: [String: Located<String>] = [:]

    public init() {}

    /// Adds the definitions of one pattern file; bad lines go to `diagnostics`.
    public mutating func load(path: String, text: String, diagnostics: inout [Diagnostic]) {
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let leading = line.prefix { $0 == " " || $0 == "\t" }.count
            let body = line.dropFirst(leading)
            if body.isEmpty || body.hasPrefix("#") { continue }
            let name = body.prefix { $0 != " " && $0 != "\t" }
            let gap = body.dropFirst(name.count).prefix { $0 == " " || $0 == "\t" }.count
            let regex = String(body.dropFirst(name.count + gap))
            guard PatternLibrary.isValidName(name) else {
                diagnostics.append(Diagnostic(file: path, line: lineNumber, column: leading + 1,
                                              message: "pattern name '\(name)' must match [A-Za-z0-9_]+"))
                continue
            }
            guard !regex.isEmpty else {
                diagnostics.append(Diagnostic(file: path, line: lineNumber, column: leading + name.count + 1,
                                              message: "pattern '\(name)' has no regex (expected 'NAME regex')"))
                continue
            }
            definitions[String(name)] = Located(value: regex, file: path, line: lineNumber, column: leading + name.count + gap + 1)
        }
    }

    static func isValidName<S: StringProtocol>(_ name: S) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 }
    }

    /// An expansion failure: `offset` is the byte offset of the `%{` reference in the pattern given.
    public struct ExpansionError: Error, Sendable {
        public let message: String
        public let offset: Int
    }

    /// Expands every `%{…}` reference recursively into plain PCRE2 syntax.
    public func expand(_ pattern: String) throws(ExpansionError) -> String {
        var out: [UInt8] = []
        try expand(Array(pattern.utf8), into: &out, stack: [], topOffset: nil)
        return String(decoding: out, as: UTF8.self)
    }

    private func expand(_ bytes: [UInt8], into out: inout [UInt8], stack: [String], topOffset: Int?) throws(ExpansionError) {
        var i = 0
        while i < bytes.count {
            // `\%` stays literal; only an unescaped `%{` starts a reference.
            if bytes[i] == 92, i + 1 < bytes.count { out.append(bytes[i]); out.append(bytes[i + 1]); i += 2; continue }
            guard bytes[i] == 37, i + 1 < bytes.count, bytes[i + 1] == 123 else { out.append(bytes[i]); i += 1; continue }
            let here = topOffset ?? i
            guard let close = bytes[(i + 2)...].firstIndex(of: 125) else {
                throw ExpansionError(message: "unterminated '%{' reference", offset: here)
            }
            let parts = bytes[(i + 2)..<close].split(separator: 58, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            let name = parts[0]
            guard let definition = definitions[name] else {
                throw ExpansionError(message: "unknown pattern '%{\(name)}'", offset: here)
            }
            guard !stack.contains(name) else {
                throw ExpansionError(message: "pattern '\(name)' refers to itself (\((stack + [name]).joined(separator: " -> ")))", offset: here)
            }
            if parts.count > 1 {
                let field = parts[1]
                guard PatternLibrary.isValidName(field), !(field.first?.isNumber ?? true) else {
                    throw ExpansionError(message: "field name '\(field)' must start with a letter or '_' and match [A-Za-z0-9_]+", offset: here)
                }
                out.append(contentsOf: "(?<\(field)>".utf8)
            } else {
                out.append(contentsOf: "(?:".utf8)
            }
            try expand(Array(definition.value.utf8), into: &out, stack: stack + [name], topOffset: here)
            out.append(41)
            i = close + 1
        }
    }
}
