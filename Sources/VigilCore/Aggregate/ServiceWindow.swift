/// The recent steps of one service, in a ring large enough for the window plus the steps still open
/// (not yet behind the watermark).
final class ServiceWindow {
    let name: String
    private(set) var ring: [StepBucket]
    /// Detector state per rule of the rule set (same order).
    var detectors: [DetectorState] { didSet { anyDetectorActive = detectors.contains { $0.isActive } } }
    /// Some detector has an incident open or pending. Kept beside `detectors` because every step
    /// asks it of every service, and most services of a large fleet are idle.
    private(set) var anyDetectorActive = false
    /// Novelty: the first event time (the learning period runs from it), whether the templates are
    /// already learned (persisted state), the templates learned, and the new templates seen since.
    var firstEventTime: EventTime = .max
    var learned = false
    var known: Set<Int> = []
    var problems: [Int: ProblemCandidate] = [:]
    /// The problem of the service's most recent new-template line (what a novelty incident is about).
    var latestProblem: ProblemCandidate?
    /// Its own cycle of traffic (`[defaults] season`), nil while off or before its first step.
    var seasonal: SeasonalProfile?

    init(name: String, ringSize: Int, detectors: [DetectorState]) {
        self.name = name
        ring = Array(repeating: StepBucket(), count: ringSize)
        self.detectors = detectors
        anyDetectorActive = detectors.contains { $0.isActive }
    }

    /// The bucket of `step`, emptied first when its slot still holds an older step.
    @inline(__always)
    func bucketIndex(for step: Int64) -> Int {
        let index = Int(step % Int64(ring.count))
        if ring[index].step != step { ring[index].reset(to: step) }
        return index
    }

    @inline(__always)
    func record(step: Int64, isError: Bool, latencyMs: Double) -> Int {
        if step > lastEventStep { lastEventStep = step }
        let i = bucketIndex(for: step)
        ring[i].requests += 1
        if isError { ring[i].errors += 1 }
        if latencyMs >= 0 {
            if ring[i].latency == nil { ring[i].latency = LatencySketch() }
            ring[i].latency!.record(latencyMs)
        }
        return i
    }

    func addErrorSample(at index: Int, _ make: () -> Evidence) {
        guard ring[index].errorSamples.count < StepBucket.samplesPerBucket else { return }
        ring[index].errorSamples.append(make())
    }

    func addNovelSample(at index: Int, _ make: () -> Evidence) {
        ring[index].novel += 1
        guard ring[index].novelSamples.count < StepBucket.samplesPerBucket else { return }
        ring[index].novelSamples.append(make())
    }

    func addSlowSample(at index: Int, ms: Double, _ make: () -> Evidence) {
        // Most lines are not among the slowest three: decide before touching the array.
        if ring[index].slowSamples.count >= StepBucket.samplesPerBucket, ms <= ring[index].slowSamples[StepBucket.samplesPerBucket - 1].ms { return }
        var samples = ring[index].slowSamples
        ring[index].slowSamples = []
        if samples.count >= StepBucket.samplesPerBucket {
            guard let last = samples.last, ms > last.ms else { return }
            samples.removeLast()
        }
        let position = samples.firstIndex { $0.ms < ms } ?? samples.count
        samples.insert((ms, make()), at: position)
        ring[index].slowSamples = samples
    }

    /// Sums of steps `last - count + 1 … last` (steps missing from the ring count as empty). Latency
    /// sketches are merged only when the steps hold at least `latencyAtLeast` values: merging costs
    /// a thousand additions per step, and most services most of the time need only the counts.
    func sums(endingAt last: Int64, count: Int, latencyAtLeast: Int = .max) -> StepSums {
        var sums = StepSums()
        for step in (last - Int64(count) + 1)...last {
            let index = Int(((step % Int64(ring.count)) + Int64(ring.count)) % Int64(ring.count))
            if ring[index].step == step { sums.add(ring[index], withLatency: false) }
        }
        guard sums.latencyCount > 0, sums.latencyCount >= latencyAtLeast else { return sums }
        for step in (last - Int64(count) + 1)...last {
            let index = Int(((step % Int64(ring.count)) + Int64(ring.count)) % Int64(ring.count))
            if ring[index].step == step, let sketch = ring[index].latency {
                if sums.latency == nil { sums.latency = sketch } else { sums.latency!.merge(sketch) }
            }
        }
        return sums
    }

    /// The bucket of `step` when the ring still holds it (nil: the step had no events).
    func bucket(at step: Int64) -> StepBucket? {
        let b = ring[Int(((step % Int64(ring.count)) + Int64(ring.count)) % Int64(ring.count))]
        return b.step == step ? b : nil
    }

    /// Counts a warning-or-worse line of template `index` in bucket `index` of the ring.
    func countTemplate(_ template: Int, at bucket: Int) { ring[bucket].countTemplate(template) }

    /// The template (miner index) with the most warning-or-worse lines in steps
    /// `last - count + 1 … last`; ties go to the lower index (the template mined first).
    func dominantTemplate(endingAt last: Int64, count: Int) -> Int? {
        var counts: [Int: Int] = [:]
        for step in (last - Int64(count) + 1)...last {
            let bucket = ring[Int(((step % Int64(ring.count)) + Int64(ring.count)) % Int64(ring.count))]
            guard bucket.step == step else { continue }
            for t in bucket.templates { counts[t.index, default: 0] += t.count }
        }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    /// The newest step that received an event.
    private(set) var lastEventStep: Int64 = .min

    /// Evidence from steps `last - count + 1 … last`, earliest first, at most 10.
    func evidence(endingAt last: Int64, count: Int, slow: Bool, novel: Bool = false) -> [Evidence] {
        var all: [Evidence] = []
        for step in (last - Int64(count) + 1)...last {
            let bucket = ring[Int(((step % Int64(ring.count)) + Int64(ring.count)) % Int64(ring.count))]
            guard bucket.step == step else { continue }
            if novel { all += bucket.novelSamples } else if slow { all += bucket.slowSamples.map(\.evidence) } else { all += bucket.errorSamples }
        }
        all.sort { ($0.ts, $0.source, $0.lineNumber) < ($1.ts, $1.source, $1.lineNumber) }
        return Array(all.prefix(10))
    }
}

extension ServiceWindow {
    /// A checkpoint's copy of one service: its steps, detector states and novelty state.
    struct Snapshot: Codable {
        var name: String
        var ring: [StepBucket]
        var detectors: [DetectorState]
        var firstEventTime: EventTime
        var learned: Bool
        var known: [Int]
        var problemTemplates: [Int]
        var problems: [Int]
        var latestProblem: Int?
        var lastEventStep: Int64
        var seasonal: SeasonalProfile?
    }

    func snapshot(_ registry: ProblemRegistry) -> Snapshot {
        let templates = problems.keys.sorted()
        return Snapshot(name: name, ring: ring, detectors: detectors, firstEventTime: firstEventTime, learned: learned,
                        known: known.sorted(), problemTemplates: templates, problems: templates.map { registry.reference(problems[$0]!) },
                        latestProblem: latestProblem.map(registry.reference), lastEventStep: lastEventStep, seasonal: seasonal)
    }

    /// The service as saved; `detectors` are already matched to the running rules.
    convenience init(snapshot s: Snapshot, detectors: [DetectorState], registry: ProblemRegistry) throws(CheckpointError) {
        self.init(name: s.name, ringSize: s.ring.count, detectors: detectors)
        ring = s.ring
        firstEventTime = s.firstEventTime
        learned = s.learned
        known = Set(s.known)
        guard s.problemTemplates.count == s.problems.count else { throw CheckpointError("service \(s.name): inconsistent problems") }
        for (template, position) in zip(s.problemTemplates, s.problems) { problems[template] = try registry.problem(position) }
        latestProblem = try s.latestProblem.map { (p: Int) throws(CheckpointError) in try registry.problem(p) }
        lastEventStep = s.lastEventStep
        seasonal = s.seasonal
    }
}
