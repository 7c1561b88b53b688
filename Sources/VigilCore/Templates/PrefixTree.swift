/// Drain's fixed-depth tree, flattened: each node is the hash of (token count, path so far), so
/// descending one level is one dictionary lookup and nothing is allocated per line.
struct PrefixTree {
    typealias NodeKey = UInt64

    /// Up to four routing tokens, stored inline so building a path allocates nothing.
    struct Path {
        private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        private(set) var count = 0

        init() {}

        init(_ tokens: [UInt64]) { for token in tokens { append(token) } }

        mutating func append(_ token: UInt64) {
            guard count < 4 else { return }
            switch count {
            case 0: storage.0 = token
            case 1: storage.1 = token
            case 2: storage.2 = token
            default: storage.3 = token
            }
            count += 1
        }

        subscript(i: Int) -> UInt64 {
            switch i {
            case 0: return storage.0
            case 1: return storage.1
            case 2: return storage.2
            default: return storage.3
            }
        }
    }

    /// Where a new template was filed, and the steps taken (`wildcard` where the tree was full).
    struct Leaf {
        var key: NodeKey
        var path: [UInt64]
    }

    /// Children per node.
    private var children: [NodeKey: Int32] = [:]
    /// Templates per leaf, oldest first.
    private var leaves: [NodeKey: [Int32]] = [:]

    private static func root(_ count: Int) -> NodeKey { TokenHash.mix(0x7472_6565, UInt64(count)) }

    /// The leaf a line would be compared in: at each level its own token's child, else the `<*>`
    /// child; nil when neither exists.
    func find(count: Int, path: Path) -> NodeKey? {
        var key = Self.root(count)
        guard children[key] != nil else { return nil }
        for level in 0..<path.count {
            let child = TokenHash.mix(key, path[level])
            if children[child] != nil { key = child; continue }
            let wildcard = TokenHash.mix(key, TokenHash.wildcard)
            guard children[wildcard] != nil else { return nil }
            key = wildcard
        }
        return leaves[key] == nil ? nil : key
    }

    /// Creates the path for a new template: a node with `maxChildren` children sends new tokens
    /// to its `<*>` child instead.
    mutating func insert(count: Int, path: Path, maxChildren: Int) -> Leaf {
        var key = Self.root(count)
        if children[key] == nil { children[key] = 0 }
        var taken: [UInt64] = []
        for level in 0..<path.count {
            var token = path[level]
            var child = TokenHash.mix(key, token)
            if children[child] == nil {
                if children[key]! >= Int32(clamping: maxChildren) {
                    token = TokenHash.wildcard
                    child = TokenHash.mix(key, token)
                }
                if children[child] == nil {
                    children[child] = 0
                    children[key]! += 1
                }
            }
            taken.append(token)
            key = child
        }
        return Leaf(key: key, path: taken)
    }

    mutating func attach(_ cluster: Int32, to leaf: NodeKey) {
        leaves[leaf, default: []].append(cluster)
    }

    func clusters(in leaf: NodeKey) -> [Int32] { leaves[leaf] ?? [] }
}
