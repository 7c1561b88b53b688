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
            their first KiB and not read twice. Several files with lines not read yet (history at \
            startup, tails written while vigil was down) are read merged by event time, as replay merges \
            sources, so none of their lines is late. `-` reads stdin until it ends, e.g. behind journalctl.

              vigil run --sink incidents.jsonl '/var/log/app/*.log'
              journalctl -f -o json --all | vigil run -

            SIGTERM or SIGINT: finish the lines read, flush, checkpoint and exit 0. SIGHUP: reload --rules; a \
            rule set with errors is refused (they are printed) and the running one kept.
            --listen 127.0.0.1:9464 serves /metrics (Prometheus text format), /healthz and /readyz; \
            binding an address other than loopback needs --listen-any as well.
            --alertmanager http://127.0.0.1:9093 (once per cluster peer) pushes incidents as \
            Alertmanager v2 alerts from a background thread, re-sent while firing and resolved with \
            their end time; alerts Alertmanager has not taken yet wait in DIR/alertmanager-spool.json \
            with --state DIR (else in memory) and are delivered when it is back.
            --notify KIND=URL (repeatable; KIND slack, teams, pagerduty, jira, servicenow, zendesk or \
            splunk; KIND:NAME=URL names a target for [route] sections) sends records to chat, paging, \
            ticketing and Splunk HEC from a thread per target, with retries; settings and secrets \
            come from --notify-option NAME.KEY=VALUE or the environment variable \
            VIGIL_NOTIFY_<NAME>_<KEY> (e.g. VIGIL_NOTIFY_PAGERDUTY_ROUTING_KEY); ticket ids are kept \
            in DIR/notify-tickets.json with --state DIR. See README.md, sidecar options.
            Both take http:// and https:// URLs; https verifies the certificate and host name \
            against the system store, or against --ca-file PEM (e.g. an internal CA) instead.
            --state DIR checkpoints at startup (once the inputs are opened, before a line is read; \
            nothing is read until that checkpoint is durable), when a file is opened, every \
            --checkpoint-interval ms and at shutdown: where every \
            file stands (inode, fingerprint of its first bytes, offset — also inside a rotated .gz), \
            the journald cursor, every window and detector state, and the committed length of the \
            sink and the tap. A restart, also after kill -9, cuts the sink and tap back to that \
            length and continues from there: no line or record lost or repeated, open incidents \
            stay open under the same ids. The commit order is sink fsync, temporary file, fsync, \
            rename, directory fsync; the previous generation is kept and used when the newest is \
            torn or corrupt.
            --journal starts `journalctl -f -o json --all` itself (with --state: --after-cursor the \
            last entry processed); --journalctl-arg passes it more, e.g. --journalctl-arg=--unit=nginx.
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

    @Option(help: ArgumentHelp("Longest wait between looks at idle inputs (inotify wakes vigil earlier when a watched file changes).", valueName: "MS"))
    var pollInterval = 100

    @Option(help: ArgumentHelp("How long a rotated or deleted file is still read after it was last written to (a writer may keep appending through its old descriptor until it reopens).", valueName: "MS"))
    var rotateWait = 5_000

    @Option(help: ArgumentHelp("Serve /metrics, /healthz and /readyz here (HOST:PORT, :PORT or PORT; default host 127.0.0.1).", valueName: "HOST:PORT"))
    var listen: String?

    @Flag(help: "Allow --listen on an address other than loopback (anyone who can reach it can read the metrics).")
    var listenAny = false

    @Option(help: ArgumentHelp("Push incidents to this Alertmanager (API v2; repeat for each cluster peer).", valueName: "URL"))
    var alertmanager: [String] = []

    @Option(help: ArgumentHelp("Seconds between re-sends of firing alerts to Alertmanager.", valueName: "SECONDS"))
    var alertResendInterval = 60.0

    @Option(help: ArgumentHelp("Send records to this target (repeatable): KIND=URL or KIND:NAME=URL; KIND is slack, teams, pagerduty, jira, servicenow, zendesk or splunk.", valueName: "KIND[:NAME]=URL"))
    var notify: [String] = []

    @Option(help: ArgumentHelp("Trust the certificate authorities in this PEM file for https:// --notify and --alertmanager URLs, instead of the system store.", valueName: "PATH"))
    var caFile: String?

    @Option(help: ArgumentHelp("A setting of a --notify target, e.g. jira.project=OPS (secrets better in VIGIL_NOTIFY_<NAME>_<KEY>).", valueName: "NAME.KEY=VALUE"))
    var notifyOption: [String] = []

    @Option(help: ArgumentHelp("Directory for state kept across restarts: checkpoints, alerts not yet delivered to Alertmanager, ticket ids of --notify targets.", valueName: "DIR"))
    var state: String?

    @Option(help: ArgumentHelp("Milliseconds between checkpoints under --state (one is also written at shutdown).", valueName: "MS"))
    var checkpointInterval = 1000

    @Option(help: ArgumentHelp("Seconds to wait for a full or failing disk under the sink or tap (inputs are held meanwhile) before giving up with exit 74.", valueName: "SECONDS"))
    var ioTimeout = 300.0

    @Flag(help: "Read the systemd journal: start `journalctl -f -o json --all`, resuming after the last entry processed (--state).")
    var journal = false

    @Option(help: ArgumentHelp("An argument for the journalctl that --journal starts (repeatable), e.g. --journalctl-arg=--unit=nginx or --journalctl-arg=--file=PATH.", valueName: "ARG"))
    var journalctlArg: [String] = []

    @Argument(help: ArgumentHelp("Files, quoted globs, or - for stdin.", valueName: "PATH|GLOB|-"))
    var inputs: [String] = []

    func validate() throws {
        if inputs.isEmpty && !journal { throw ValidationError("give at least one PATH, quoted GLOB, or - for stdin (or --journal)") }
        if journal && inputs.contains("-") { throw ValidationError("--journal reads journalctl's output: it cannot be combined with - (stdin)") }
        if checkpointInterval < 1 { throw ValidationError("--checkpoint-interval must be at least 1") }
        if ioTimeout < 0 { throw ValidationError("--io-timeout must not be negative") }
        if pollInterval < 1 { throw ValidationError("--poll-interval must be at least 1") }
        if rotateWait < 0 { throw ValidationError("--rotate-wait must not be negative") }
        for url in alertmanager where HTTPClient.Endpoint(url: url) == nil {
            throw ValidationError("--alertmanager \(url): give an http:// or https://HOST[:PORT] URL")
        }
        do { _ = try notifyTargets() } catch { throw ValidationError(error.description) }
        if alertResendInterval <= 0 { throw ValidationError("--alert-resend-interval must be positive") }
        if let listen {
            guard let address = ListenAddress(parsing: listen) else { throw ValidationError("--listen wants HOST:PORT with a numeric host, e.g. 127.0.0.1:9464") }
            if !address.isLoopback && !listenAny { throw ValidationError("--listen \(listen) is not a loopback address; add --listen-any to serve metrics beyond this machine") }
        }
    }

    func notifyTargets() throws(NotifyTarget.ConfigError) -> [NotifyTarget] {
        try NotifyTarget.targets(specs: notify, options: notifyOption, environment: ProcessInfo.processInfo.environment,
                                 hostName: ProcessInfo.processInfo.hostName)
    }

    func run() throws {
        if let caFile, let problem = Self.caFileProblem(caFile) { throw fail("--ca-file \(caFile): \(problem)", Exit.config) }
        if let state {
            do { try StateDirectory.prepare(state) } catch { throw fail(error.description, Exit.io) }
        }
        var options = LivePipeline.Options(inputs: inputs, rules: try ruleOptions.load())
        options.year = year
        options.tail = tail
        options.rotateWait = EventTime(rotateWait)
        let signals = SignalWatcher([SIGTERM, SIGINT, SIGHUP])

        // The checkpoint first: the sink and tap are cut back to what it committed before anything
        // is appended to them.
        let faults = FaultPoints(ProcessInfo.processInfo.environment["VIGIL_FAULT"])
        var store: CheckpointStore?
        var checkpoint: Checkpoint?
        if let state {
            do { store = try CheckpointStore(directory: state, faults: faults) } catch { throw fail(error.description, Exit.io) }
            checkpoint = store?.load()
            for rejected in store?.rejected ?? [] {
                warn("checkpoint not usable, \(checkpoint == nil ? "starting without one" : "using the previous generation"): \(rejected)")
            }
            if let checkpoint {
                do {
                    if let length = checkpoint.sinkLength, sink != "-" {
                        let cut = try JSONLSink.cut(path: sink, to: length)
                        if cut > 0 { warn("\(sink): cut \(cut) bytes written after the last checkpoint (they are written again)") }
                    }
                    if let length = checkpoint.tapLength, let tap { _ = try JSONLSink.cut(path: tap, to: length) }
                } catch { throw fail(error.description, Exit.io) }
            }
        }
        var journalctl: Process?
        if journal {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            var arguments = ["journalctl", "--follow", "--output=json", "--all", "--no-pager"]
            if let cursor = checkpoint?.inputs.journalCursor {
                if Self.journalAccepts(cursor: cursor, arguments: journalctlArg) {
                    arguments.append("--after-cursor=" + cursor)
                } else {
                    // A cursor of another boot or a vacuumed journal (RELIABILITY J2): continue from
                    // the time of the last entry processed; entries of that same second come again.
                    let since = (checkpoint?.inputs.anchorEventTime ?? checkpoint!.writtenAt) / 1000
                    warn("the journal cursor of the checkpoint is not valid for this journal; continuing --since=@\(since)")
                    arguments.append("--since=@\(since)")
                }
            } else {
                arguments.append(tail ? "--lines=0" : "--lines=all")
            }
            // Under setpriv --pdeathsig, journalctl dies with vigil even after a kill -9 (else it
            // lingers until its next write fails).
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
                process.arguments = ["setpriv", "--pdeathsig", "KILL", "--"] + arguments + journalctlArg
            } else {
                process.arguments = arguments + journalctlArg
            }
            let pipe = Pipe()
            process.standardOutput = pipe
            do { try process.run() } catch { throw fail("cannot start journalctl: \(error)", Exit.config) }
            journalctl = process
            options.inputs.append("-")
            options.streamFD = pipe.fileHandleForReading.fileDescriptor
            options.streamName = "journal"
        }
        defer { journalctl?.terminate() }
        let output: JSONLSink
        let tapOutput: JSONLSink?
        do {
            output = try JSONLSink(path: sink, append: true)
            tapOutput = try tap.map { try JSONLSink(path: $0, append: true) }
        } catch { throw fail("\(error)", Exit.io) }

        // /metrics starts first and stops last (STYLE 13).
        let metrics = listen.map { _ in LiveMetrics(window: options.rules.window) }
        metrics?.reloaded(successfully: true, at: Double(WallClock.now()) / 1000)
        let endpoint = MetricsEndpoint()
        var server: HTTPServer?
        if let listen, let address = ListenAddress(parsing: listen) {
            do { server = try HTTPServer(address: address) { endpoint.respond(path: $0) } } catch { throw fail("\(error)", Exit.config) }
            server?.start()
        }
        defer { server?.stop() }
        var pusher: AlertmanagerPusher?
        if !alertmanager.isEmpty {
            var pushOptions = AlertmanagerPusher.Options(urls: alertmanager.compactMap { HTTPClient.Endpoint(url: $0) })
            pushOptions.resendInterval = alertResendInterval
            pushOptions.caFile = caFile
            if let state {
                do { try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true) } catch { throw fail("--state \(state): \(error)", Exit.io) }
                pushOptions.spoolPath = state + "/alertmanager-spool.json"
            }
            pusher = AlertmanagerPusher(options: pushOptions)
            pusher?.start()
        }
        defer { pusher?.stop() }
        var notifier: NotifyDispatcher?
        if !notify.isEmpty {
            let targets: [NotifyTarget]
            do { targets = try notifyTargets() } catch { throw fail(error.description, Exit.usage) }
            let router: NotifyRouter
            do { router = try NotifyRouter(routes: options.rules.routes, targets: targets) } catch { throw fail(error.description, Exit.config) }
            var notifyOptions = NotifyDispatcher.Options(router: router)
            notifyOptions.caFile = caFile
            if let state {
                do { try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true) } catch { throw fail("--state \(state): \(error)", Exit.io) }
                notifyOptions.ticketsPath = state + "/notify-tickets.json"
            }
            notifier = NotifyDispatcher(options: notifyOptions)
            notifier?.start()
        }
        defer { notifier?.stop() }
        let tapLine: ((LivePipeline.TapLine) -> Void)?
        switch (tapOutput, metrics) {
        case let (tap?, metrics?): tapLine = { line in tap.append(TapEncoder.encode(line)); metrics.observe(line) }
        case let (tap?, nil): tapLine = { line in tap.append(TapEncoder.encode(line)) }
        case let (nil, metrics?): tapLine = { metrics.observe($0) }
        case (nil, nil): tapLine = nil
        }
        let pipeline = LivePipeline(options: options, sink: { record in
            var stamped = record
            stamped.emittedAt = WallClock.now()
            output.append(RecordEncoder.encode(stamped))
            metrics?.observe(record)
            pusher?.enqueue(record)
            notifier?.enqueue(stamped)
        }, tap: tapLine)
        if let checkpoint {
            for problem in pipeline.restore(checkpoint, now: WallClock.now()) { warn(problem) }
            metrics?.restoreOpenIncidents(pipeline.openIncidents)
            output.flush()
            tapOutput?.flush()
        }

        // The inputs are opened (not read) before the first commit, so that it names every file
        // followed (RELIABILITY C6).
        pipeline.openInputs(now: WallClock.now())

        // A commit: sink and tap durable first, then the checkpoint that names their lengths.
        // It fails closed (the previous one stays); failing for a minute is an I/O error (74).
        // Returns whether a checkpoint is durable now (true also when there was nothing to write).
        var lastCommit: EventTime = WallClock.now()
        var committedAt: (lines: Int, records: Int64?, tap: Int64?, opened: Int) = (-1, nil, nil, -1)
        var failingSince: EventTime?
        var checkpointFailures = 0
        var lastCommitCost: EventTime = 0
        var committedWallTime: EventTime = 0
        // Whether a checkpoint is known durable (loaded at start, or committed by this run).
        var durable = checkpoint != nil
        @discardableResult
        func commit(now: EventTime, force: Bool) throws -> Bool {
            guard let store else { return true }
            // A large state (thousands of services) costs more to write: at most 10 % of the time goes to it.
            // A file opened (or archive read) since the last commit is named soon, without waiting
            // for the interval: rotated away while vigil is down, it is found only by its inode.
            let opened = pipeline.inputsOpened
            guard force || now - lastCommit >= max(EventTime(checkpointInterval), 10 * lastCommitCost)
                    || (opened != committedAt.opened && now - lastCommit >= 10 * lastCommitCost) else { return false }
            // A stalled sink has records not written yet: nothing of that may be acknowledged.
            guard output.stalled == nil, tapOutput?.stalled == nil else { return false }
            lastCommit = now
            let lines = pipeline.counters.linesRead
            // Nothing new since the last commit: nothing to write (and no fsync).
            if !force, committedAt.lines == lines, committedAt.records == output.length, committedAt.tap == tapOutput?.length,
               committedAt.opened == opened { return true }
            faults.reached(.afterSinkWrite)
            let sinkLength = output.sync()
            let tapLength = tapOutput?.sync()
            if let error = output.error ?? tapOutput?.error { throw fail(error, Exit.io) }
            faults.reached(.afterSinkFsync)
            var next = Checkpoint(inputs: pipeline.inputsState, aggregator: pipeline.aggregatorSnapshot)
            next.writtenAt = now
            next.sinkLength = sinkLength
            next.tapLength = tapLength
            do {
                defer { lastCommitCost = WallClock.now() - now }
                try store.commit(next)
                committedAt = (lines, sinkLength, tapLength, opened)
                committedWallTime = now
                failingSince = nil
                durable = true
                return true
            } catch {
                warn("checkpoint not written (\(durable ? "the previous one stays" : "none is durable yet: inputs are held until one is")): \(error.description)")
                checkpointFailures += 1
                let since = failingSince ?? now
                failingSince = since
                if now - since >= 60_000 { throw fail("checkpoints have failed for a minute: \(error.description)", Exit.io) }
                return false
            }
        }
        // At once: a crash before the first periodic commit must still cut back what it wrote.
        // Nothing is read before a checkpoint is durable (RELIABILITY C7): no output may be written
        // that no checkpoint can cut back. (A restored run's output so far is cut back by the
        // checkpoint it was restored from.) Retried every interval (at most a second), for at
        // most a minute.
        while try !commit(now: WallClock.now(), force: true) {
            if signals.pending().contains(where: { $0 != SIGHUP }) {
                throw fail("stopped before a checkpoint could be written", Exit.io)
            }
            usleep(useconds_t(min(checkpointInterval, 1000)) * 1000)
        }

        // Windowed quantiles merge per-step sketches: at most twice a second, not on every poll.
        var lastPublish: EventTime = 0
        func publishMetrics(now: EventTime) {
            guard let metrics, now - lastPublish >= 500 else { return }
            lastPublish = now
            // Not ready while the inputs are held by a full or failing disk under the sink or tap.
            let held = output.stalled != nil || tapOutput?.stalled != nil
            var snapshot = metrics.snapshot(files: pipeline.followedFiles, rotations: pipeline.rotations,
                                            truncations: pipeline.truncations, ready: !held,
                                            alerts: pusher.map { ($0.currentStats.pushes, $0.currentStats.queued) })
            snapshot.truncationsUnrecovered = pipeline.truncationsUnrecovered
            snapshot.truncationRecoveredBytes = pipeline.truncationRecoveredBytes
            snapshot.generationsLost = pipeline.generationsLost
            snapshot.nulBytesSkipped = pipeline.counters.nulBytesSkipped
            snapshot.checkpointCommits = store?.commits ?? 0
            snapshot.checkpointFailures = checkpointFailures
            snapshot.checkpointTimestamp = Double(committedWallTime) / 1000
            snapshot.checkpointsRejected = store?.rejected.count ?? 0
            snapshot.inputsPaused = held
            snapshot.notify = notifier?.stats ?? [:]
            endpoint.publish(snapshot)
        }

        // journalctl ended (its output did): one that failed (a relative --file= path, a bad
        // option; its own message is on stderr above) is reported, and ends vigil non-zero when
        // the journal was its only input; with files too, they are still followed.
        var journalFailure: String?
        var journalChecked = false
        func checkJournal() {
            guard let journalctl, pipeline.stdinEnded, !journalChecked else { return }
            journalChecked = true
            for _ in 0..<100 where journalctl.isRunning { usleep(10_000) }
            guard !journalctl.isRunning, journalctl.terminationReason == .exit, journalctl.terminationStatus != 0 else { return }
            journalFailure = "\((["journalctl"] + journalctlArg).joined(separator: " ")) exited with status \(journalctl.terminationStatus)"
            if !inputs.isEmpty { warn("\(journalFailure!); the journal is not read, the files still are") }
        }

        let waiter = ChangeWaiter(inputs: options.inputs, streamFD: options.inputs.contains("-") ? options.streamFD : nil, wakers: [signals.fd])
        var lastTick: EventTime = 0
        var warned = 0
        var stalledSince: EventTime?
        loop: while true {
            let now = WallClock.now()
            var processed = 0
            if let stall = output.stalled ?? tapOutput?.stalled {
                // Disk full or failing under the sink: inputs are held where they are (nothing
                // more is read, no window closes) until the buffered records can be written.
                if stalledSince == nil { warn("\(stall); holding the inputs until it can be written (--io-timeout \(Int(ioTimeout)) s)") }
                let since = stalledSince ?? now
                stalledSince = since
                if Double(now - since) >= ioTimeout * 1000 { throw fail("\(stall) for \(Int(ioTimeout)) s; giving up (the checkpoint holds what was written)", Exit.io) }
            } else {
                if stalledSince != nil { warn("the sink is writable again; going on") }
                stalledSince = nil
                do { processed = try pipeline.poll(now: now) } catch { throw fail(error.description, Exit.io) }
                if now - lastTick >= 1000 || processed == 0 {
                    pipeline.tick(now: now)
                    lastTick = now
                }
            }
            // Records reach the sink before we wait again (detection latency is the poll, not a buffer).
            output.flush()
            tapOutput?.flush()
            if let error = output.error ?? tapOutput?.error { throw fail(error, Exit.io) }
            try commit(now: now, force: false)
            publishMetrics(now: now)
            // Problems with inputs (unreadable, refused paths), each once as it happens.
            for problem in pipeline.counters.sourceErrors.dropFirst(warned) {
                FileHandle.standardError.write(Data("vigil run: warning: \(problem)\n".utf8))
            }
            warned = pipeline.counters.sourceErrors.count
            for signal in signals.pending() {
                switch signal {
                case SIGHUP:
                    do {
                        let rules = try ruleOptions.loadForReload()
                        // Routes must name --notify targets; a set whose routes do not is refused whole.
                        let router = try notifier.map { try NotifyRouter(routes: rules.routes, targets: $0.options.router.targets) }
                        try pipeline.reload(rules: rules)
                        if let router { notifier?.update(router: router) }
                        FileHandle.standardError.write(Data("vigil run: rules reloaded\n".utf8))
                        metrics?.reloaded(successfully: true, at: Double(WallClock.now()) / 1000)
                    } catch {
                        metrics?.reloaded(successfully: false, at: 0)
                        FileHandle.standardError.write(Data("vigil run: reload refused, keeping the running rules:\n\(error)\n".utf8))
                    }
                default:
                    break loop
                }
            }
            if journal { checkJournal() }
            if inputs == ["-"] || (journal && inputs.isEmpty), pipeline.stdinEnded { break }
            if processed == 0 { waiter.wait(milliseconds: pollInterval, streamOpen: !pipeline.stdinEnded) }
        }
        pipeline.finish()
        output.flush()
        tapOutput?.flush()
        if let stall = output.stalled ?? tapOutput?.stalled {
            throw fail("stopping with records not written: \(stall) (the checkpoint holds what was written)", Exit.io)
        }
        try commit(now: WallClock.now(), force: true)
        if inputs.isEmpty, let journalFailure { throw fail("\(journalFailure) (its message is above)", Exit.noInput) }
        FileHandle.standardError.write(Data(("vigil run: \(pipeline.counters.summary); \(pipeline.rotations) rotations, "
            + "\(pipeline.truncations) truncations (\(pipeline.truncationRecoveredBytes) bytes read from copies, "
            + "\(pipeline.truncationsUnrecovered) with no copy), \(pipeline.generationsSkipped) generations already read\n").utf8))
    }
}

extension Run {
    /// Why `--ca-file` cannot serve, or nil. Checked at startup: otherwise every https delivery
    /// would fail later, on a delivery thread, with only a counter and a log line to show for it.
    static func caFileProblem(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return "cannot be read" }
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            return "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        }
        return nil
    }

    /// Whether the journal holds the entry `cursor` names. journalctl exits 1 for a cursor it
    /// cannot parse, but seeks to the nearest entry for one of another journal (another boot, a
    /// vacuumed or replaced file) and exits 0 — and `--after-cursor` then skips that entry
    /// unread. So the entry at the cursor is fetched and its `__CURSOR` compared.
    static func journalAccepts(cursor: String, arguments: [String]) -> Bool {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["journalctl", "--cursor=" + cursor, "--lines=1", "--output=json", "--no-pager"] + arguments
        let output = Pipe()
        check.standardOutput = output
        check.standardError = FileHandle.nullDevice
        do { try check.run() } catch { return false }
        let entry = output.fileHandleForReading.readDataToEndOfFile()
        check.waitUntilExit()
        return check.terminationStatus == 0 && String(decoding: entry, as: UTF8.self).contains("\"__CURSOR\":\"\(cursor)\"")
    }
}

private func warn(_ message: String) {
    FileHandle.standardError.write(Data("vigil run: \(message)\n".utf8))
}
