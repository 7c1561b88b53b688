import Testing
@testable import VigilCore

/// `KeywordSet.scan` skips ahead by blocks and byte pairs; it must find exactly the keywords a plain
/// substring search finds, wherever they sit (block edges, the last bytes, overlapping each other).
@Suite struct KeywordSetTests {
    /// The keywords present in `text`, by the obvious search.
    private func naive(_ keywords: [[UInt8]], _ text: [UInt8]) -> UInt64 {
        var distinct: [[UInt8]] = []
        for word in keywords where !word.isEmpty && !distinct.contains(word) { distinct.append(word) }
        var found: UInt64 = 0
        for (k, word) in distinct.enumerated() where k < 64 && word.count <= text.count {
            for i in 0...(text.count - word.count) where Array(text[i..<(i + word.count)]) == word {
                found |= 1 << UInt64(k)
                break
            }
        }
        return found
    }

    private func check(_ keywords: [[UInt8]], alphabet: [UInt8], seed: UInt64) {
        let set = KeywordSet(keywords)
        var rng = SplitMix64(seed: seed)
        for _ in 0..<3000 {
            let length = Int(rng.next() % 90)
            var text = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            // Plant a keyword now and then, at any position including the very end.
            if length > 0, rng.next() % 3 == 0 {
                let word = keywords[Int(rng.next() % UInt64(keywords.count))]
                if !word.isEmpty, word.count <= length {
                    let at = Int(rng.next() % UInt64(length - word.count + 1))
                    text.replaceSubrange(at..<(at + word.count), with: word)
                }
            }
            let got = text.withUnsafeBufferPointer { set.scan($0.baseAddress!, $0.count) }
            let portable = text.withUnsafeBufferPointer { set.scanPortably($0.baseAddress!, $0.count) }
            #expect(got == naive(keywords, text), "text: \(String(decoding: text, as: UTF8.self))")
            #expect(portable == got)
        }
    }

    @Test func builtInKeywordsFoundExactly() {
        let keywords = ["deploy", "eploy", "Started", "Stopped", "Reloaded", "onfig", "version", "upgrade", "over ("].map { Array($0.utf8) }
        check(keywords, alphabet: Array("deployStarRlvfingu (ecmx".utf8), seed: 1)
    }

    @Test func shortAndManyKeywordsFoundExactly() {
        // A one-byte keyword (no block scan), two-byte ones, and more pairs than the block scan takes.
        check(["q", "ab", "ba", "abc"].map { Array($0.utf8) }, alphabet: Array("abcq ".utf8), seed: 2)
        var many: [[UInt8]] = []
        for i in 0..<20 {
            let a = UInt8(97 + i % 5), b = UInt8(97 + i / 5)
            many.append([a, b, 120])
        }
        check(many, alphabet: Array("abcdex".utf8), seed: 3)
        check(["ab", "cd"].map { Array($0.utf8) }, alphabet: Array("abcd".utf8), seed: 4)
    }
}
