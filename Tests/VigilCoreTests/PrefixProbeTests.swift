import Foundation
import Testing
@testable import VigilCore

/// The parser skips a format when PCRE2 shows no line starting with the line's first four bytes
/// can match it; a skip must never change what a line becomes.
struct PrefixProbeTests {
    static func matcher(_ pattern: String) throws -> Matcher { Matcher(try CompiledPattern(pattern)) }

    static func rulesOut(_ m: Matcher, _ prefix: String) -> Bool {
        let bytes = Array(prefix.utf8)
        return bytes.withUnsafeBufferPointer { m.cannotMatchAnythingStarting(with: $0.baseAddress!, $0.count) }
    }

    @Test func onlyWhatCannotMatchIsRuledOut() throws {
        let iso = try Self.matcher(#"^\d{4}-\d{2}-\d{2}T\S+ (?<message>.*)$"#)
        #expect(Self.rulesOut(iso, "10.0"))
        #expect(Self.rulesOut(iso, "Nov "))
        #expect(!Self.rulesOut(iso, "2026"))
        // `$` or a lookahead reaching the end of the four bytes may still be satisfied by more.
        let exact = try Self.matcher(#"^ab$"#)
        #expect(Self.rulesOut(exact, "abcd"))
        #expect(!Self.rulesOut(exact, "ab"))
        let ahead = try Self.matcher(#"^(?=.*x)abc"#)
        #expect(!Self.rulesOut(ahead, "abcd"))
        // A pattern that may match anywhere is never ruled out by its start.
        let anywhere = try Self.matcher(#"\d{4}-\d{2}"#)
        #expect(!Self.rulesOut(anywhere, "xxxx"))
    }

    /// Every line of the fixtures against every built-in regex format: a format ruled out by the
    /// line's first four bytes never matches the line.
    @Test func aRuledOutFormatNeverMatchesTheLine() throws {
        let rules = try RuleSet.builtin()
        let matchers = rules.formats.compactMap { format -> Matcher? in
            if case .regex(let pattern) = format.kind { return Matcher(pattern) }
            return nil
        }
        var lines: [[UInt8]] = []
        let roots = [TestSupport.fixtures.appendingPathComponent("templates"), TestSupport.fixtures.appendingPathComponent("replay")]
        for root in roots {
            for case let url as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)! {
                guard ["log", "jsonl", "txt"].contains(url.pathExtension), let data = try? Data(contentsOf: url) else { continue }
                lines += [UInt8](data).split(separator: 10).map(Array.init)
            }
        }
        #expect(lines.count > 10_000)
        var ruledOut = 0
        for line in lines where line.count >= 4 {
            line.withUnsafeBufferPointer { b in
                for m in matchers where m.cannotMatchAnythingStarting(with: b.baseAddress!, 4) {
                    ruledOut += 1
                    #expect(!m.match(b.baseAddress!, b.count), "\(String(decoding: line, as: UTF8.self))")
                }
            }
        }
        #expect(ruledOut > 1000)
    }
}
