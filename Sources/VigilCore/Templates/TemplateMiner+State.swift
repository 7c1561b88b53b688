import Foundation

/// A state file that cannot be read back, with the place to look.
public struct TemplateStateError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let line: Int
    public let message: String
    public var description: String { line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)" }
}

/// The miner's model as JSON lines, so `--state DIR` keeps template ids across restarts.
///
/// The first line names the format; then one template per line in creation order:
/// `{"id":"tpl_…","template":"a <*> c","count":12,"path":["a","c"]}`. `path` is the tree path the
/// template was filed under, so a restored miner routes lines exactly as the saved one did. The
/// memo of repeated lines is not saved; it refills from the input. Template text is written as
/// JSON, so bytes that are not UTF-8 come back as U+FFFD and such a template may not be matched
/// again after a restart (a new one is created instead).
extension TemplateMiner {
    /// The `format` of the state file's header.
    public static let stateFormat = "vigil.templates/v1"

    /// The model as JSON lines.
    public func encodeState() -> [UInt8] {
        var out: [UInt8] = []
        var header = JSONWriter()
        header.beginObject()
        header.key("format"); header.string(Self.stateFormat)
        header.key("templates"); header.int(clusters.count)
        header.endObject()
        header.newline()
        out += header.bytes
        for cluster in clusters {
            var w = JSONWriter()
            w.beginObject()
            w.key("id"); w.string(cluster.id)
            w.key("template"); w.string(cluster.text)
            w.key("count"); w.int(cluster.count)
            w.key("path"); w.beginArray()
            for step in cluster.pathTexts { w.string(step) }
            w.endArray()
            w.endObject()
            w.newline()
            out += w.bytes
        }
        return out
    }

    private struct Header: Decodable { var format: String }
    private struct Entry: Decodable { var id: String; var template: String; var count: Int; var path: [String] }

    /// A miner holding the templates of `state` (as written by `encodeState`); `path` names the
    /// file in errors.
    public init(restoring state: [UInt8], path: String, configuration: TemplateMinerConfiguration = .standard) throws(TemplateStateError) {
        self.init(configuration: configuration)
        let decoder = JSONDecoder()
        var lineNumber = 0
        var sawHeader = false
        for line in state.split(separator: 10, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { continue }
            if !sawHeader {
                guard let header = try? decoder.decode(Header.self, from: Data(line)) else {
                    throw TemplateStateError(path: path, line: lineNumber, message: "not a template state file (no format header)")
                }
                guard header.format == Self.stateFormat else {
                    throw TemplateStateError(path: path, line: lineNumber, message: "unsupported format \"\(header.format)\" (expected \"\(Self.stateFormat)\")")
                }
                sawHeader = true
                continue
            }
            let entry: Entry
            do { entry = try decoder.decode(Entry.self, from: Data(line)) } catch {
                throw TemplateStateError(path: path, line: lineNumber, message: "malformed template entry")
            }
            guard entry.id.hasPrefix("tpl_"), !ids.contains(entry.id) else {
                throw TemplateStateError(path: path, line: lineNumber, message: "bad or duplicate template id \"\(entry.id)\"")
            }
            guard entry.count >= 0, entry.path.count <= configuration.prefixTokens else {
                throw TemplateStateError(path: path, line: lineNumber, message: "bad count or path")
            }
            restore(entry.id, entry.template, entry.count, entry.path)
        }
        guard sawHeader else { throw TemplateStateError(path: path, line: 0, message: "empty template state file") }
    }

    private mutating func restore(_ id: String, _ template: String, _ count: Int, _ pathTexts: [String]) {
        let texts: [[UInt8]] = template.isEmpty ? [] : template.split(separator: " ", omittingEmptySubsequences: false).map { Array($0.utf8) }
        let tokens = texts.map { TokenHash.token($0) }
        let path = pathTexts.map { TokenHash.token($0.utf8) }
        // The saved path already says where the tree sent the template, so no child limit applies.
        let leaf = tree.insert(count: tokens.count, path: PrefixTree.Path(path), maxChildren: .max)
        let index = Int32(clusters.count)
        clusters.append(TemplateCluster(id: id, tokens: tokens, texts: texts, count: count, path: leaf.path, pathTexts: pathTexts))
        tree.attach(index, to: leaf.key)
        ids.insert(id)
    }
}
