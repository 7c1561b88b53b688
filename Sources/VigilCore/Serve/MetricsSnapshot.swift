/// Everything `/metrics` shows, copied out of the pipeline at one instant. The pipeline thread
/// builds it and hands it to the server thread; the server never reads pipeline state.
public struct MetricsSnapshot: Sendable {
    public struct SourceStats: Sendable {
        public var name: String
        public var linesRead = 0
        public var linesParsed = 0
        public var bytesRead: Int64 = 0
        public var failed: [FailureReason: Int] = [:]
        /// Bytes in the source's followed files not read yet (file size − read offset).
        public var lagBytes: Int64 = 0
    }

    public struct ServiceStats: Sendable {
        public var name: String
        public var requests = 0
        public var errors = 0
        /// Over the detection window (event time), ending at the service's newest step.
        public var windowRequests = 0
        public var windowErrors = 0
        /// (quantile, seconds) over the window, when the window holds latencies.
        public var windowQuantiles: [(Double, Double)] = []
        /// Cumulative counts per `LiveMetrics.latencyBuckets` bound, then `+Inf`.
        public var latencyBuckets: [Int] = []
        public var latencySumSeconds = 0.0
        public var latencyCount = 0
    }

    public var sources: [SourceStats] = []
    public var services: [ServiceStats] = []
    public var rotations = 0
    public var truncations = 0
    /// Events counted under `other` because a label's cap was reached, by label name.
    public var labelOverflow: [String: Int] = [:]
    public var openIncidents: [Severity: Int] = [:]
    /// Records written, by "kind/event".
    public var records: [String: Int] = [:]
    /// Alertmanager deliveries by result (`success`, `failure`), and alerts waiting.
    public var alertPushes: [String: Int] = [:]
    public var alertsQueued = 0
    public var reloadSuccessful = true
    public var reloadTimestamp = 0.0
    public var ready = false
    public var windowSeconds = 0.0
    /// Copytruncate windows whose lines could not be recovered (no copy found), bytes read from
    /// copies, and rotated generations a checkpoint named that were gone after a restart.
    public var truncationsUnrecovered = 0
    public var truncationRecoveredBytes: Int64 = 0
    public var generationsLost = 0
    /// NUL bytes skipped where a line would start (the hole a non-O_APPEND writer leaves after a copytruncate).
    public var nulBytesSkipped: Int64 = 0
    /// `--state` checkpoints: commits, failed commits, the time of the last one, checkpoints found
    /// unusable at startup; and whether the inputs are held because the sink cannot be written.
    public var checkpointCommits = 0
    public var checkpointFailures = 0
    public var checkpointTimestamp = 0.0
    public var checkpointsRejected = 0
    public var inputsPaused = false
    /// `--notify` deliveries per target name (names come from the command line: bounded).
    public var notify: [String: NotifyDispatcher.Stats] = [:]

    public init() {}
}

extension MetricsSnapshot {
    /// The exposition text; `process` adds the standard `process_*` families.
    public func render(process: ProcessMetrics? = nil) -> String {
        var m = MetricsText()
        let sourceFamilies: [(String, String, (SourceStats) -> Double)] = [
            ("vigil_source_lines_read_total", "Lines read from the source.", { Double($0.linesRead) }),
            ("vigil_source_lines_parsed_total", "Lines parsed and counted in windows.", { Double($0.linesParsed) }),
            ("vigil_source_bytes_read_total", "Bytes of the lines read, line breaks included.", { Double($0.bytesRead) }),
        ]
        for (name, help, value) in sourceFamilies {
            m.family(name, .counter, help)
            for s in sources { m.sample(name, [("source", s.name)], value(s)) }
        }
        m.family("vigil_source_lines_failed_total", .counter, "Lines read but not counted, by reason (no line is dropped silently).")
        for s in sources {
            for reason in FailureReason.allCases {
                m.sample("vigil_source_lines_failed_total", [("source", s.name), ("reason", reason.rawValue)], s.failed[reason] ?? 0)
            }
        }
        m.family("vigil_source_lag_bytes", .gauge, "Bytes written to the source's followed files and not read yet.")
        for s in sources { m.sample("vigil_source_lag_bytes", [("source", s.name)], Double(s.lagBytes)) }
        m.single("vigil_rotations_total", .counter, "Rename rotations of followed files handled.", Double(rotations))
        m.single("vigil_truncations_total", .counter, "Copytruncate truncations of followed files handled.", Double(truncations))
        m.single("vigil_truncations_unrecovered_total", .counter, "Copytruncate truncations with no copy to read the unread tail from (those lines are lost).", Double(truncationsUnrecovered))
        m.single("vigil_truncation_recovered_bytes_total", .counter, "Bytes read from copytruncate copies after the original was truncated.", Double(truncationRecoveredBytes))
        m.single("vigil_nul_bytes_skipped_total", .counter, "NUL bytes skipped between lines (a writer without O_APPEND left a hole after a copytruncate).", Double(nulBytesSkipped))
        m.single("vigil_generations_lost_total", .counter, "Rotated files a checkpoint named that were gone at restart (their unread lines are lost).", Double(generationsLost))
        m.single("vigil_checkpoint_commits_total", .counter, "Checkpoints committed under --state.", Double(checkpointCommits))
        m.single("vigil_checkpoint_failures_total", .counter, "Checkpoint commits that failed (the previous one stayed).", Double(checkpointFailures))
        m.single("vigil_checkpoint_last_success_timestamp_seconds", .gauge, "Unix time of the last checkpoint committed.", checkpointTimestamp)
        m.single("vigil_checkpoints_rejected_total", .counter, "Checkpoints found torn, corrupt or of another version at startup.", Double(checkpointsRejected))
        m.single("vigil_input_paused", .gauge, "1 while inputs are held because the sink or tap cannot be written (disk full).", inputsPaused ? 1 : 0)
        m.family("vigil_label_values_overflow_total", .counter, "Events counted under the label value \"other\" because the label's distinct values reached their cap.")
        for label in ["service", "source"] { m.sample("vigil_label_values_overflow_total", [("label", label)], labelOverflow[label] ?? 0) }

        m.family("vigil_service_requests_total", .counter, "Parsed events per service.")
        for s in services { m.sample("vigil_service_requests_total", [("service", s.name)], s.requests) }
        m.family("vigil_service_errors_total", .counter, "Error events (level error or worse, or HTTP 5xx) per service.")
        for s in services { m.sample("vigil_service_errors_total", [("service", s.name)], s.errors) }
        m.single("vigil_window_seconds", .gauge, "Length of the detection window the vigil_service_window_* gauges cover (event time).", windowSeconds)
        m.family("vigil_service_window_requests", .gauge, "Events per service in the detection window.")
        for s in services { m.sample("vigil_service_window_requests", [("service", s.name)], s.windowRequests) }
        m.family("vigil_service_window_error_ratio", .gauge, "Error events / events per service in the detection window (0 when empty).")
        for s in services {
            m.sample("vigil_service_window_error_ratio", [("service", s.name)], s.windowRequests == 0 ? 0 : Double(s.windowErrors) / Double(s.windowRequests))
        }
        // A summary, as Prometheus clients write one: quantiles over a sliding window (here the
        // detection window, event time), sum and count since start. promtool refuses a gauge
        // with a `quantile` label.
        m.family("vigil_service_window_latency_seconds", .summary, "Latency quantiles per service over the detection window (about 1% relative error); sum and count since start.")
        for s in services where s.latencyCount > 0 {
            for (q, v) in s.windowQuantiles {
                m.sample("vigil_service_window_latency_seconds", [("service", s.name), ("quantile", MetricsText.format(q))], v)
            }
            m.sample("vigil_service_window_latency_seconds_sum", [("service", s.name)], s.latencySumSeconds)
            m.sample("vigil_service_window_latency_seconds_count", [("service", s.name)], s.latencyCount)
        }
        m.family("vigil_service_latency_seconds", .histogram, "Latency of the events that carry one, per service, since start.")
        for s in services where s.latencyCount > 0 {
            for (i, bound) in LiveMetrics.latencyBuckets.enumerated() {
                m.sample("vigil_service_latency_seconds_bucket", [("service", s.name), ("le", MetricsText.format(bound))], s.latencyBuckets[i])
            }
            let count = s.latencyCount
            m.sample("vigil_service_latency_seconds_bucket", [("service", s.name), ("le", "+Inf")], count)
            m.sample("vigil_service_latency_seconds_sum", [("service", s.name)], s.latencySumSeconds)
            m.sample("vigil_service_latency_seconds_count", [("service", s.name)], count)
        }

        m.family("vigil_incidents_open", .gauge, "Incidents opened and not resolved, by severity.")
        for severity in Severity.allCases { m.sample("vigil_incidents_open", [("severity", severity.rawValue)], openIncidents[severity] ?? 0) }
        m.family("vigil_records_total", .counter, "Records written, by kind and event.")
        for key in records.keys.sorted() {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            m.sample("vigil_records_total", [("kind", parts[0]), ("event", parts.count > 1 ? parts[1] : "")], records[key]!)
        }
        m.family("vigil_alert_pushes_total", .counter, "Alertmanager push attempts, by result.")
        for result in ["success", "failure"] { m.sample("vigil_alert_pushes_total", [("result", result)], alertPushes[result] ?? 0) }
        m.single("vigil_alerts_queued", .gauge, "Alerts waiting to be delivered to Alertmanager.", Double(alertsQueued))
        let notifyFamilies: [(String, MetricsText.Kind, String, (NotifyDispatcher.Stats) -> Int)] = [
            ("vigil_notify_sent_total", .counter, "Records delivered to a --notify target.", { $0.sent }),
            ("vigil_notify_failed_total", .counter, "Records a --notify target refused (4xx) or that failed every retry.", { $0.failed }),
            ("vigil_notify_retries_total", .counter, "Retried deliveries to a --notify target.", { $0.retries }),
            ("vigil_notify_dropped_total", .counter, "Records dropped for a --notify target (full queue, or pending at shutdown).", { $0.dropped }),
            ("vigil_notify_queued", .gauge, "Records waiting for a --notify target.", { $0.queued }),
        ]
        if !notify.isEmpty {
            for (name, kind, help, value) in notifyFamilies {
                m.family(name, kind, help)
                for target in notify.keys.sorted() { m.sample(name, [("target", target)], Double(value(notify[target]!))) }
            }
        }
        m.single("vigil_config_last_reload_successful", .gauge, "1 when the last rule (re)load succeeded.", reloadSuccessful ? 1 : 0)
        m.single("vigil_config_last_reload_success_timestamp_seconds", .gauge, "Unix time of the last successful rule (re)load.", reloadTimestamp)
        m.single("vigil_ready", .gauge, "1 once the sources are open and being read.", ready ? 1 : 0)
        if let process { process.render(into: &m) }
        return m.text
    }
}
