#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Sends records to the `--notify` targets, one delivery thread and one bounded queue per target, so
/// a target that is slow, down or hanging delays neither ingestion nor the other targets.
///
/// The pipeline calls `enqueue` (a short critical section, never I/O). Each target's thread sends
/// its records in order, since a ticket must be created before it is commented on and closed. A
/// failed send (no connection, timeout, HTTP 408, 429 or 5xx) is retried with exponential backoff
/// up to `maxAttempts`; other 4xx answers will not get better and are given up at once. Records of
/// one incident or problem keep going to the targets its first record went to, so a ticket that was
/// opened is also closed even if a later record would not match the routes.
public final class NotifyDispatcher: @unchecked Sendable {
    public struct Options: Sendable {
        public var router: NotifyRouter
        /// Tickets file (`--state DIR/notify-tickets.json`); nil keeps them in memory.
        public var ticketsPath: String?
        /// Records waiting per target; beyond it the oldest waiting record is dropped and counted.
        public var queueLimit = 1_000
        public var maxAttempts = 8
        public var initialBackoff = 0.5
        public var maxBackoff = 30.0
        /// Per step of an HTTP exchange (connect, send, each read).
        public var timeout = 5.0
        /// CA bundle trusted for `https://` targets instead of the system store (`--ca-file`).
        public var caFile: String?

        public init(router: NotifyRouter) { self.router = router }
    }

    /// Delivery counters of one target.
    public struct Stats: Sendable, Equatable {
        public var sent = 0
        /// Given up after `maxAttempts`, or refused by the target (4xx).
        public var failed = 0
        public var retries = 0
        /// Dropped from a full queue, or left when stopping while the target failed.
        public var dropped = 0
        /// Nothing to send (the close of a ticket that was never created).
        public var skipped = 0
        public var queued = 0
        public var lastError: String?
    }

    public let options: Options
    public let tickets: TicketStore
    /// Guarded by `lock`; replaced when the rules are reloaded.
    private var router: NotifyRouter
    private let workers: [Worker]
    private let lock = NSLock()
    // Guarded by `lock`: incident or problem id → target indices it was sent to.
    private var sticky: [String: [Int]] = [:]
    private static let maxSticky = 10_000

    public init(options: Options) {
        self.options = options
        tickets = TicketStore(path: options.ticketsPath)
        router = options.router
        workers = options.router.targets.map { Worker(target: $0, options: options) }
    }

    public func start() {
        for worker in workers { worker.start(tickets: tickets) }
    }

    /// New routes (SIGHUP) for the same targets; records already queued keep theirs.
    public func update(router: NotifyRouter) {
        lock.lock()
        self.router = router
        lock.unlock()
    }

    /// Called on the pipeline thread for every record.
    public func enqueue(_ record: Record) {
        lock.lock()
        var chosen = router.targets(for: record)
        lock.unlock()
        if let subject = NotifyText.subjectId(record) {
            lock.lock()
            if let earlier = sticky[subject] { chosen = Array(Set(chosen).union(earlier)).sorted() }
            if record.event == .resolved || record.event == .expired {
                sticky[subject] = nil
            } else if !chosen.isEmpty {
                if sticky.count >= Self.maxSticky, sticky[subject] == nil, let any = sticky.keys.first { sticky[any] = nil }
                sticky[subject] = chosen
            }
            lock.unlock()
        }
        for index in chosen { workers[index].push(record) }
    }

    /// Per target name.
    public var stats: [String: Stats] {
        Dictionary(workers.map { ($0.target.name, $0.currentStats) }, uniquingKeysWith: { a, _ in a })
    }

    /// Sends what is queued, without retrying: the first failure of a target drops the rest of its
    /// queue, so a hanging target costs at most one timeout at shutdown.
    public func stop() {
        for worker in workers { worker.requestStop() }
        for worker in workers { worker.waitStopped() }
    }
}

/// One target's queue and delivery thread.
private final class Worker: @unchecked Sendable {
    let target: NotifyTarget
    private let options: NotifyDispatcher.Options
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [Record] = []
    private var inFlight = false
    private var stats = NotifyDispatcher.Stats()
    private var stopping = false
    private var running = false

    init(target: NotifyTarget, options: NotifyDispatcher.Options) {
        self.target = target
        self.options = options
    }

    func start(tickets: TicketStore) {
        condition.lock()
        running = true
        condition.unlock()
        let thread = Thread { [self] in loop(tickets: tickets) }
        thread.name = "vigil-notify-\(target.name)"
        thread.start()
    }

    func push(_ record: Record) {
        condition.lock()
        defer { condition.unlock() }
        if queue.count >= options.queueLimit {
            // The record being sent stays; the oldest one still waiting goes.
            let victim = inFlight ? 1 : 0
            if victim < queue.count { queue.remove(at: victim) } else { stats.dropped += 1; return }
            stats.dropped += 1
        }
        queue.append(record)
        condition.broadcast()
    }

    var currentStats: NotifyDispatcher.Stats {
        condition.lock()
        defer { condition.unlock() }
        var s = stats
        s.queued = queue.count
        return s
    }

    func requestStop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    func waitStopped() {
        condition.lock()
        while running { condition.wait() }
        condition.unlock()
    }

    private enum Outcome { case sent, skipped, retry(String), refused(String) }

    private func loop(tickets: TicketStore) {
        let client = HTTPClient(timeout: options.timeout, caFile: options.caFile)
        var attempts = 0
        var backoff = 0.0
        condition.lock()
        while true {
            while queue.isEmpty && !stopping { condition.wait() }
            guard let record = queue.first else { break }
            inFlight = true
            condition.unlock()
            let outcome = deliver(record, client: client, tickets: tickets)
            condition.lock()
            inFlight = false
            switch outcome {
            case .sent, .skipped, .refused:
                if case .sent = outcome { stats.sent += 1 }
                if case .skipped = outcome { stats.skipped += 1 }
                if case .refused(let error) = outcome { stats.failed += 1; stats.lastError = error }
                queue.removeFirst()
                attempts = 0
                backoff = 0
            case .retry(let error):
                stats.lastError = error
                attempts += 1
                if stopping {
                    stats.dropped += queue.count
                    queue.removeAll()
                } else if attempts >= options.maxAttempts {
                    stats.failed += 1
                    queue.removeFirst()
                    attempts = 0
                    backoff = 0
                } else {
                    stats.retries += 1
                    backoff = min(options.maxBackoff, max(options.initialBackoff, backoff * 2))
                    // `stop` wakes the wait: one more attempt, then the queue is dropped if it fails too.
                    _ = condition.wait(until: Date(timeIntervalSinceNow: backoff))
                }
            }
        }
        running = false
        condition.broadcast()
        condition.unlock()
    }

    private func deliver(_ record: Record, client: HTTPClient, tickets: TicketStore) -> Outcome {
        let subject = target.kind.isTicketing ? NotifyText.subjectId(record) : nil
        let ticket = subject.flatMap { tickets.ticket(target: target.name, subject: $0) }
        guard let request = target.request(for: record, ticket: ticket) else { return .skipped }
        let response: HTTPClient.Response
        do {
            response = try client.send(request.method, target.endpoint.with(path: request.path), body: request.body, headers: request.headers)
        } catch {
            return .retry(error.description)
        }
        switch response.status {
        case 200..<300:
            guard let subject else { return .sent }
            switch request.effect {
            case .creates:
                guard let id = target.ticketId(from: response.body) else {
                    return .refused("\(target.name): HTTP \(response.status) without a ticket id: \(response.body.prefix(200))")
                }
                tickets.set(target: target.name, subject: subject, ticket: id)
            case .closes: tickets.remove(target: target.name, subject: subject)
            case .none: break
            }
            return .sent
        case 408, 429, 500...:
            return .retry("\(target.name): HTTP \(response.status): \(response.body.prefix(200))")
        default:
            return .refused("\(target.name): HTTP \(response.status): \(response.body.prefix(200))")
        }
    }
}
