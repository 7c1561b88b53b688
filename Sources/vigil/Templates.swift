import ArgumentParser
import Foundation
import VigilCore
#if canImport(Glibc)
import Glibc
#endif

struct Templates: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run template mining alone: one JSON object per input line.",
        discussion: """
            Mines templates from the message part of each line (the whole line when no format \
            matches) and prints {"line":N,"template_id":"tpl_…","template":"… <*> …"} in input order. \
            Numbers, ids, hex, UUIDs, IPs, paths, durations, quoted strings and key=value values \
            become <*>. Ids are derived from a template's text when it is first seen; with --state \
            they are kept across runs:

              vigil templates app.log | head
              vigil templates --state /var/lib/vigil app.log
            """
    )

    @OptionGroup var ruleOptions: RuleOptions

    @Option(help: ArgumentHelp("Directory that keeps templates across runs (read at start, written at the end).", valueName: "DIR"))
    var state: String?

    @Option(help: ArgumentHelp("Threads finding and tokenizing messages while one mines them in input order (default: the number of cores). Output is identical for any value (no format is switched off here for hitting PCRE2's match limit: each line pays at most the limit).", valueName: "N"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Argument(help: ArgumentHelp("Log files, or - for stdin (the default).", valueName: "PATH"))
    var paths: [String] = []

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let rules = try ruleOptions.load()
        let sources: [Source]
        do { sources = try SourceSet.resolve(paths.isEmpty ? ["-"] : paths) } catch { throw fail(error.description, Exit.noInput) }
        var miner = TemplateMiner()
        if let state {
            do { miner = try TemplateStateFile.load(directory: state) ?? miner } catch { throw fail(error.description, Exit.data) }
        }
        let multiple = sources.count > 1 || sources.contains { $0.files.count > 1 }
        var out = OutputBuffer()
        let sourceKeys = sources.map { multiple ? Array(",\"source\":".utf8) + JSONWriter.quoted($0.name) : [] }
        // Messages are found and tokenized on `jobs` threads; mining takes them in input order.
        let lines = PretokenizedLines(sources: sources, rules: rules, jobs: jobs)
        lines.readError = { error in FileHandle.standardError.write(Data("vigil: warning: \(error.description)\n".utf8)) }
        do {
            while let line = try lines.next() {
                let added = miner.add(line.message.baseAddress!, line.message.count, sequenceHash: line.sequenceHash).index
                miner.withJSONTail(added) { out.line(line.lineNumber, sourceKeys[line.source], $0) }
            }
        } catch {
            out.flush()
            throw fail(error.description, Exit.noInput)
        }
        out.flush()
        if let state {
            do { try TemplateStateFile.save(miner, directory: state) } catch { throw fail(error.description, Exit.io) }
        }
    }
}

/// Collects output lines and writes them to stdout in 64 KiB blocks, without a `JSONWriter` or a
/// `Data` per line.
private struct OutputBuffer {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(128 * 1024) }

    mutating func line(_ number: Int, _ sourceKey: [UInt8], _ tail: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: #"{"line":"#.utf8)
        appendDecimal(number)
        bytes.append(contentsOf: sourceKey)
        bytes.append(contentsOf: tail)
        if bytes.count >= 64 * 1024 { flush() }
    }

    private mutating func appendDecimal(_ value: Int) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = UInt(max(value, 0))
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - n] = UInt8(48 + v % 10)
                v /= 10
                n += 1
            } while v > 0
            bytes.append(contentsOf: buffer[(20 - n)...])
        }
    }

    mutating func flush() {
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = write(1, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

private extension JSONWriter {
    /// `value` as a JSON string literal.
    static func quoted(_ value: String) -> [UInt8] {
        var out: [UInt8] = [34]
        escape(value.utf8, into: &out)
        out.append(34)
        return out
    }
}
