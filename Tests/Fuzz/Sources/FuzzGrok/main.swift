import FuzzSupport
import VigilCore

/// Grok expansion and PCRE2 compilation of any pattern text against the built-in library.
nonisolated(unsafe) let library = try! RuleSet.builtin().patterns

func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let expanded = try? library.expand(text) else { return }
    if let pattern = try? CompiledPattern(expanded) {
        let matcher = Matcher(pattern)
        _ = text.utf8.withContiguousStorageIfAvailable { matcher.match($0.baseAddress!, $0.count) }
    }
}

runFuzzer(fuzzOne)
