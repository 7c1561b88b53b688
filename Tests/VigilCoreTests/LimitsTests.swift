import Foundation
import Testing
@testable import VigilCore

@Suite struct LimitsTests {
    /// Services beyond `max_services` are aggregated as `other` and counted, not tracked one by one.
    @Test func servicesBeyondTheCapBecomeOther() throws {
        var rules = try RuleSet.builtin()
        rules.window.maxServices = 3
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for i in 0..<100 { text += "2026-11-26T10:00:\(String(format: "%02d", i % 60)).000Z INFO [svc\(i % 10)] hello latency_ms=5\n" }
        let file = try TestSupport.write(text, "app.log", in: dir)
        let result = try TestSupport.replay([file.path], rules: rules)
        #expect(result.counters.linesParsed == 100)
        #expect(result.counters.serviceOverflow == 70)
    }

    @Test func maxServicesIsValidated() throws {
        let files: [RuleSet.SourceFile] = [("x.rules", "[defaults]\nmax_services = 0\n")]
        #expect(throws: RuleSetError.self) { try RuleSet.load(files: files) }
        let ok = try RuleSet.load(files: [("x.rules", "[defaults]\nmax_services = 50\n")])
        #expect(ok.window.maxServices == 50)
    }
}
