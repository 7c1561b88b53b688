import Foundation

/// The hand-over between the pipeline thread and the server thread: the pipeline publishes an
/// immutable snapshot under a lock (once per poll or tick), the server renders the latest one.
public final class MetricsEndpoint: @unchecked Sendable {
    private let lock = NSLock()
    private var latest = MetricsSnapshot()

    public init() {}

    /// Called by the pipeline thread.
    public func publish(_ snapshot: MetricsSnapshot) {
        lock.lock()
        latest = snapshot
        lock.unlock()
    }

    public var snapshot: MetricsSnapshot {
        lock.lock()
        defer { lock.unlock() }
        return latest
    }

    /// The routes: `/metrics`, `/healthz` (the process answers), `/readyz` (sources open, and
    /// not held by a sink or tap that cannot be written).
    public func respond(path: String) -> HTTPServer.Response {
        switch path {
        case "/metrics":
            return HTTPServer.Response(status: 200, contentType: MetricsText.contentType,
                                       body: snapshot.render(process: ProcessMetrics.current()))
        case "/healthz":
            return HTTPServer.Response(status: 200, body: "ok\n")
        case "/readyz":
            let snapshot = snapshot
            if snapshot.ready { return HTTPServer.Response(status: 200, body: "ready\n") }
            return HTTPServer.Response(status: 503, body: snapshot.inputsPaused ? "not ready: inputs held, the sink or tap cannot be written\n"
                                                                                : "not ready: sources not open yet\n")
        default:
            return HTTPServer.Response(status: 404, body: "not found; try /metrics, /healthz or /readyz\n")
        }
    }
}
