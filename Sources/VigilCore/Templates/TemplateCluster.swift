/// One template inside the miner: token hashes for comparing, token texts for writing.
struct TemplateCluster {
    let id: String
    /// `TokenHash.wildcard` at `<*>` positions.
    private(set) var tokens: [UInt64]
    private(set) var texts: [[UInt8]]
    var count: Int
    /// The tree path it was filed under (`TokenHash.wildcard` where the tree sent it to `<*>`),
    /// kept so that a restored miner files it under the same leaf.
    let path: [UInt64]
    /// The same path as text, `<*>` for a wildcard step (for the state file).
    let pathTexts: [String]
    /// Number of non-wildcard tokens.
    private(set) var constants: Int
    /// The cached JSON tail written after `{"line":N` for every line of this template.
    private(set) var jsonTail: [UInt8] = []

    init(id: String, tokens: [UInt64], texts: [[UInt8]], count: Int, path: [UInt64], pathTexts: [String]) {
        self.id = id
        self.tokens = tokens
        self.texts = texts
        self.count = count
        self.path = path
        self.pathTexts = pathTexts
        constants = tokens.reduce(0) { $0 + ($1 == TokenHash.wildcard ? 0 : 1) }
        jsonTail = makeJSONTail()
    }

    /// Tokens joined by single spaces.
    var text: String { String(decoding: Self.join(texts), as: UTF8.self) }

    /// Positions where the line's token equals a constant of the template, and positions where
    /// both have `<*>`.
    @inline(__always)
    func compare(_ line: UnsafeBufferPointer<UInt64>) -> (equal: Int, bothVariable: Int) {
        tokens.withUnsafeBufferPointer { mine in
            var equal = 0
            var bothVariable = 0
            for i in 0..<mine.count where mine[i] == line[i] {
                if mine[i] == TokenHash.wildcard { bothVariable += 1 } else { equal += 1 }
            }
            return (equal, bothVariable)
        }
    }

    /// Whether every constant of the template equals the line's token at its position.
    func covers(_ line: UnsafeBufferPointer<UInt64>) -> Bool {
        guard line.count == tokens.count else { return false }
        for i in 0..<tokens.count where tokens[i] != TokenHash.wildcard && tokens[i] != line[i] { return false }
        return true
    }

    /// Turns every token that differs from the line into `<*>`; returns whether any did.
    mutating func generalise(to line: UnsafeBufferPointer<UInt64>) -> Bool {
        var changed = false
        for i in 0..<tokens.count where tokens[i] != line[i] && tokens[i] != TokenHash.wildcard {
            tokens[i] = TokenHash.wildcard
            texts[i] = TokenHash.wildcardText
            constants -= 1
            changed = true
        }
        if changed { jsonTail = makeJSONTail() }
        return changed
    }

    static func join(_ texts: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, text) in texts.enumerated() {
            if i > 0 { out.append(32) }
            out.append(contentsOf: text)
        }
        return out
    }

    private func makeJSONTail() -> [UInt8] {
        var out = Array(#","template_id":""#.utf8)
        out.append(contentsOf: id.utf8)
        out.append(contentsOf: #"","template":""#.utf8)
        JSONWriter.escape(Self.join(texts), into: &out)
        out.append(contentsOf: "\"}\n".utf8)
        return out
    }
}
