/// The novelty stage: mines templates of warning-or-worse messages, learns each service's normal
/// templates during its learning period, and turns templates the service never logged before into
/// problem candidates. Only warning+ lines reach it, so ordinary traffic costs nothing here.
final class NoveltyTracker {
    private(set) var miner: TemplateMiner
    private let learning: EventTime
    private let windowSteps: Int
    /// From `--state`: the templates each service had learned, and problems by service + template id.
    private var persistedKnown: [String: Set<String>]
    private var persistedProblems: [String: ProblemCandidate]
    /// Every problem seen this run or restored, for saving.
    private(set) var allProblems: [String: ProblemCandidate] = [:]
    private var templateIndex: [String: Int] = [:]

    init(rules: RuleSet, state: NoveltyState = NoveltyState()) {
        miner = state.miner ?? TemplateMiner()
        learning = rules.window.learning
        windowSteps = Int(rules.window.window / rules.window.step)
        persistedKnown = state.known
        persistedProblems = Dictionary(state.problems.filter { $0.origin == nil }.map { ($0.service + "\n" + $0.templateId, $0) }, uniquingKeysWith: { a, _ in a })
        for p in state.problems where p.origin == nil { allProblems[p.id] = p }
        for (i, t) in miner.templates.enumerated() { templateIndex[t.id] = i }
    }

    /// A service seen for the first time: restore what it had learned.
    func prepare(_ window: ServiceWindow) {
        guard let ids = persistedKnown[window.name] else { return }
        window.learned = true
        for id in ids { if let i = templateIndex[id] { window.known.insert(i) } }
    }

    /// One warning-or-worse line of `window`, in bucket `bucket` of step `step`.
    func observe(_ window: ServiceWindow, message: UnsafeBufferPointer<UInt8>, ts: EventTime, step: Int64, bucket: Int,
                 evidence: () -> Evidence) {
        guard let base = message.baseAddress, message.count > 0 else { return }
        let index = miner.add(base, message.count).index
        window.countTemplate(index, at: bucket)
        if !window.learned, ts < window.firstEventTime + learning { window.known.insert(index); return }
        if window.known.contains(index) { return }
        let problem: ProblemCandidate
        if let known = window.problems[index] {
            problem = known
        } else {
            let template = miner.template(index)
            problem = persistedProblems[window.name + "\n" + template.id]
                ?? ProblemCandidate(service: window.name, signature: template.text, templateId: template.id, firstSeen: ts)
            window.problems[index] = problem
            allProblems[problem.id] = problem
        }
        problem.occurred(at: ts, step: step, keepSteps: NoveltyTracker.sustainedWindows * windowSteps + 2, evidence: evidence)
        window.addNovelSample(at: bucket, evidence)
        window.latestProblem = problem
    }

    /// A single new template logged `min_events` times over this many windows (and at least once
    /// in the last) is a novelty incident too: a new failure mode that repeats slowly (0.5 % of a
    /// service's lines is a few lines a window) is as real as a burst of it. Counting one template,
    /// not the sum of all new ones, keeps the rare known errors of a quiet service (seen for the
    /// first time after its learning period, each now and then) from adding up to an incident.
    static let sustainedWindows = 3

    /// At the close of `step`: a problem recurring `candidate_min` times in the window gets its
    /// record (`detected`, or `updated` when it is known from an earlier run); afterwards an
    /// `updated` record each time its count has doubled.
    func evaluate(_ window: ServiceWindow, step: Int64, candidateMin: Int, detectedAt: EventTime, changes: ChangeLog,
                  emit: (Record) -> Void) {
        guard !window.problems.isEmpty else { return }
        for key in window.problems.keys.sorted() {
            let problem = window.problems[key]!
            if !problem.reportedThisRun {
                guard problem.occurrences(endingAt: step, steps: windowSteps) >= candidateMin else { continue }
                if problem.changeIds.isEmpty { problem.changeIds = changes.linked(to: problem.service, startingAt: problem.firstSeen).map(\.id) }
            } else if problem.count < 2 * problem.reportedCount {
                continue
            }
            emit(problem.record(at: detectedAt))
            problem.reported()
        }
    }

    /// A novelty incident opened on `window`: its latest problem lists the incident.
    func link(incident id: String, _ window: ServiceWindow, detectedAt: EventTime, emit: (Record) -> Void) {
        guard let problem = window.latestProblem, !problem.relatedIncidents.contains(id) else { return }
        problem.relatedIncidents.append(id)
        emit(problem.record(at: detectedAt))
        problem.reported()
    }

    /// The text and stable id of a template (miner index).
    func template(_ index: Int) -> (id: String, text: String) {
        let t = miner.template(index)
        return (t.id, t.text)
    }

    /// The state to save: templates, what each service learned, and every problem reported.
    func state(services: [ServiceWindow]) -> NoveltyState {
        var known = persistedKnown
        for window in services where !window.known.isEmpty || window.learned {
            known[window.name, default: []].formUnion(window.known.map { miner.template($0).id })
        }
        let problems = allProblems.values.filter { $0.seq > 0 }.sorted { $0.id < $1.id }
        return NoveltyState(miner: miner, known: known, problems: problems)
    }
}

extension NoveltyTracker {
    /// A checkpoint's copy: the miner (in its state-file form, which keeps ids, order and routing)
    /// and the problems by position in the checkpoint's problem list.
    struct Snapshot: Codable {
        var miner: String
        var persistedKnown: [String: [String]]
        var persistedProblems: [String: Int]
        var allProblems: [Int]
    }

    func snapshot(_ registry: ProblemRegistry) -> Snapshot {
        Snapshot(miner: String(decoding: miner.encodeState(), as: UTF8.self),
                 persistedKnown: persistedKnown.mapValues { $0.sorted() },
                 persistedProblems: persistedProblems.mapValues(registry.reference),
                 allProblems: allProblems.keys.sorted().map { registry.reference(allProblems[$0]!) })
    }

    func restore(_ s: Snapshot, registry: ProblemRegistry) throws(CheckpointError) {
        do { miner = try TemplateMiner(restoring: Array(s.miner.utf8), path: "checkpoint") } catch {
            throw CheckpointError("templates: \(error.description)")
        }
        persistedKnown = s.persistedKnown.mapValues(Set.init)
        persistedProblems = [:]
        for (key, position) in s.persistedProblems { persistedProblems[key] = try registry.problem(position) }
        allProblems = [:]
        for position in s.allProblems {
            let problem = try registry.problem(position)
            allProblems[problem.id] = problem
        }
        templateIndex = [:]
        for (i, t) in miner.templates.enumerated() { templateIndex[t.id] = i }
    }
}
