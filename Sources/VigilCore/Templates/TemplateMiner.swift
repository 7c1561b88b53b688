/// The template miner's one configuration, the same for every log source.
public struct TemplateMinerConfiguration: Sendable, Equatable {
    /// A line joins the most similar template of its leaf when at least this fraction of its
    /// tokens equal the template's constants. As in Drain, a `<*>` position counts as no match
    /// even when the line has a variable there: otherwise lines of different events that share a
    /// header of masked timestamps and a few variables would merge, and the merged template would
    /// then attract still more.
    public var similarityThreshold: Double
    /// Leading constant tokens that select a leaf, after the token count (Drain's depth − 2; at most 4).
    public var prefixTokens: Int
    /// Children per tree node before further new tokens share the `<*>` branch, so a variable
    /// the masker missed in a leading position cannot grow the tree without bound.
    public var maxChildren: Int
    /// Entries in the memo of masked lines already seen; it is cleared when full (0: no memo).
    public var memoEntries: Int

    public init(similarityThreshold: Double = 0.6, prefixTokens: Int = 2, maxChildren: Int = 100, memoEntries: Int = 1 << 16) {
        self.similarityThreshold = similarityThreshold
        self.prefixTokens = min(max(prefixTokens, 0), 4)
        self.maxChildren = maxChildren
        self.memoEntries = memoEntries
    }

    /// The built-in configuration, measured on `Fixtures/templates`.
    public static let standard = TemplateMinerConfiguration()
}

/// An online, Drain-like template miner over masked tokens.
///
/// A line is masked (`TokenMasker`), routed by its token count and its first leading *constant*
/// tokens (masked leading tokens such as timestamps are skipped, so lines no format matched still
/// route by their words), and compared with the templates of that leaf. It joins the most similar
/// one if similar enough, turning differing tokens into `<*>`, or starts a new template.
///
/// `add` changes the model and says how (`TemplateChange`); `match` is the read-only path: it is
/// non-mutating, so the compiler guarantees it never changes a template. A line whose masked
/// tokens repeat an earlier line's goes straight to that line's template through a memo, which
/// is what makes the common case fast. The memo never makes a line fit a template it does not
/// fit (templates only generalise, so a template that covered a line keeps covering it); after a
/// restart or when the memo is cleared, a repeat is matched again and, only if two templates
/// both cover it, may go to the more specific one.
///
/// Not thread-safe: one miner per thread (its tokenizer's buffers are shared by copies).
public struct TemplateMiner {
    public let configuration: TemplateMinerConfiguration
    /// The tokenizer's buffers hold the last line's tokens after `add` or `match`.
    public let tokenizer = MessageTokenizer()
    var clusters: [TemplateCluster] = []
    var tree = PrefixTree()
    private var memo: RepeatMemo
    var ids: Set<String> = []

    public init(configuration: TemplateMinerConfiguration = .standard) {
        self.configuration = configuration
        memo = RepeatMemo(entries: configuration.memoEntries)
    }

    /// Number of templates.
    public var templateCount: Int { clusters.count }

    /// Template `index` (as returned by `add` or `match`).
    public func template(_ index: Int) -> LogTemplate {
        let cluster = clusters[index]
        return LogTemplate(id: cluster.id, text: cluster.text, count: cluster.count)
    }

    /// All templates in creation order.
    public var templates: [LogTemplate] { clusters.indices.map(template) }

    /// `,"template_id":"…","template":"…"}` followed by a newline, JSON-escaped once per template
    /// change rather than once per line.
    public func jsonTail(_ index: Int) -> [UInt8] { clusters[index].jsonTail }

    /// `jsonTail` without copying or retaining it, for the per-line output path.
    @inlinable
    public func withJSONTail<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try jsonTailStorage(index).withUnsafeBufferPointer(body)
    }

    @usableFromInline
    func jsonTailStorage(_ index: Int) -> [UInt8] { clusters[index].jsonTail }

    /// Adds one message of `n` bytes at `p`; returns the template it belongs to and what changed.
    @discardableResult
    public mutating func add(_ p: UnsafePointer<UInt8>, _ n: Int) -> (index: Int, change: TemplateChange) {
        tokenizer.tokenize(p, n)
        let key = tokenizer.sequenceHash
        if let known = countRepeat(key) { return (known, .none) }
        let tokens = UnsafeBufferPointer(start: tokenizer.hashes, count: tokenizer.count)
        let path = routingPath(tokens)
        var result: (index: Int, change: TemplateChange)
        if let leaf = tree.find(count: tokens.count, path: path), let best = mostSimilar(tokens, in: leaf) {
            let changed = clusters[best].generalise(to: tokens)
            clusters[best].count += 1
            result = (best, changed ? .updated : .none)
        } else {
            let leaf = tree.insert(count: tokens.count, path: path, maxChildren: configuration.maxChildren)
            result = (create(tokens, leaf: leaf), .created)
        }
        memo.set(key, Int32(result.index))
        return result
    }

    /// `add` for a message already tokenized elsewhere (`PretokenizedLines`): a line whose masked
    /// tokens were seen before goes to its template by `sequenceHash` alone; any other line is
    /// tokenized again here, so the result is the same as `add(p, n)`.
    @discardableResult
    public mutating func add(_ p: UnsafePointer<UInt8>, _ n: Int, sequenceHash: UInt64) -> (index: Int, change: TemplateChange) {
        if let known = countRepeat(sequenceHash) { return (known, .none) }
        return add(p, n)
    }

    /// The template of a line whose masked tokens (`key`) the memo has seen, counted; nil otherwise.
    @inline(__always)
    private mutating func countRepeat(_ key: UInt64) -> Int? {
        guard let known = memo.get(key) else { return nil }
        clusters[Int(known)].count += 1
        return Int(known)
    }

    /// Adds a message given as a `String`.
    @discardableResult
    public mutating func add(_ message: String) -> (index: Int, change: TemplateChange) {
        var bytes = Array(message.utf8)
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { add($0.baseAddress!, $0.count - 1) }
    }

    /// The template that covers the message as it is (every constant token equal, any token at a
    /// `<*>`), without changing anything; nil when no template covers it (Drain3's `match`).
    public func match(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        tokenizer.tokenize(p, n)
        if let known = memo.get(tokenizer.sequenceHash) { return Int(known) }
        let tokens = UnsafeBufferPointer(start: tokenizer.hashes, count: tokenizer.count)
        guard let leaf = tree.find(count: tokens.count, path: routingPath(tokens)) else { return nil }
        var best: Int? = nil
        var bestConstants = -1
        for index in tree.clusters(in: leaf) {
            let cluster = clusters[Int(index)]
            guard cluster.covers(tokens) else { continue }
            if cluster.constants > bestConstants { best = Int(index); bestConstants = cluster.constants }
        }
        return best
    }

    /// `match` for a `String`.
    public func match(_ message: String) -> Int? {
        var bytes = Array(message.utf8)
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { match($0.baseAddress!, $0.count - 1) }
    }

    /// The first `prefixTokens` tokens with nothing masked: leading variables (timestamps, ids,
    /// `[<*>]`) route nowhere, so a line that starts with them routes by the words that follow.
    private func routingPath(_ tokens: UnsafeBufferPointer<UInt64>) -> PrefixTree.Path {
        var path = PrefixTree.Path()
        guard configuration.prefixTokens > 0 else { return path }
        let masked = tokenizer.masked
        for i in 0..<tokens.count where !masked[i] {
            path.append(tokens[i])
            if path.count == configuration.prefixTokens { break }
        }
        return path
    }

    /// The most similar template of a leaf if similar enough; ties go to the older template.
    ///
    /// Similarity is the share of equal constants among the positions where the line or the
    /// template has a constant: a position where both have a variable says nothing either way, so
    /// a masked timestamp header does not dilute the words that tell events apart. A template that
    /// already covers the line (every constant equal) always qualifies, so a line made only of
    /// variables still finds its template.
    private func mostSimilar(_ tokens: UnsafeBufferPointer<UInt64>, in leaf: PrefixTree.NodeKey) -> Int? {
        var best = -1
        var bestScore = -1.0
        let n = tokens.count
        for index in tree.clusters(in: leaf) {
            let cluster = clusters[Int(index)]
            let (equal, bothVariable) = cluster.compare(tokens)
            let informative = n - bothVariable
            let score = equal == cluster.constants ? 2.0 + Double(equal) : (informative == 0 ? 1.0 : Double(equal) / Double(informative))
            if score > bestScore { best = Int(index); bestScore = score }
        }
        guard best >= 0 else { return nil }
        return bestScore >= configuration.similarityThreshold ? best : nil
    }

    private mutating func create(_ tokens: UnsafeBufferPointer<UInt64>, leaf: PrefixTree.Leaf) -> Int {
        let texts = (0..<tokens.count).map { Array(tokenizer.text($0)) }
        let text = String(decoding: TemplateCluster.join(texts), as: UTF8.self)
        let id = TemplateIdentity.id(for: text, taken: ids)
        ids.insert(id)
        let index = clusters.count
        // The path's steps are the line's first unmasked tokens, or `<*>` where the tree was full.
        let constantTexts = texts.indices.filter { !tokenizer.masked[$0] }.map { String(decoding: texts[$0], as: UTF8.self) }
        let pathTexts = leaf.path.enumerated().map { step, token in token == TokenHash.wildcard ? "<*>" : constantTexts[step] }
        clusters.append(TemplateCluster(id: id, tokens: Array(tokens), texts: texts, count: 1, path: leaf.path, pathTexts: pathTexts))
        tree.attach(Int32(index), to: leaf.key)
        return index
    }
}
