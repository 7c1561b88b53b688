import Foundation

/// The hand-over between parse threads ("lanes") and the one thread that takes their batches in
/// input order (`replay --jobs`, `templates --jobs`). Each lane has a bounded queue, so a lane
/// parses at most `depth` batches ahead and memory stays flat; batches the consumer is done with
/// are kept for the lanes to fill again (a fresh one would cost its arena's page faults again).
final class LaneQueues<Batch: AnyObject>: @unchecked Sendable {
    private let condition = NSCondition()
    private let depth: Int
    // Guarded by `condition`.
    private var queues: [[Batch]]
    private var spare: [Batch] = []
    private var stopped = false

    init(lanes: Int, depth: Int) {
        queues = Array(repeating: [], count: lanes)
        self.depth = depth
    }

    /// Producer: hands `batch` to the consumer, waiting while `lane`'s queue is full; false once
    /// stopped (the batch is not taken, and the lane should end).
    func send(_ batch: Batch, lane: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queues[lane].count >= depth && !stopped { condition.wait() }
        if stopped { return false }
        queues[lane].append(batch)
        condition.broadcast()
        return true
    }

    /// Producer: a batch the consumer is done with, if any.
    func reuse() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        return spare.popLast()
    }

    /// Consumer: the next batch of `lane`, waiting for it. `done`, the batch consumed so far (already
    /// emptied), goes back for reuse: nothing may point into it any more.
    func take(lane: Int, returning done: Batch?) -> Batch {
        condition.lock()
        defer { condition.unlock() }
        if let done { spare.append(done) }
        while queues[lane].isEmpty { condition.wait() }
        let next = queues[lane].removeFirst()
        condition.broadcast()
        return next
    }

    /// Lets the producers end: nothing more will be taken (an error, or the consumer is gone).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
