import Foundation
import Testing
@testable import VigilCore

/// A TCP listener on 127.0.0.1 that never accepts or answers: every request to it times out.
final class SilentListener: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32

    init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr)
        _ = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = UInt16(bigEndian: sin.sin_port)
        listen(fd, 4)
        self.fd = fd
    }

    func stop() { close(fd) }
}

/// `NotifyDispatcher` against local receivers: retries, hanging targets, tickets, routes.
@Suite(.serialized) struct NotifyDeliveryTests {
    static func target(_ kind: NotifyKind, port: UInt16, name: String? = nil, settings: [String: String] = [:], path: String = "/hook") -> NotifyTarget {
        NotifyTarget(name: name ?? kind.rawValue, kind: kind, endpoint: HTTPClient.Endpoint(url: "http://127.0.0.1:\(port)\(path)")!, settings: settings)
    }

    static func dispatcher(_ targets: [NotifyTarget], routes: [NotifyRoute] = [], ticketsPath: String? = nil, timeout: Double = 2) throws -> NotifyDispatcher {
        var options = NotifyDispatcher.Options(router: try NotifyRouter(routes: routes, targets: targets))
        options.initialBackoff = 0.05
        options.maxBackoff = 0.2
        options.timeout = timeout
        options.ticketsPath = ticketsPath
        return NotifyDispatcher(options: options)
    }

    /// 500, 500 …, then 200: the message arrives, and is accepted exactly once.
    @Test func serverErrorIsRetriedUntilDeliveredOnce() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        receiver.respond(with: 500)
        let dispatcher = try Self.dispatcher([Self.target(.slack, port: receiver.port)])
        dispatcher.start()
        defer { dispatcher.stop() }
        dispatcher.enqueue(NotifyPayloadTests.record(.opened))
        #expect(ServiceSupport.waitUntil(timeout: 10, interval: 0.02) { receiver.bodies.count >= 2 })
        receiver.respond(with: 200)
        #expect(ServiceSupport.waitUntil(timeout: 10, interval: 0.02) { dispatcher.stats["slack"]?.sent == 1 })
        Thread.sleep(forTimeInterval: 0.3)
        let stats = try #require(dispatcher.stats["slack"])
        #expect(stats.sent == 1 && stats.failed == 0 && stats.queued == 0)
        #expect(receiver.bodies.count == stats.retries + 1, "\(stats)")
        #expect(Set(receiver.bodies).count == 1)
    }

    /// A target that never answers neither blocks `enqueue` nor delays another target; its queue
    /// stays bounded and `stop` returns after about one timeout.
    @Test func hangingTargetBlocksNothing() throws {
        let silent = SilentListener()
        defer { silent.stop() }
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        var options = NotifyDispatcher.Options(router: try NotifyRouter(routes: [], targets: [
            Self.target(.teams, port: silent.port), Self.target(.slack, port: receiver.port)]))
        options.timeout = 0.5
        options.queueLimit = 100
        let dispatcher = NotifyDispatcher(options: options)
        dispatcher.start()
        let started = Date()
        for seq in 0..<2_000 {
            var r = NotifyPayloadTests.record(.updated)
            r.seq = seq
            dispatcher.enqueue(r)
        }
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(ServiceSupport.waitUntil(timeout: 10, interval: 0.05) { receiver.bodies.count >= 1 })
        let teams = try #require(dispatcher.stats["teams"])
        #expect(teams.queued <= 100 && teams.dropped >= 1_900 && teams.sent == 0)
        let stopping = Date()
        dispatcher.stop()
        #expect(Date().timeIntervalSince(stopping) < 5)
        #expect(dispatcher.stats["teams"]?.queued == 0)
    }

    /// A 4xx answer is not retried.
    @Test func clientErrorIsNotRetried() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        receiver.respond(with: 400, body: "invalid_payload")
        let dispatcher = try Self.dispatcher([Self.target(.slack, port: receiver.port)])
        dispatcher.start()
        dispatcher.enqueue(NotifyPayloadTests.record(.opened))
        #expect(ServiceSupport.waitUntil(timeout: 10, interval: 0.02) { dispatcher.stats["slack"]?.failed == 1 })
        dispatcher.stop()
        #expect(receiver.bodies.count == 1)
        #expect(dispatcher.stats["slack"]?.lastError?.contains("invalid_payload") == true)
    }

    /// Open creates the issue, update comments on it, resolve transitions it; the ticket id is kept
    /// in `--state` so that a second dispatcher (a restart) closes the ticket the first one opened.
    @Test func jiraTicketIsCreatedCommentedAndClosedAcrossRestart() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ticketsPath = dir.appendingPathComponent("notify-tickets.json").path
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        receiver.respond(with: 201, body: #"{"id":"10001","key":"OPS-7","self":"http://jira/rest/api/2/issue/10001"}"#)
        let jira = Self.target(.jira, port: receiver.port, settings: ["project": "OPS", "close_transition": "31"], path: "/")
        var first: NotifyDispatcher? = try Self.dispatcher([jira], ticketsPath: ticketsPath)
        first!.start()
        first!.enqueue(NotifyPayloadTests.record(.opened))
        first!.enqueue(NotifyPayloadTests.record(.updated))
        #expect(ServiceSupport.waitUntil(timeout: 10, interval: 0.02) { first!.stats["jira"]?.sent == 2 })
        first!.stop()
        first = nil
        let saved = try String(contentsOfFile: ticketsPath, encoding: .utf8)
        #expect(saved == #"{"version":1,"tickets":{"jira":{"inc_0123456789abcdef":"OPS-7"}}}"# + "\n")

        receiver.respond(with: 204)
        let second = try Self.dispatcher([jira], ticketsPath: ticketsPath)
        second.start()
        second.enqueue(NotifyPayloadTests.record(.resolved))
        #expect(ServiceSupport.waitUntil(timeout: 10, interval: 0.02) { second.stats["jira"]?.sent == 1 })
        second.stop()
        #expect(receiver.requestLines == ["POST /rest/api/2/issue", "POST /rest/api/2/issue/OPS-7/comment", "POST /rest/api/2/issue/OPS-7/transitions"])
        #expect(second.tickets.ticket(target: "jira", subject: "inc_0123456789abcdef") == nil)
    }

    static func routes(_ text: String) throws -> [NotifyRoute] {
        try RuleSet.load(files: [("r/routes.rules", text)]).routes
    }

    /// Routes pick targets by severity, tier and kind; an incident keeps the targets its first record had.
    @Test func routesBySeverityTierAndKind() throws {
        let routes = try Self.routes("""
            [route page]
            notify = oncall
            severity = critical
            tier = L1, L2
            kinds = incident

            [route chat]
            notify = slack, splunk
            """)
        let targets = [Self.target(.pagerduty, port: 1, name: "oncall"), Self.target(.slack, port: 1), Self.target(.splunk, port: 1)]
        let router = try NotifyRouter(routes: routes, targets: targets)
        #expect(router.targets(for: NotifyPayloadTests.record(.opened, severity: .critical)) == [0, 1, 2])
        #expect(router.targets(for: NotifyPayloadTests.record(.opened, severity: .error)) == [1, 2])
        var l3 = NotifyPayloadTests.record(.opened, severity: .critical)
        l3.tier = .L3
        #expect(router.targets(for: l3) == [1, 2])
        var problem = NotifyPayloadTests.record(.opened, severity: .critical)
        problem.kind = .problemCandidate
        #expect(router.targets(for: problem) == [1, 2])
        // No routes: everything everywhere.
        #expect(try NotifyRouter(routes: [], targets: targets).targets(for: l3) == [0, 1, 2])
        // A route naming a target no --notify gives is refused where it stands.
        #expect(throws: RuleSetError.self) { try NotifyRouter(routes: routes, targets: [targets[1], targets[2]]) }
        do { _ = try NotifyRouter(routes: routes, targets: [targets[1], targets[2]]) } catch {
            #expect(error.description == "r/routes.rules:2:10: route 'page' notifies 'oncall', but no --notify target has that name or kind (given: slack, splunk)")
        }
    }

    /// An incident paged as critical is resolved on PagerDuty too, though the resolved record is `error`.
    @Test func incidentKeepsItsTargetsUntilResolved() throws {
        let pager = try WebhookReceiver()
        defer { pager.stop() }
        let routes = try Self.routes("[route page]\nnotify = pagerduty\nseverity = critical\n")
        let dispatcher = try Self.dispatcher([Self.target(.pagerduty, port: pager.port, settings: ["routing_key": "R"])], routes: routes)
        dispatcher.start()
        defer { dispatcher.stop() }
        dispatcher.enqueue(NotifyPayloadTests.record(.opened, severity: .error))
        dispatcher.enqueue(NotifyPayloadTests.record(.updated, severity: .critical))
        dispatcher.enqueue(NotifyPayloadTests.record(.resolved, severity: .error))
        #expect(ServiceSupport.waitUntil(timeout: 10, interval: 0.02) { pager.bodies.count == 2 })
        #expect(pager.bodies.map { $0.contains(#""event_action":"trigger""#) } == [true, false])
        #expect(pager.bodies.last?.contains(#""event_action":"resolve""#) == true)
    }
}

/// `vigil run --notify` end to end: one target never answers, the other answers 500 before 200.
@Suite(.serialized) struct NotifyRunTests {
    @Test func runNotifiesWhileATargetHangs() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = try AlertmanagerTests.fastRules(in: dir)
        let silent = SilentListener()
        defer { silent.stop() }
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        receiver.respond(with: 500)
        let log = dir.appendingPathComponent("app.log").path
        let writer = WallClockLogWriter(path: log)
        defer { writer.stop() }
        let port = ServiceSupport.freePort()
        let vigil = try ServiceSupport.start(TestSupport.vigilBinary, [
            "run", "--listen", "127.0.0.1:\(port)", "--rules", rules, "--sink", dir.appendingPathComponent("a.jsonl").path, "--poll-interval", "50",
            "--notify", "teams=http://127.0.0.1:\(silent.port)/hook", "--notify", "slack:ops=http://127.0.0.1:\(receiver.port)/hook",
            "--notify", "jira=http://127.0.0.1:\(receiver.port)/", "--notify-option", "jira.project=OPS", log,
        ], log: dir.appendingPathComponent("a.err"))
        defer { ServiceSupport.stop(vigil) }
        Thread.sleep(forTimeInterval: 3)
        writer.errors = true
        let opened = ServiceSupport.waitUntil(timeout: 40) { AlertmanagerTests.records(dir, "a").contains(#""event":"opened""#) }
        #expect(opened, "the pipeline did not write the incident: \(AlertmanagerTests.records(dir, "a"))")
        // Failures first, then success.
        #expect(ServiceSupport.waitUntil(timeout: 10) { receiver.bodies.count >= 2 })
        receiver.respond(with: 201, body: #"{"key":"OPS-1"}"#)
        let slackGot = ServiceSupport.waitUntil(timeout: 20) { receiver.bodies.contains { $0.contains(#""blocks""#) && $0.contains("Opened") } }
        #expect(slackGot)
        #expect(ServiceSupport.waitUntil(timeout: 20) { receiver.requestLines.contains("POST /rest/api/2/issue") })
        // The pipeline kept going meanwhile: lines written after the incident opened are still read.
        writer.errors = false
        let resolved = ServiceSupport.waitUntil(timeout: 60) { AlertmanagerTests.records(dir, "a").contains(#""event":"resolved""#) }
        #expect(resolved)
        #expect(ServiceSupport.waitUntil(timeout: 20) { receiver.requestLines.contains("POST /rest/api/2/issue/OPS-1/comment") })
        let slackBodies = receiver.bodies.filter { $0.contains(#""blocks""#) }
        #expect(slackBodies.filter { $0.contains("] Opened:") }.count >= 1)
        // Delivery counts per target on /metrics: slack was retried after its 500s, then delivered;
        // teams never answered, so its records are still queued or being retried.
        func sample(_ name: String, _ target: String) -> Double? {
            guard let body = ServiceSupport.http(port, "/metrics")?.body,
                  let line = body.split(separator: "\n").first(where: { $0.hasPrefix("\(name){target=\"\(target)\"}") }) else { return nil }
            return Double(line.split(separator: " ").last ?? "")
        }
        #expect(ServiceSupport.waitUntil(timeout: 10) { (sample("vigil_notify_sent_total", "ops") ?? 0) >= 2 })
        #expect((sample("vigil_notify_retries_total", "ops") ?? 0) >= 1)
        #expect(sample("vigil_notify_sent_total", "teams") == 0)
        #expect((sample("vigil_notify_queued", "teams") ?? 0) + (sample("vigil_notify_retries_total", "teams") ?? 0) >= 1)
    }
}
