#if canImport(Glibc)
import Glibc
#endif

/// Counts what `vigil run` reads and writes for `/metrics`. Owned by the pipeline thread: it is
/// fed every line (through the tap hook) and every record, and turns them into an immutable
/// `MetricsSnapshot` that the server thread shows.
///
/// Label values that come from logs (service) or from globs (source) are capped: the first
/// `maxLabelValues` distinct values get their own series, later ones are counted under `other`
/// (SPEC "no unbounded cardinality from log content"; RELIABILITY B7).
public final class LiveMetrics {
    /// Histogram bounds in seconds (the Prometheus client defaults).
    public static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    public static let windowQuantiles: [Double] = [0.5, 0.9, 0.99]

    private final class ServiceSeries {
        var stats: MetricsSnapshot.ServiceStats
        /// Ring of event-time steps: (step, requests, errors, latencies).
        var steps: [(step: Int64, requests: Int, errors: Int, sketch: LatencySketch?)]
        var newestStep: Int64 = .min

        init(name: String, ringSize: Int) {
            stats = MetricsSnapshot.ServiceStats(name: name)
            stats.latencyBuckets = [Int](repeating: 0, count: LiveMetrics.latencyBuckets.count)
            steps = Array(repeating: (.min, 0, 0, nil), count: ringSize)
        }
    }

    public let maxLabelValues: Int
    private let stepMs: EventTime
    private let ringSize: Int
    private var sources: [String: MetricsSnapshot.SourceStats] = [:]
    private var services: [String: ServiceSeries] = [:]
    private var serviceOrder: [ServiceSeries] = []
    private var last: (bytes: [UInt8], series: ServiceSeries)?
    private var overflow: [String: Int] = [:]
    private var openIncidents: [String: Severity] = [:]
    private var records: [String: Int] = [:]
    private var reload: (ok: Bool, at: Double) = (true, 0)

    public init(window: WindowConfig, maxLabelValues: Int = 100) {
        self.maxLabelValues = maxLabelValues
        stepMs = max(1, window.step)
        ringSize = Int(max(1, window.window / stepMs))
        windowSeconds = Double(window.window) / 1000
    }

    private let windowSeconds: Double

    /// One line as the pipeline handled it.
    public func observe(_ tap: LivePipeline.TapLine) {
        var name = tap.source
        if sources[name] == nil, sources.count >= maxLabelValues {
            overflow["source", default: 0] += 1
            name = "other"
        }
        var source = sources[name] ?? MetricsSnapshot.SourceStats(name: name)
        source.linesRead += 1
        source.bytesRead += tap.line.streamBytes
        if let reason = tap.reason {
            source.failed[reason, default: 0] += 1
        } else {
            source.linesParsed += 1
        }
        sources[name] = source
        guard let parsed = tap.parsed, let service = parsed.service else { return }
        let series = self.series(for: service)
        if series.stats.name == "other" { overflow["service", default: 0] += 1 }
        let isError = parsed.isError
        series.stats.requests += 1
        if isError { series.stats.errors += 1 }
        let step = parsed.ts >= 0 ? parsed.ts / stepMs : (parsed.ts - stepMs + 1) / stepMs
        let slot = Int(((step % Int64(ringSize)) + Int64(ringSize)) % Int64(ringSize))
        if series.steps[slot].step != step {
            // Events older than the ring's window are left out of the window gauges.
            guard series.newestStep == .min || step > series.newestStep - Int64(ringSize) else { return recordLatency(parsed.latencyMs, series) }
            series.steps[slot] = (step, 0, 0, nil)
        }
        series.newestStep = max(series.newestStep, step)
        series.steps[slot].requests += 1
        if isError { series.steps[slot].errors += 1 }
        if parsed.latencyMs >= 0 {
            if series.steps[slot].sketch == nil { series.steps[slot].sketch = LatencySketch() }
            series.steps[slot].sketch!.record(parsed.latencyMs)
        }
        recordLatency(parsed.latencyMs, series)
    }

    private func recordLatency(_ ms: Double, _ series: ServiceSeries) {
        guard ms >= 0 else { return }
        let seconds = ms / 1000
        series.stats.latencySumSeconds += seconds
        // Stored cumulative: every bound at or above the value.
        for (i, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { series.stats.latencyBuckets[i] += 1 }
        series.stats.latencyCount += 1
    }

    /// The series of a service, by its bytes; the last one used is checked first (lines of one
    /// service tend to come in runs), so most lines cost no allocation.
    private func series(for service: UnsafeBufferPointer<UInt8>) -> ServiceSeries {
        if let last, last.bytes.count == service.count,
           last.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, service.baseAddress!, service.count) == 0 }) {
            return last.series
        }
        var name = String(decoding: service, as: UTF8.self)
        if services[name] == nil, services.count >= maxLabelValues { name = "other" }
        let series: ServiceSeries
        if let known = services[name] {
            series = known
        } else {
            series = ServiceSeries(name: name, ringSize: ringSize)
            services[name] = series
            serviceOrder.append(series)
        }
        last = (Array(service), series)
        return series
    }

    /// Incidents still open from before a restart (restored from a checkpoint), by id.
    public func restoreOpenIncidents(_ open: [String: Severity]) {
        for (id, severity) in open { openIncidents[id] = severity }
    }

    /// One record written to the sink.
    public func observe(_ record: Record) {
        records[record.kind.rawValue + "/" + record.event.rawValue, default: 0] += 1
        guard record.kind == .incident, let id = record.incidentId else { return }
        switch record.event {
        case .opened, .updated: openIncidents[id] = record.severity
        case .resolved: openIncidents[id] = nil
        default: break
        }
    }

    /// A rule (re)load at Unix time `at` (seconds).
    public func reloaded(successfully ok: Bool, at: Double) {
        reload.ok = ok
        if ok { reload.at = at }
    }

    /// The current values. `files` are the followed files (for lag), `alerts` the Alertmanager
    /// delivery counters when pushing.
    public func snapshot(files: [LivePipeline.FollowedFileStatus], rotations: Int, truncations: Int, ready: Bool,
                         alerts: (pushes: [String: Int], queued: Int)? = nil) -> MetricsSnapshot {
        var s = MetricsSnapshot()
        var lag: [String: Int64] = [:]
        for file in files { lag[sources[file.source] == nil && sources.count >= maxLabelValues ? "other" : file.source, default: 0] += max(0, file.size - file.offset) }
        for name in Set(sources.keys).union(lag.keys).sorted() {
            var stats = sources[name] ?? MetricsSnapshot.SourceStats(name: name)
            stats.lagBytes = lag[name] ?? 0
            s.sources.append(stats)
        }
        for series in serviceOrder.sorted(by: { $0.stats.name < $1.stats.name }) {
            var stats = series.stats
            var sketch = LatencySketch()
            var hasLatency = false
            for step in series.steps where step.step != .min && step.step > series.newestStep &- Int64(ringSize) {
                stats.windowRequests += step.requests
                stats.windowErrors += step.errors
                if let steps = step.sketch { sketch.merge(steps); hasLatency = true }
            }
            if hasLatency {
                stats.windowQuantiles = Self.windowQuantiles.map { ($0, (sketch.quantile($0) ?? 0) / 1000) }
            }
            s.services.append(stats)
        }
        s.rotations = rotations
        s.truncations = truncations
        s.labelOverflow = overflow
        for severity in openIncidents.values { s.openIncidents[severity, default: 0] += 1 }
        s.records = records
        if let alerts { s.alertPushes = alerts.pushes; s.alertsQueued = alerts.queued }
        s.reloadSuccessful = reload.ok
        s.reloadTimestamp = reload.at
        s.ready = ready
        s.windowSeconds = windowSeconds
        return s
    }
}
