import ArgumentParser
import Foundation
import VigilCore

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a rule set.",
        discussion: """
            Loads every pattern file (patterns/*) and rule file (*.rules) of DIR, expands grok references and \
            compiles every pattern. Exit 0 when the set is valid; otherwise exit 65 with each error as \
            FILE:LINE:COL: message. Without --rules, checks the built-in rules.
            """
    )

    @OptionGroup var ruleOptions: RuleOptions

    func run() throws {
        let rules = try ruleOptions.load()
        print("ok: \(rules.formats.count) formats, \(rules.detectors.count) detectors, \(rules.patterns.definitions.count) patterns")
    }
}
