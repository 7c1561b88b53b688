#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Pushes incidents to one or more Alertmanagers (one URL per cluster peer, as Prometheus does)
/// from its own thread, so a slow or absent Alertmanager never blocks ingestion.
///
/// The pipeline hands over records with `enqueue` (a dictionary update under a lock). The
/// delivery thread keeps, per URL, which alerts still have to be sent: new and changed ones at
/// once, firing ones again every `resendInterval` (with `endsAt` four intervals ahead, so that
/// Alertmanager resolves them itself if vigil stops), resolved ones until delivered once. A
/// failed POST is retried with exponential backoff. With a spool file, the alerts not delivered
/// yet survive a restart; without one they wait in memory, at most `maxAlerts` of them.
public final class AlertmanagerPusher: @unchecked Sendable {
    public struct Options: Sendable {
        public var urls: [HTTPClient.Endpoint]
        public var resendInterval = 60.0
        public var spoolPath: String?
        public var maxAlerts = 10_000
        public var initialBackoff = 0.5
        public var maxBackoff = 30.0
        public var generatorBase = "vigil://incident/"
        public var timeout = 5.0
        /// CA bundle trusted for `https://` Alertmanagers instead of the system store (`--ca-file`).
        public var caFile: String?

        public init(urls: [HTTPClient.Endpoint]) { self.urls = urls }
    }

    /// Delivery counters for `/metrics`.
    public struct Stats: Sendable {
        public var pushes: [String: Int] = [:]
        public var queued = 0
        public var dropped = 0
        public var lastError: String?
    }

    private struct Entry {
        var alert: AlertmanagerAlert
        var version: Int
        /// URL indices that have not received this version yet.
        var pending: Set<Int>
    }

    private struct Peer {
        var endpoint: HTTPClient.Endpoint
        var lastResend = 0.0
        var backoff = 0.0
        var retryAt = 0.0
    }

    public let options: Options
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var entries: [String: Entry] = [:]
    private var peers: [Peer]
    private var stats = Stats()
    private var spoolDirty = false
    private var stopping = false
    private var running = false
    private var version = 0

    public init(options: Options) {
        self.options = options
        peers = options.urls.map { Peer(endpoint: $0.path == "/" ? $0.with(path: "/api/v2/alerts") : $0) }
        if let path = options.spoolPath { loadSpool(path) }
    }

    /// Starts the delivery thread.
    public func start() {
        condition.lock()
        running = true
        condition.unlock()
        let thread = Thread { [self] in deliverLoop() }
        thread.name = "vigil-alertmanager"
        thread.start()
    }

    /// Called by the pipeline thread for every record; only incidents are kept.
    public func enqueue(_ record: Record) {
        guard var alert = AlertmanagerAlert(record, generatorBase: options.generatorBase) else { return }
        condition.lock()
        defer { condition.unlock() }
        if let known = entries[alert.incidentId] {
            if known.alert.seq > alert.seq { return }
            // Labels are the alert's identity in Alertmanager: they stay as first sent (a record's
            // severity may change during the incident; the current one is in the annotations).
            alert.labels = known.alert.labels
        }
        version += 1
        entries[alert.incidentId] = Entry(alert: alert, version: version, pending: Set(peers.indices))
        if entries.count > options.maxAlerts { dropOne() }
        spoolDirty = true
        condition.broadcast()
    }

    /// Memory bound: a resolved alert goes first, else the oldest firing one.
    private func dropOne() {
        let victim = entries.min { a, b in
            (a.value.alert.isResolved ? 0 : 1, a.value.version) < (b.value.alert.isResolved ? 0 : 1, b.value.version)
        }
        if let victim { entries[victim.key] = nil; stats.dropped += 1 }
    }

    public var currentStats: Stats {
        condition.lock()
        defer { condition.unlock() }
        var s = stats
        s.queued = entries.values.filter { !$0.pending.isEmpty }.count
        return s
    }

    /// Stops the thread after one last attempt to deliver what is pending (bounded by the
    /// client timeout); what is left stays in the spool.
    public func stop() {
        condition.lock()
        guard running else { condition.unlock(); return }
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private func deliverLoop() {
        let client = HTTPClient(timeout: options.timeout, caFile: options.caFile)
        condition.lock()
        while true {
            let now = Self.now()
            // Firing alerts are sent again every resend interval.
            for i in peers.indices where now - peers[i].lastResend >= options.resendInterval {
                peers[i].lastResend = now
                for (id, entry) in entries where !entry.alert.isResolved { entries[id]!.pending.insert(i) }
            }
            var work: [(peer: Int, batch: [(id: String, version: Int, alert: AlertmanagerAlert)])] = []
            for i in peers.indices where peers[i].retryAt <= now || stopping {
                let batch = entries.filter { $0.value.pending.contains(i) }.map { ($0.key, $0.value.version, $0.value.alert) }
                if !batch.isEmpty { work.append((i, batch)) }
            }
            let writeSpool = spoolDirty
            spoolDirty = false
            let spool = writeSpool ? Array(entries.values.map(\.alert)) : []
            if work.isEmpty && !writeSpool {
                if stopping { break }
                let nextRetry = peers.map { $0.retryAt }.filter { $0 > now }.min() ?? .infinity
                let nextResend = (peers.map(\.lastResend).min() ?? now) + options.resendInterval
                _ = condition.wait(until: Date(timeIntervalSince1970: min(nextRetry, nextResend, now + 3600)))
                continue
            }
            condition.unlock()

            if writeSpool, let path = options.spoolPath { Self.writeSpool(spool, to: path) }
            var results: [(peer: Int, ok: Bool, error: String?)] = []
            for (peer, batch) in work {
                let body = AlertmanagerAlert.payload(batch.map(\.alert), firingEndsAt: EventTime((now + 4 * options.resendInterval) * 1000))
                do {
                    let response = try client.send("POST", peers[peer].endpoint, body: body)
                    results.append((peer, (200..<300).contains(response.status), "HTTP \(response.status): \(response.body.prefix(200))"))
                } catch {
                    results.append((peer, false, error.description))
                }
            }

            condition.lock()
            for (peer, ok, error) in results {
                if ok {
                    stats.pushes["success", default: 0] += 1
                    peers[peer].backoff = 0
                    peers[peer].retryAt = 0
                    for item in work.first(where: { $0.peer == peer })!.batch {
                        guard var entry = entries[item.id], entry.version == item.version else { continue }
                        entry.pending.remove(peer)
                        // A resolved alert every peer has is done.
                        if entry.alert.isResolved && entry.pending.isEmpty { entries[item.id] = nil } else { entries[item.id] = entry }
                        spoolDirty = true
                    }
                } else {
                    stats.pushes["failure", default: 0] += 1
                    stats.lastError = error
                    peers[peer].backoff = min(options.maxBackoff, max(options.initialBackoff, peers[peer].backoff * 2))
                    peers[peer].retryAt = Self.now() + peers[peer].backoff
                }
            }
            if stopping && results.allSatisfy({ !$0.ok }) && !results.isEmpty {
                // Alertmanager is down at shutdown: keep the rest in the spool, do not wait for it.
                let left = Array(entries.values.map(\.alert))
                condition.unlock()
                if let path = options.spoolPath { Self.writeSpool(left, to: path) }
                condition.lock()
                break
            }
        }
        running = false
        condition.broadcast()
        condition.unlock()
    }

    // MARK: spool

    private struct SpoolFile: Codable {
        var version = 1
        var alerts: [AlertmanagerAlert]
    }

    /// Written whole to a temporary file and renamed, so a crash leaves the old or the new spool.
    private static func writeSpool(_ alerts: [AlertmanagerAlert], to path: String) {
        guard let data = try? JSONEncoder().encode(SpoolFile(alerts: alerts.sorted { $0.incidentId < $1.incidentId })) else { return }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        rename(temporary, path)
    }

    /// Alerts left by the previous run are sent to every peer again.
    private func loadSpool(_ path: String) {
        guard let data = FileManager.default.contents(atPath: path),
              let spool = try? JSONDecoder().decode(SpoolFile.self, from: data) else { return }
        for alert in spool.alerts.prefix(options.maxAlerts) {
            version += 1
            entries[alert.incidentId] = Entry(alert: alert, version: version, pending: Set(peers.indices))
        }
    }
}
