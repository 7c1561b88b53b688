import ArgumentParser
import Foundation
import VigilCore

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Live mode: follow log files and stdin, and write incidents as they happen.",
        discussion: """
            Follows each PATH as it grows, through rename rotation (the old file is read to its end \
            first) and copytruncate (the copy's unread tail is read, the file again from its start). \
            Quoted globs are expanded by vigil and looked at again every second, so new files are \
            picked up; rotated and compressed generations of a file already read are recognised by \
            their first KiB and not read twice. `-` reads stdin until it ends, e.g. behind journalctl.

              vigil run --sink incidents.jsonl '/var/log/app/*.log'
              journalctl -f -o json --all | vigil run -

            SIGTERM or SIGINT: finish the lines read, flush and exit 0. SIGHUP: reload --rules; a \
            rule set with errors is refused (they are printed) and the running one kept.
            Not yet: --state checkpoints (a restart reads files from their start, or their end with \
            --tail), --journal, --listen.
            """
    )

    @OptionGroup var ruleOptions: RuleOptions

    @Option(help: ArgumentHelp("Where records go: a file (appended to), or - for stdout.", valueName: "FILE|-"))
    var sink = "-"

    @Option(help: ArgumentHelp("Also write every line read, as `vigil parse` prints it with its source, line number and offset.", valueName: "FILE"))
    var tap: String?

    @Flag(help: "Start files present at startup at their end (files that appear later are read whole).")
    var tail = false

    @Option(help: ArgumentHelp("Year for syslog timestamps, which carry none.", valueName: "YYYY"))
    var year: Int?

    @Option(help: ArgumentHelp("Milliseconds between looks at the inputs when they are idle.", valueName: "MS"))
    var pollInterval = 100

    @Argument(help: ArgumentHelp("Files, quoted globs, or - for stdin.", valueName: "PATH|GLOB|-"))
    var inputs: [String] = []

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one PATH, quoted GLOB, or - for stdin") }
        if pollInterval < 1 { throw ValidationError("--poll-interval must be at least 1") }
    }

    func run() throws {
        var options = LivePipeline.Options(inputs: inputs, rules: try ruleOptions.load())
        options.year = year
        options.tail = tail
        let signals = SignalWatcher([SIGTERM, SIGINT, SIGHUP])
        let output: AppendingSink
        let tapOutput: AppendingSink?
        do {
            output = try AppendingSink(path: sink)
            tapOutput = try tap.map { try AppendingSink(path: $0) }
        } catch { throw fail("\(error)", Exit.io) }

        let pipeline = LivePipeline(options: options, sink: { record in
            var stamped = record
            stamped.emittedAt = WallClock.now()
            output.append(RecordEncoder.encode(stamped))
        }, tap: tapOutput.map { tap in { line in tap.append(TapEncoder.encode(line)) } })

        var lastTick: EventTime = 0
        loop: while true {
            let now = WallClock.now()
            let processed: Int
            do { processed = try pipeline.poll(now: now) } catch { throw fail(error.description, Exit.io) }
            if now - lastTick >= 1000 || processed == 0 {
                pipeline.tick(now: now)
                lastTick = now
            }
            // Records reach the sink before we wait again (detection latency is the poll, not a buffer).
            output.flush()
            tapOutput?.flush()
            if let error = output.error ?? tapOutput?.error { throw fail(error, Exit.io) }
            for signal in signals.pending() {
                switch signal {
                case SIGHUP:
                    do {
                        try pipeline.reload(rules: try ruleOptions.loadForReload())
                        FileHandle.standardError.write(Data("vigil run: rules reloaded\n".utf8))
                    } catch {
                        FileHandle.standardError.write(Data("vigil run: reload refused, keeping the running rules:\n\(error)\n".utf8))
                    }
                default:
                    break loop
                }
            }
            if inputs == ["-"], pipeline.stdinEnded { break }
            if processed == 0 { usleep(useconds_t(pollInterval) * 1000) }
        }
        pipeline.finish()
        output.flush()
        tapOutput?.flush()
        FileHandle.standardError.write(Data(("vigil run: \(pipeline.counters.summary); \(pipeline.rotations) rotations, "
            + "\(pipeline.truncations) truncations (\(pipeline.truncationRecoveredBytes) bytes read from copies, "
            + "\(pipeline.truncationsUnrecovered) with no copy), \(pipeline.generationsSkipped) generations already read\n").utf8))
    }
}
