#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The standard `process_*` metrics of Prometheus client libraries, read from `/proc` on Linux
/// at scrape time (on the server thread: they describe the whole process, not the pipeline).
public struct ProcessMetrics: Sendable {
    public var cpuSeconds = 0.0
    public var residentBytes = 0.0
    public var virtualBytes = 0.0
    public var openFds = 0.0
    public var maxFds = 0.0
    public var startTimeSeconds = 0.0

    public init() {}

    /// Reads the current values of this process.
    public static func current() -> ProcessMetrics {
        var p = ProcessMetrics()
        var usage = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 {
            p.cpuSeconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        }
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1 {
                p.virtualBytes = (Double(fields[0]) ?? 0) * page
                p.residentBytes = (Double(fields[1]) ?? 0) * page
            }
        }
        p.openFds = Double((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0)
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { p.maxFds = Double(limit.rlim_cur) }
        p.startTimeSeconds = startTime
        return p
    }

    /// Boot time plus the process's start in clock ticks (`/proc/self/stat` field 22).
    private static let startTime: Double = {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")"),
              let procStat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let btimeLine = procStat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let btime = Double(btimeLine.dropFirst(6)) else { return 0 }
        // Fields after ")" start at field 3 (state); starttime is field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return 0 }
        return btime + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }()

    func render(into m: inout MetricsText) {
        m.single("process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds.", cpuSeconds)
        m.single("process_resident_memory_bytes", .gauge, "Resident memory size in bytes.", residentBytes)
        m.single("process_virtual_memory_bytes", .gauge, "Virtual memory size in bytes.", virtualBytes)
        m.single("process_open_fds", .gauge, "Number of open file descriptors.", openFds)
        m.single("process_max_fds", .gauge, "Maximum number of open file descriptors.", maxFds)
        m.single("process_start_time_seconds", .gauge, "Start time of the process since unix epoch in seconds.", startTimeSeconds)
    }
}
