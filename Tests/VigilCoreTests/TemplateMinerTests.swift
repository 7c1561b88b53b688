import Foundation
import Testing
@testable import VigilCore

/// The miner's contract: what changed, the read-only path, ids and state.
struct TemplateMinerTests {
    @Test func addReportsCreatedUpdatedAndNone() {
        var miner = TemplateMiner()
        let a = miner.add("Started session for user alice on tty1")
        #expect(a.change == .created)
        #expect(miner.template(a.index).text == "Started session for user alice on <*>")
        let b = miner.add("Started session for user bob on tty2")
        #expect(b.index == a.index && b.change == .updated)
        #expect(miner.template(a.index).text == "Started session for user <*> on <*>")
        let c = miner.add("Started session for user carol on tty3")
        #expect(c.index == a.index && c.change == .none)
        #expect(miner.template(a.index).count == 3)
        let d = miner.add("Stopped session for user carol on tty3")
        #expect(d.change == .created && d.index != a.index)
    }

    @Test func idIsKeptWhenTheTemplateGeneralises() {
        var miner = TemplateMiner()
        let a = miner.add("disk usage high on sda")
        let id = miner.template(a.index).id
        #expect(id == "tpl_" + SHA256.hex("disk usage high on sda").prefix(12))
        #expect(miner.add("disk usage high on sdb").change == .updated)
        #expect(miner.template(a.index).text == "disk usage high on <*>")
        #expect(miner.template(a.index).id == id)
    }

    @Test func matchNeverChangesTheModel() {
        var miner = TemplateMiner()
        miner.add("worker pool finished job alpha in 12ms")
        let before = miner.templates
        let state = miner.encodeState()
        #expect(miner.match("worker pool finished job alpha in 99ms") == 0)
        #expect(miner.match("worker pool finished job beta in 99ms") == nil)   // add would generalise
        #expect(miner.match("something else entirely") == nil)
        #expect(miner.templates == before)
        #expect(miner.encodeState() == state)
        let added = miner.add("worker pool finished job beta in 99ms")
        #expect(added.change == .updated)
        #expect(miner.match("worker pool finished job gamma in 1ms") == added.index)
    }

    @Test func linesOfOnlyVariablesShareOneTemplate() {
        var miner = TemplateMiner(configuration: TemplateMinerConfiguration(memoEntries: 0))
        let first = miner.add("12 0x1f 10.0.0.1")
        for line in ["13 0x2f 10.0.0.2", "14 0x3f 10.0.0.3"] {
            #expect(miner.add(line).index == first.index)
        }
        #expect(miner.templateCount == 1)
    }

    @Test func identicalTemplateTextsOnDifferentPathsGetDistinctIds() {
        let taken: Set<String> = [TemplateIdentity.id(for: "a <*>", taken: [])]
        let second = TemplateIdentity.id(for: "a <*>", taken: taken)
        #expect(second != taken.first && second == "tpl_" + SHA256.hex("a <*>\n#2").prefix(12))
    }

    @Test func stateRoundTripKeepsIdsCountsAndRouting() throws {
        var miner = TemplateMiner()
        let lines = ["Accepted password for root from 10.0.0.1 port 22 ssh2",
                     "Accepted password for admin from 10.0.0.2 port 23 ssh2",
                     "Connection closed by 10.0.0.3 [preauth]",
                     "12 34"]
        for line in lines { miner.add(line) }
        let restored = try TemplateMiner(restoring: miner.encodeState(), path: "state")
        #expect(restored.templates == miner.templates)
        #expect(restored.encodeState() == miner.encodeState())
        for line in lines { #expect(restored.match(line) == miner.match(line)) }
        var continued = restored
        #expect(continued.add("Accepted password for guest from 10.0.0.9 port 24 ssh2").change == .none)
    }

    @Test func stateFileIsWrittenAtomicallyAndReadBack() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try TemplateStateFile.load(directory: dir.path) == nil)
        var miner = TemplateMiner()
        miner.add("cache miss key=user:1")
        try TemplateStateFile.save(miner, directory: dir.path)
        try TemplateStateFile.save(miner, directory: dir.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [TemplateStateFile.name])
        #expect(try TemplateStateFile.load(directory: dir.path)?.templates == miner.templates)
    }

    @Test(arguments: [
        ("", "state: empty template state file"),
        ("{\"format\":\"other/v9\"}\n", "state:1: unsupported format \"other/v9\" (expected \"vigil.templates/v1\")"),
        ("{\"format\":\"vigil.templates/v1\"}\n{\"id\":1}\n", "state:2: malformed template entry"),
        ("{\"format\":\"vigil.templates/v1\"}\n{\"id\":\"x\",\"template\":\"a\",\"count\":1,\"path\":[]}\n", "state:2: bad or duplicate template id \"x\""),
    ])
    func badStateIsRejectedWithItsLine(_ text: String, _ message: String) {
        #expect(throws: TemplateStateError.self) { try TemplateMiner(restoring: Array(text.utf8), path: "state") }
        do { _ = try TemplateMiner(restoring: Array(text.utf8), path: "state") } catch { #expect(error.description == message) }
    }
}
