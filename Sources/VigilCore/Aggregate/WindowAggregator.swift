import Foundation

/// The aggregator stage: events in (event time), step buckets per service, and at each step that
/// falls behind the watermark, the detectors. Time only ever comes from the events (`add`) or
/// from the caller (`finish`), never from a clock, so replay is deterministic.
public final class WindowAggregator {
    private var engine: DetectorEngine
    private let stepMs: EventTime
    private let lateness: EventTime
    private let maxJump: EventTime
    /// A line more than `max_jump` ahead of the newest event, held until the next line tells a
    /// clock error (the next line is back: the held one is dropped) from a stream that moved on
    /// after a quiet spell (the next line is ahead too: the held one is added first).
    private var held: HeldLine?
    /// Held lines that turned out to be clock errors and were left out (the callers had counted
    /// them as parsed; they move them to `future`).
    public private(set) var heldLinesDropped = 0
    /// Event time the caller vouches for (`vigil run`: the newest event time moved on with the wall
    /// clock, plus `max_jump`). When set, a line beyond it is a clock error at once, with no wait
    /// for the next line.
    public var vouchedEventTime: EventTime?
    private let ringSize: Int
    private var table = ServiceTable()
    private var services: [ServiceWindow] = []
    /// The same windows, not owned (see `accept`).
    private var unretainedServices: [Unmanaged<ServiceWindow>] = []
    private var sortedServices: [ServiceWindow] = []
    private var maxTs: EventTime = .min
    /// The first step not yet closed; every step before it has been evaluated.
    private var nextStep: Int64 = .min
    private let emit: (Record) -> Void
    private let changeRecognizer: ChangeRecognizer
    /// Some change rule has no keyword, so every line goes to the recogniser.
    private let everyLineMayBeAChange: Bool
    private let changeLog: ChangeLog
    private let novelty: NoveltyTracker?
    private let recurrence: RecurrenceTracker
    private let problemExpiry: EventTime
    /// The services evaluated on a step (kept to reuse its storage).
    private var activeBuffer: [ServiceWindow] = []
    /// Changes waiting for their verdict.
    private var verifier: ChangeVerifier

    /// Lines dropped because their step had already been closed.
    public private(set) var lateLines = 0
    /// Events of services beyond `max_services`, aggregated under `other`.
    public private(set) var overflowEvents = 0
    private let maxServices: Int
    private var overflowId: Int?
    /// Services seen so far.
    public var serviceCount: Int { services.count }

    /// - Parameter novelty: templates, learned templates and problems kept from an earlier run (`--state`).
    public init(rules: RuleSet, novelty state: NoveltyState = NoveltyState(), emit: @escaping (Record) -> Void) {
        changeLog = ChangeLog(lookback: rules.window.changeLookback)
        verifier = ChangeVerifier(rules: rules)
        changeRecognizer = ChangeRecognizer(rules: rules.changes)
        everyLineMayBeAChange = changeRecognizer.keywordSet.hasUnconditional
        novelty = rules.detectors.contains { $0.type == .novelty } ? NoveltyTracker(rules: rules, state: state) : nil
        recurrence = RecurrenceTracker(minIncidents: rules.window.problemRecurrence, persisted: state.problems)
        problemExpiry = rules.window.problemExpiry
        engine = DetectorEngine(rules: rules, changes: changeLog, novelty: novelty, recurrence: recurrence)
        stepMs = rules.window.step
        lateness = rules.window.lateness
        maxJump = rules.window.maxJump
        // Window steps, the steps still open within the lateness, and one spare.
        maxServices = rules.window.maxServices
        ringSize = Int(rules.window.window / rules.window.step) + Int((rules.window.lateness + rules.window.step - 1) / rules.window.step) + 2
        self.emit = emit
    }

    @inline(__always) private func stepOf(_ ts: EventTime) -> Int64 {
        // Nearly every event falls in one of the first steps still open: comparing with their bounds
        // is cheaper than a 64-bit division (several per event).
        if nextStep >= 0, nextStep < 1 << 40, stepMs < 1 << 22 {  // (no overflow below)
            var end = (nextStep + 1) * stepMs
            if ts >= end - stepMs {
                for s in nextStep..<(nextStep + 4) {
                    if ts < end { return s }
                    end += stepMs
                }
            }
        }
        return ts >= 0 ? ts / stepMs : (ts - stepMs + 1) / stepMs
    }

    /// What `add` did with an event.
    public enum Outcome { case kept, late, future }

    /// Adds one parsed event. It is not counted when late (its step is closed) or taken for a clock
    /// error (`future`). `evidence` is called only when the line is kept as a sample.
    @discardableResult
    public func add(_ line: ParsedLine, evidence: () -> Evidence) -> Outcome {
        if held != nil, vouchedEventTime != nil { decideHeld() }
        let jumps = Self.jumps(line.ts, after: maxTs, by: maxJump)
        if let vouched = vouchedEventTime {
            if jumps, line.ts > vouched { return .future }
        } else if let waiting = held {
            held = nil
            if jumps {
                _ = accept(waiting.line, evidence: { waiting.evidence })  // the stream moved on: in order
            } else {
                heldLinesDropped += 1                                     // it was a clock error
            }
        } else if jumps {
            held = HeldLine(line, evidence: evidence())
            return .kept
        }
        return accept(line, evidence: evidence)
    }

    /// Whether `ts` lies more than `maxJump` after `newest` (never after no event at all).
    @inline(__always)
    static func jumps(_ ts: EventTime, after newest: EventTime, by maxJump: EventTime) -> Bool {
        guard newest != .min, ts > newest else { return false }
        let ahead = ts.subtractingReportingOverflow(newest)
        return ahead.overflow || ahead.partialValue > maxJump
    }

    /// Decides a held line by the time the caller vouches for (`vigil run` after its first lines:
    /// a line held before the wall clock could vouch must not wait for a next line that may be
    /// long in coming): kept up to it, a clock error beyond.
    public func decideHeld() {
        guard let waiting = held, let vouched = vouchedEventTime else { return }
        held = nil
        if waiting.line.ts <= vouched {
            _ = accept(waiting.line, evidence: { waiting.evidence })
        } else {
            heldLinesDropped += 1
        }
    }

    private func accept(_ line: ParsedLine, evidence: () -> Evidence) -> Outcome {
        let step = stepOf(line.ts)
        if nextStep != .min, step < nextStep { lateLines += 1; return .late }
        if nextStep == .min { nextStep = step }

        // A line a ring or more ahead of the first step still open (a quiet gap) would land in a
        // ring slot that still holds a step not yet evaluated, and empty it: evaluate those first.
        if nextStep != .min, step >= nextStep + Int64(ringSize), line.ts > maxTs {
            close(through: stepOf(line.ts - lateness) - 1, previousData: stepOf(maxTs), newData: step)
        }

        let service = line.service!
        let id: Int
        if let (known, isNew) = table.intern(service.baseAddress!, service.count, allowNew: services.count < maxServices) {
            id = known
            if isNew { addService(named: table.names[id]) }
        } else {
            overflowEvents += 1
            if overflowId == nil {
                overflowId = services.count
                addService(named: "other")
            }
            id = overflowId!
        }
        // `services` owns every window for the aggregator's life (it only grows); borrowing the
        // window through `unretainedServices` spares each line a retain and a release.
        return unretainedServices[id]._withUnsafeGuaranteedRef { window in
            accept(line, step: step, into: window, evidence: evidence)
        }
    }

    @inline(__always)
    private func accept(_ line: ParsedLine, step: Int64, into window: ServiceWindow, evidence: () -> Evidence) -> Outcome {
        let isError = line.isError
        let index = window.record(step: step, isError: isError, latencyMs: line.latencyMs)
        if isError { window.addErrorSample(at: index, evidence) }
        if line.latencyMs >= 0 { window.addSlowSample(at: index, ms: line.latencyMs, evidence) }
        if line.ts < window.firstEventTime { window.firstEventTime = line.ts }
        // Cheap tests first: binding `novelty` or reading through `changeRecognizer` costs each
        // line a retain and a release, and most lines are neither warnings nor changes.
        if line.level >= .warning, let novelty, let message = line.message {
            novelty.observe(window, message: message, ts: line.ts, step: step, bucket: index, evidence: evidence)
        }
        if line.changeKeywords != 0 || everyLineMayBeAChange, let message = line.message,
           var change = changeRecognizer.recognise(message, present: line.changeKeywords, lineService: window.name, at: line.ts) {
            change.evidence = evidence()
            addChange(change)
        }

        if line.ts > maxTs {
            let previous = maxTs
            maxTs = line.ts
            // Most events close no step (`close` would do nothing): tell without dividing.
            if nextStep >= 0, nextStep < 1 << 40, stepMs < 1 << 22, maxTs - lateness < (nextStep + 1) * stepMs { return .kept }
            close(through: stepOf(maxTs - lateness) - 1, previousData: previous == .min ? step : stepOf(previous), newData: step)
        }
        return .kept
    }

    /// Records a change (from a log line or a `--changes` feed) and writes its record at once, so it
    /// precedes the incidents that the same event time lets close.
    public func addChange(_ change: ChangeEvent) {
        changeLog.add(change)
        emit(change.record)
        verifier.add(change, service: window(named: change.service), step: stepOf(change.time))
    }

    /// SIGHUP: swaps in new detectors, keeping the windows and the state of every detector that
    /// still exists under the same id and type (an open incident stays open). Window settings
    /// cannot change while running; that is refused.
    public func reload(rules: RuleSet) throws(RuleSetError) {
        guard rules.window.window == engine.rules.window.window, rules.window.step == stepMs, rules.window.lateness == lateness else {
            throw RuleSetError(diagnostics: [Diagnostic(file: "[defaults]", line: 1, column: 1,
                message: "window, step and lateness cannot change while running; restart vigil to change them")])
        }
        let old = engine
        engine = DetectorEngine(rules: rules, changes: changeLog, novelty: novelty, recurrence: recurrence)
        let waiting = verifier.snapshot
        verifier = ChangeVerifier(rules: rules)
        verifier.restore(waiting)
        for service in services {
            var states = engine.makeStates(for: service.name)
            for (i, rule) in rules.detectors.enumerated() {
                if let j = old.rules.detectors.firstIndex(where: { $0.id == rule.id && $0.type == rule.type }) {
                    states[i] = service.detectors[j]
                }
            }
            service.detectors = states
        }
    }

    /// The window of the service named `name` (binary search of `sortedServices`), nil if unseen.
    private func window(named name: String) -> ServiceWindow? {
        var low = 0, high = sortedServices.count
        while low < high {
            let mid = (low + high) / 2
            if sortedServices[mid].name < name { low = mid + 1 } else { high = mid }
        }
        return low < sortedServices.count && sortedServices[low].name == name ? sortedServices[low] : nil
    }

    private func addService(named name: String) {
        let window = ServiceWindow(name: name, ringSize: ringSize, detectors: engine.makeStates(for: name))
        novelty?.prepare(window)
        services.append(window)
        unretainedServices.append(Unmanaged.passUnretained(window))
        let position = sortedServices.firstIndex { $0.name > name } ?? sortedServices.count
        sortedServices.insert(window, at: position)
    }

    /// Live mode: event time has moved on without events (a quiet period); close the steps the
    /// given watermark has passed. The caller derives it from the wall clock (see `LivePipeline`).
    public func advance(watermark: EventTime) {
        guard nextStep != .min else { return }
        let last = stepOf(watermark) - 1
        guard last >= nextStep else { return }
        let newest = maxTs == .min ? last : stepOf(maxTs)
        close(through: last, previousData: newest, newData: max(newest, last))
    }

    /// What to keep under `--state` for the next run: templates and learned templates (with a
    /// novelty detector) and every problem candidate reported.
    public var noveltyState: NoveltyState? {
        var state = novelty?.state(services: services) ?? NoveltyState()
        // Recurrence keeps single incidents too: the next run may bring the second one.
        state.problems += recurrence.problems.values.sorted { $0.id < $1.id }
        return state
    }

    /// Incidents firing now, by id (for `/metrics` after a restart).
    public var openIncidents: [String: Severity] {
        var open: [String: Severity] = [:]
        for service in services {
            for state in service.detectors {
                for machine in state.machines { if case .firing(let o) = machine.phase { open[o.incidentId] = o.severity } }
            }
        }
        return open
    }

    /// The newest event time seen.
    public var newestEventTime: EventTime? { maxTs == .min ? nil : maxTs }

    /// End of input: every step that the newest event has passed is closed. The step holding the
    /// newest event stays open (it is incomplete), and open incidents stay open.
    public func finish() {
        // A line still held at the end has nothing after it to vouch for it: a clock error.
        if held != nil { held = nil; heldLinesDropped += 1 }
        guard maxTs != .min else { return }
        close(through: stepOf(maxTs) - 1, previousData: stepOf(maxTs), newData: stepOf(maxTs))
    }

    /// Closes steps up to and including `last`. Across a long stretch with no data at all, the empty
    /// steps change nothing, so they are skipped rather than evaluated one by one.
    private func close(through last: Int64, previousData: Int64, newData: Int64) {
        // `evaluate` does not change the engine: one copy here, not one (retaining all its parts)
        // per service and step, which was most of the time with thousands of idle services.
        let engine = self.engine
        let verifier = self.verifier
        let write = self.emit
        // Incidents opened after a change make its verdict degraded.
        let emit: (Record) -> Void = { record in
            if record.kind == .incident, record.event == .opened { verifier.noted(record) }
            write(record)
        }
        let windowSteps = Int64(engine.windowSteps)
        var active = activeBuffer
        defer { activeBuffer = active }
        while nextStep <= last {
            if nextStep > previousData + Int64(ringSize) + 1, nextStep < newData - Int64(ringSize) {
                nextStep = min(last, newData - Int64(ringSize))
            }
            // Services with nothing in their window and nothing open or pending have nothing to
            // decide (most of a large fleet at any step): one scan finds the others.
            active.removeAll(keepingCapacity: true)
            for service in sortedServices where service.anyDetectorActive || service.lastEventStep > nextStep - windowSteps {
                active.append(service)
            }
            let load = engine.loadFactor(active, step: nextStep)
            for service in active { engine.evaluate(service, step: nextStep, fleetLoad: load, emit: emit) }
            let step = nextStep
            verifier.stepClosed(step, lookup: window(named:), emit: emit) { type, pending in
                window(named: pending.change.service).flatMap {
                    engine.openForVerdict(type, change: pending.change, startedStep: pending.changeStep + 1, $0, step: step, emit: emit)
                }
            }
            expireProblems(at: (nextStep + 1) * stepMs)
            nextStep += 1
        }
    }

    /// Problem candidates not seen for `problem_expiry` before `watermark` get their `expired` record.
    private func expireProblems(at watermark: EventTime) {
        func due(_ p: ProblemCandidate) -> Bool { p.seq > 0 && !p.expired && p.lastSeen + problemExpiry <= watermark }
        let expiring = (novelty?.allProblems.values.filter(due) ?? []) + recurrence.problems.values.filter(due)
        recurrence.forget(seenBefore: watermark - problemExpiry)
        for problem in expiring.sorted(by: { $0.id < $1.id }) {
            emit(problem.record(at: watermark, expiring: true))
            problem.reported()
            problem.expired = true
        }
    }
}

/// The windows and every detector's state as a checkpoint keeps them (`vigil run --state`).
public struct AggregatorSnapshot: Codable, Sendable {
    /// Window settings the snapshot was made with: a restore under other settings is refused.
    var step: EventTime
    var window: EventTime
    var lateness: EventTime
    /// `id/type` of each detector rule, in rule order, so states follow their rule across edits.
    var detectorKeys: [String]
    var maxTs: EventTime
    var nextStep: Int64
    var lateLines: Int
    var overflowEvents: Int
    var overflowId: Int?
    /// Each service's name as raw bytes (nil for `other`), in id order.
    var serviceKeys: [Data?]
    var services: [ServiceWindow.Snapshot]
    var problems: [ProblemCandidate.Snapshot]
    var novelty: NoveltyTracker.Snapshot?
    var recurrence: RecurrenceTracker.Snapshot
    var changes: [String: [ChangeEvent]]
    var verifications: [ChangeVerifier.Pending]
}

extension WindowAggregator {
    private static func detectorKey(_ rule: DetectorRule) -> String { rule.id + "/" + rule.type.rawValue }

    /// Everything needed to continue exactly where this aggregator is.
    public func snapshot() -> AggregatorSnapshot {
        let registry = ProblemRegistry()
        var keys: [Data?] = Array(repeating: nil, count: services.count)
        for (i, key) in table.keys.enumerated() { keys[i] = Data(key) }
        let serviceData = services.map { $0.snapshot(registry) }
        let noveltyData = novelty.map { $0.snapshot(registry) }
        let recurrenceData = recurrence.snapshot(registry)
        return AggregatorSnapshot(step: stepMs, window: engine.rules.window.window, lateness: lateness,
                                  detectorKeys: engine.rules.detectors.map(Self.detectorKey), maxTs: maxTs, nextStep: nextStep,
                                  lateLines: lateLines, overflowEvents: overflowEvents, overflowId: overflowId, serviceKeys: keys,
                                  services: serviceData, problems: registry.snapshots, novelty: noveltyData,
                                  recurrence: recurrenceData, changes: changeLog.snapshot, verifications: verifier.snapshot)
    }

    /// Continues from `snapshot` (a fresh aggregator only). Detector states are matched to the
    /// running rules by id and type; a rule that is new starts fresh.
    public func restore(_ s: AggregatorSnapshot) throws(CheckpointError) {
        guard services.isEmpty, nextStep == .min else { throw CheckpointError("restore into a used aggregator") }
        guard s.step == stepMs, s.window == engine.rules.window.window, s.lateness == lateness else {
            throw CheckpointError("the checkpoint was made with other window, step or lateness settings")
        }
        guard s.serviceKeys.count == s.services.count else { throw CheckpointError("inconsistent services") }
        let registry = ProblemRegistry(restoring: s.problems)
        if let novelty {
            guard let saved = s.novelty else { throw CheckpointError("the checkpoint has no novelty state") }
            try novelty.restore(saved, registry: registry)
        }
        try recurrence.restore(s.recurrence, registry: registry)
        changeLog.restore(s.changes)
        verifier.restore(s.verifications)
        let rules = engine.rules
        let oldIndex = Dictionary(s.detectorKeys.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, saved) in s.services.enumerated() {
            guard saved.ring.count == ringSize, saved.detectors.count == s.detectorKeys.count else {
                throw CheckpointError("service \(saved.name): ring or detectors do not match the rules")
            }
            var states = engine.makeStates(for: saved.name)
            for (r, rule) in rules.detectors.enumerated() {
                if let j = oldIndex[Self.detectorKey(rule)], saved.detectors[j].machines.count == states[r].machines.count { states[r] = saved.detectors[j] }
            }
            let window = try ServiceWindow(snapshot: saved, detectors: states, registry: registry)
            if let key = s.serviceKeys[i] {
                var bytes = [UInt8](key)
                bytes.append(0)  // a valid pointer even for an empty name
                let id = bytes.withUnsafeBufferPointer { table.intern($0.baseAddress!, $0.count - 1)?.id }
                guard id == i else { throw CheckpointError("service table out of order at \(saved.name)") }
            }
            services.append(window)
            unretainedServices.append(Unmanaged.passUnretained(window))
        }
        sortedServices = services.sorted { $0.name < $1.name }
        maxTs = s.maxTs
        nextStep = s.nextStep
        lateLines = s.lateLines
        overflowEvents = s.overflowEvents
        overflowId = s.overflowId
    }
}

/// A parsed line kept past the parser's next call: its byte ranges copied, its evidence taken.
final class HeldLine {
    let line: ParsedLine
    let evidence: Evidence
    private var buffers: [UnsafeMutableBufferPointer<UInt8>] = []

    init(_ original: ParsedLine, evidence: Evidence) {
        self.evidence = evidence
        var copy = original
        var buffers: [UnsafeMutableBufferPointer<UInt8>] = []
        func own(_ bytes: UnsafeBufferPointer<UInt8>?) -> UnsafeBufferPointer<UInt8>? {
            guard let bytes else { return nil }
            let owned = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bytes.count))
            _ = owned.initialize(from: bytes)
            buffers.append(owned)
            return UnsafeBufferPointer(rebasing: owned[0..<bytes.count])
        }
        copy.service = own(original.service)
        copy.message = own(original.message)
        copy.cursor = own(original.cursor)
        line = copy
        self.buffers = buffers
    }

    deinit { for buffer in buffers { buffer.deallocate() } }
}
