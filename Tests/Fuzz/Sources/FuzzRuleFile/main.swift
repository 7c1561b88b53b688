import FuzzSupport
import VigilCore

/// The rule-file loader on any text: a rule set or diagnostics with positions inside the text.
func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try RuleSet.load(files: [("fuzz.rules", text)])
    } catch {
        for d in error.diagnostics {
            precondition(d.line >= 1 && d.column >= 1)
            precondition(d.file == "fuzz.rules" || d.file == "<rules>")
        }
    }
}

runFuzzer(fuzzOne)
