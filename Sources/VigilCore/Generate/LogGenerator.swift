import Foundation

/// A seedable generator of realistic mixed logs with injected anomalies and their ground truth,
/// for tests and benchmarks. The same configuration always gives the same bytes.
public struct LogGenerator {
    public enum AnomalyKind: String, Sendable, CaseIterable {
        /// A share of the service's requests fail (level ERROR, HTTP 5xx).
        case errorBurst = "error_burst"
        /// The service's latency is multiplied.
        case latencyRegression = "latency"
        /// One deploy line at `start`, in app shape in the app log, written by `deployer`:
        /// `deploy service=SERVICE version=2.<intensity>.0` (default 2.14.0). Duration is ignored.
        case deploy
        /// A share of the service's lines (default 0.15) become warnings with a message never
        /// logged before: a new error template.
        case newError = "new_error"
        /// The service writes nothing at all.
        case silence
        /// The service's rate is multiplied (default 4: a spike; below 1, a drop).
        case volume
    }

    public struct Anomaly: Sendable, Equatable {
        public var kind: AnomalyKind
        public var service: String
        public var start: EventTime
        public var duration: EventTime
        /// error_burst: error probability (default 0.3); latency: multiplier (default 6).
        public var intensity: Double

        public init(kind: AnomalyKind, service: String, start: EventTime, duration: EventTime, intensity: Double? = nil) {
            self.kind = kind
            self.service = service
            self.start = start
            self.duration = duration
            self.intensity = intensity ?? Self.defaultIntensity(kind)
        }

        static func defaultIntensity(_ kind: AnomalyKind) -> Double {
            switch kind {
            case .errorBurst: 0.3
            case .latencyRegression: 6
            case .deploy: 14
            case .newError: 0.15
            case .silence: 1
            case .volume: 4
            }
        }

        /// `deploy`: the version deployed.
        public var version: String { "2.\(Int(intensity)).0" }
    }

    /// The line shapes a service writes in.
    public enum Shape: String, Sendable, CaseIterable {
        case app, nginx, json, logfmt, journald, syslog, syslog5424, logback
        /// The four shapes of a typical mixed estate, used unless others are asked for.
        public static let mixed: [Shape] = [.app, .nginx, .json, .logfmt]
        var fileName: String {
            switch self {
            case .app: "app.log"
            case .nginx: "access.log"
            case .json: "events.jsonl"
            case .logfmt: "worker.log"
            case .journald: "journal.json"
            case .syslog: "syslog"
            case .syslog5424: "syslog5424.log"
            case .logback: "server.log"
            }
        }
    }

    /// A load wave shared by all services: their rates follow
    /// `max(0.05, 1 + Σ amplitude·sin(2π(t − start)/period + phase))`. A daily shape is a wave
    /// whose period is the length of the day (or of the generated period, for a compressed day).
    public struct Wave: Sendable, Equatable {
        /// Relative swing: 0.6 moves the rate between 40 % and 160 % of its mean.
        public var amplitude: Double
        public var period: EventTime
        /// Radians, so that several waves need not peak together.
        public var phase: Double

        public init(amplitude: Double, period: EventTime, phase: Double = 0) {
            self.amplitude = amplitude
            self.period = period
            self.phase = phase
        }
    }

    public var seed: UInt64 = 1
    public var start: EventTime = 1_795_687_200_000   // 2026-11-26T10:00:00Z
    public var duration: EventTime = 3_600_000
    public var serviceCount = 12
    /// Mean lines per second per service.
    public var rate = 4.0
    public var shapes: [Shape] = Shape.mixed
    public var anomalies: [Anomaly] = []
    /// Load waves shared by every service; none by default (a flat mean rate).
    public var waves: [Wave] = []
    /// Mean lines per second of some services, instead of `rate`.
    public var serviceRates: [String: Double] = [:]
    /// Baseline error share of some services, instead of their default profile (0.002 to 0.01).
    public var baseErrors: [String: Double] = [:]
    /// Median latency in ms of some services, instead of their default profile (15 to 74 ms).
    public var baseLatencies: [String: Double] = [:]
    /// When set, every line goes to this one file (in event-time order) instead of one file per shape.
    public var combinedFileName: String? = nil

    public init() {}

    public static let serviceNames = ["checkout", "payments", "cart", "catalog", "search", "auth", "inventory", "shipping",
                                      "notifications", "recommendations", "pricing", "reviews", "gateway", "billing", "accounts", "media"]

    public var services: [String] {
        (0..<serviceCount).map { $0 < Self.serviceNames.count ? Self.serviceNames[$0] : "svc\($0)" }
    }

    /// The shape of service `i`: services are dealt round-robin over the shapes.
    public func shape(ofService i: Int) -> Shape { shapes[i % shapes.count] }

    /// True when an option beyond the original ones shapes the traffic: only then does the ground
    /// truth carry them, so that files generated without them keep their bytes.
    var hasTrafficShape: Bool { !waves.isEmpty || !serviceRates.isEmpty || !baseErrors.isEmpty || !baseLatencies.isEmpty }

    /// The factor the waves apply to every service's rate at `ts`.
    public func loadFactor(at ts: EventTime) -> Double {
        var factor = 1.0
        for w in waves { factor += w.amplitude * sin(2 * .pi * Double(ts - start) / Double(w.period) + w.phase) }
        return max(0.05, factor)
    }

    /// The largest value `loadFactor` can take: the rate at which thinning draws candidates.
    var peakLoadFactor: Double { max(0.05, 1 + waves.reduce(0) { $0 + abs($1.amplitude) }) }

    public func meanRate(ofService name: String) -> Double { serviceRates[name] ?? rate }

    /// The baseline of service `i`: its error share, median latency and line shape.
    func profile(ofService i: Int, name: String) -> (baseError: Double, medianMs: Double, shape: Shape) {
        (baseError: baseErrors[name] ?? 0.002 + Double(i % 5) * 0.002,
         medianMs: baseLatencies[name] ?? 15.0 + Double((i * 37) % 60),
         shape: shape(ofService: i))
    }

    /// Generates every file: file name → bytes, each file in event-time order.
    ///
    /// Each service is a Poisson process. With waves its rate varies in time, so it is drawn by
    /// thinning: candidates come at the peak rate and each is kept with probability
    /// loadFactor(t) / peak, which gives exactly the time-varying rate. A volume anomaly multiplies
    /// the rate evaluated at the previous line (its steps are rare enough for that to be fine).
    public func generate() -> [String: [UInt8]] {
        // One buffer per output file, found by index rather than by hashing its name on every line.
        let deployFile = combinedFileName ?? Shape.app.fileName
        let fileNames = Array(Set([deployFile] + Shape.allCases.map { combinedFileName ?? $0.fileName })).sorted()
        let slotOf = Dictionary(uniqueKeysWithValues: fileNames.enumerated().map { ($1, $0) })
        var buffers = [[UInt8]](repeating: [], count: fileNames.count)
        var rng = SplitMix64(seed: seed)
        let names = services
        let profiles = names.indices.map { profile(ofService: $0, name: names[$0]) }
        let slotOfService = profiles.map { slotOf[combinedFileName ?? $0.shape.fileName]! }
        // Without waves the peak is 1 and no acceptance number is drawn: the original stream, byte for byte.
        let thinning = !waves.isEmpty
        let peak = peakLoadFactor
        let candidateRates = names.map { meanRate(ofService: $0) * peak }
        // One stream of events merged over services, 10 ms resolution.
        var next = names.indices.map { i in start + EventTime(rng.exponential(mean: 1000 / candidateRates[i])) }
        let end = start + duration
        var counter = 0
        var deploys = anomalies.filter { $0.kind == .deploy }.sorted { $0.start < $1.start }[...]
        while true {
            var i = 0
            for k in 1..<next.count where next[k] < next[i] { i = k }
            let ts = next[i]
            while let d = deploys.first, d.start <= ts, d.start < end {
                let line = "\(CivilTime.format(d.start)) INFO [deployer] deploy service=\(d.service) version=\(d.version)\n"
                buffers[slotOf[deployFile]!].append(contentsOf: line.utf8)
                deploys.removeFirst()
            }
            guard ts < end else { break }
            var serviceRate = candidateRates[i]
            for a in anomalies where a.kind == .volume && a.service == names[i] && ts >= a.start && ts < a.start + a.duration {
                serviceRate *= max(0.001, a.intensity)
            }
            next[i] = ts + max(1, EventTime(rng.exponential(mean: 1000 / serviceRate)))
            if thinning && rng.unit() * peak >= loadFactor(at: ts) { continue }
            counter += 1
            let profile = profiles[i]
            var errorP = profile.baseError
            var latencyMs = profile.medianMs * rng.logNormalFactor(sigma: 0.35)
            var silent = false, novelP = 0.0
            for a in anomalies where a.service == names[i] && ts >= a.start && ts < a.start + a.duration {
                switch a.kind {
                case .errorBurst: errorP = a.intensity
                case .latencyRegression: latencyMs *= a.intensity
                case .newError: novelP = a.intensity
                case .silence: silent = true
                case .deploy, .volume: break
                }
            }
            let isError = rng.unit() < errorP
            // Only traffic with a new-error anomaly draws the extra number, so other output is unchanged.
            let novel = novelP > 0 && !isError && rng.unit() < novelP
            let line = render(profile.shape, service: names[i], ts: ts, isError: isError, latencyMs: latencyMs, n: counter, novel: novel, rng: &rng)
            if silent { continue }
            buffers[slotOfService[i]].append(contentsOf: line.utf8)
            buffers[slotOfService[i]].append(10)
        }
        // Only files that received a line exist, as before.
        var files: [String: [UInt8]] = [:]
        for (slot, bytes) in buffers.enumerated() where !bytes.isEmpty { files[fileNames[slot]] = bytes }
        return files
    }

    /// Ground truth as JSON: the anomalies injected and the services generated.
    public func groundTruth() -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("seed"); w.int(Int64(bitPattern: seed))
        w.key("start"); w.string(CivilTime.format(start))
        w.key("end"); w.string(CivilTime.format(start + duration))
        w.key("services"); w.beginArray(); for s in services { w.string(s) }; w.endArray()
        w.key("anomalies"); w.beginArray()
        for a in anomalies {
            w.beginObject()
            w.key("kind"); w.string(a.kind.rawValue)
            w.key("service"); w.string(a.service)
            w.key("start"); w.string(CivilTime.format(a.start))
            w.key("end"); w.string(CivilTime.format(a.start + a.duration))
            w.key("intensity"); w.number(a.intensity)
            w.endObject()
        }
        w.endArray()
        if hasTrafficShape { writeTrafficShape(&w) }
        w.endObject()
        w.newline()
        return w.bytes
    }

    /// The traffic options, with every service's effective rate, error share and latency, so that a
    /// benchmark can tell how much signal each anomaly carries.
    private func writeTrafficShape(_ w: inout JSONWriter) {
        w.key("waves"); w.beginArray()
        for wave in waves {
            w.beginObject()
            w.key("amplitude"); w.number(wave.amplitude)
            w.key("period_s"); w.number(Double(wave.period) / 1000)
            w.key("phase"); w.number(wave.phase)
            w.endObject()
        }
        w.endArray()
        let names = services
        w.key("service_rates"); w.beginObject()
        for name in names { w.key(name); w.number(meanRate(ofService: name)) }
        w.endObject()
        w.key("base_errors"); w.beginObject()
        for (i, name) in names.enumerated() { w.key(name); w.number(profile(ofService: i, name: name).baseError) }
        w.endObject()
        w.key("base_latencies_ms"); w.beginObject()
        for (i, name) in names.enumerated() { w.key(name); w.number(profile(ofService: i, name: name).medianMs) }
        w.endObject()
    }

    private static let okMessages = ["order created", "cart updated", "item viewed", "session refreshed", "price computed",
                                     "payment authorized", "stock reserved", "email queued", "search served", "token issued"]
    private static let errorMessages = ["upstream timed out", "database connection refused", "payment declined by processor",
                                        "null pointer in handler", "deadline exceeded calling inventory"]
    private static let paths = ["/api/v1/cart", "/api/v1/orders", "/api/v1/items", "/api/v1/search", "/healthz", "/api/v1/pay"]

    private func render(_ shape: Shape, service: String, ts: EventTime, isError: Bool, latencyMs: Double, n: Int, novel: Bool,
                        rng: inout SplitMix64) -> String {
        let time = CivilTime.format(ts)
        let latency = Int(latencyMs.rounded())
        var message = isError ? Self.errorMessages[rng.below(Self.errorMessages.count)] : Self.okMessages[rng.below(Self.okMessages.count)]
        if novel { message = "cache shard \(rng.below(16)) rejected write: quota exceeded for tenant \(1000 + rng.below(9000))" }
        let id = 100_000 + rng.below(900_000)
        let text: String
        switch shape {
        case .app:
            let level = isError ? "ERROR" : (rng.below(50) == 0 || novel ? "WARN" : "INFO")
            text = "\(time) \(level) [\(service)] \(message) request_id=\(id) latency_ms=\(latency)"
        case .nginx:
            let status = isError ? [500, 502, 503, 504][rng.below(4)] : (rng.below(30) == 0 ? 404 : 200)
            let ip = "10.\(rng.below(256)).\(rng.below(256)).\(1 + rng.below(254))"
            let path = Self.paths[rng.below(Self.paths.count)]
            text = "\(ip) - - [\(Self.commonLogTime(ts))] \"GET \(path) HTTP/1.1\" \(status) \(200 + rng.below(5000)) \"-\" \"curl/8.5\" rt=\(Format.decimal(latencyMs / 1000, digits: 3)) uct=\"0.000\" uht=\"\(Format.decimal(latencyMs * 0.9 / 1000, digits: 3))\" urt=\"\(Format.decimal(latencyMs * 0.95 / 1000, digits: 3))\" upstream=\(service)"
        case .json:
            let level = isError ? "error" : (novel ? "warn" : "info")
            text = "{\"time\":\"\(time)\",\"level\":\"\(level)\",\"service\":\"\(service)\",\"msg\":\"\(message)\",\"request_id\":\(id),\"duration_ms\":\(latency)}"
        case .logfmt:
            let level = isError ? "error" : (novel ? "warn" : "info")
            text = "ts=\(time) level=\(level) service=\(service) msg=\"\(message)\" job_id=\(id) latency_ms=\(latency)"
        case .journald:
            let priority = isError ? 3 : (novel ? 4 : 6)
            let micros = ts * 1000 + EventTime(rng.below(1000))
            text = "{\"__CURSOR\":\"s=5f1c;i=\(String(n, radix: 16));b=9a2e;m=\(String(micros, radix: 16));t=\(String(micros, radix: 16))\",\"__REALTIME_TIMESTAMP\":\"\(micros)\",\"PRIORITY\":\"\(priority)\",\"_SYSTEMD_UNIT\":\"\(service).service\",\"SYSLOG_IDENTIFIER\":\"\(service)\",\"_PID\":\"\(1000 + rng.below(9000))\",\"MESSAGE\":\"\(message) request_id=\(id) latency_ms=\(latency)\"}"
        case .syslog:
            let word = isError ? "error: " : (novel ? "warning: " : "")
            text = "\(Self.syslogTime(ts)) web-1 \(service)[\(1000 + n % 9000)]: \(word)\(message) request_id=\(id) latency_ms=\(latency)"
        case .syslog5424:
            let pri = 8 * 16 + (isError ? 3 : (novel ? 4 : 6))
            text = "<\(pri)>1 \(time) web-1 \(service) \(1000 + n % 9000) - - \(message) request_id=\(id) latency_ms=\(latency)"
        case .logback:
            let level = isError ? "ERROR" : (novel ? "WARN " : "INFO ")
            let stamp = time.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: ".", with: ",").replacingOccurrences(of: "Z", with: "")
            text = "\(stamp) [http-nio-8080-exec-\(1 + rng.below(8))] \(level) com.example.\(service).Handler - \(message) request_id=\(id) latency_ms=\(latency)"
        }
        return text
    }

    /// `Nov 26 10:00:00` (RFC 3164: no year, no zone).
    static func syslogTime(_ ts: EventTime) -> String {
        let common = commonLogTime(ts)   // 26/Nov/2026:10:00:00 +0000
        let chars = Array(common)
        let day = chars[0] == "0" ? " " + String(chars[1]) : String(chars[0...1])
        return "\(String(chars[3...5])) \(day) \(String(chars[12...19]))"
    }

    /// `26/Nov/2026:10:00:00 +0000`.
    static func commonLogTime(_ ts: EventTime) -> String {
        let iso = CivilTime.format(ts)   // 2026-11-26T10:00:00.000Z
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let chars = Array(iso)
        let month = Int(String(chars[5...6]))!
        return "\(String(chars[8...9]))/\(months[month - 1])/\(String(chars[0...3])):\(String(chars[11...18])) +0000"
    }
}

/// SplitMix64: small, fast, and the same sequence on every platform.
public struct SplitMix64 {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e3779b97f4a7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    public mutating func exponential(mean: Double) -> Double { -mean * log1p(-unit()) }
    /// exp(N(0, sigma)) via Box–Muller.
    public mutating func logNormalFactor(sigma: Double) -> Double {
        let u1 = max(unit(), 1e-12), u2 = unit()
        return exp(sigma * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}
