import CLinux
import Foundation
import VigilCore

/// Signals turned into values the main loop polls: they are blocked for the process and fetched
/// with `sigtimedwait`, so no handler runs at an arbitrary point of the pipeline.
struct SignalWatcher {
    private var set = sigset_t()
    /// Readable while a watched signal is pending: the loop's wait includes it, so SIGTERM ends a
    /// long idle wait at once (-1 where signalfd is unavailable).
    let fd: Int32

    init(_ signals: [Int32]) {
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        fd = vigil_signalfd(&set)
    }

    /// Signals received since the last call, in order.
    func pending() -> [Int32] {
        var result: [Int32] = []
        var zero = timespec(tv_sec: 0, tv_nsec: 0)
        var copy = set
        while true {
            let s = sigtimedwait(&copy, nil, &zero)
            if s <= 0 { break }
            result.append(s)
        }
        return result
    }
}

/// The wall clock, read only by the command's loop and passed into the pipeline.
enum WallClock {
    static func now() -> EventTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return EventTime(ts.tv_sec) * 1000 + EventTime(ts.tv_nsec / 1_000_000)
    }
}
