import Foundation

/// Reads a stream ahead on its own thread, so that inflating gzip runs on one core while the
/// caller frames and parses on another (zlib alone is about as fast as the whole parse).
///
/// The source is read only by the background thread after `init`; filled chunks are handed over
/// through a small queue guarded by a condition variable, so memory stays `depth × chunkBytes`.
public final class PrefetchingStream: ByteStream, @unchecked Sendable {
    private let source: ByteStream
    private let chunkBytes: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var ready: [(buffer: UnsafeMutablePointer<UInt8>, count: Int)] = []
    private var free: [UnsafeMutablePointer<UInt8>] = []
    private var finished = false
    private var failure: InputError?
    private var cancelled = false
    private var running = true
    // Used by the consumer only.
    private var current: (buffer: UnsafeMutablePointer<UInt8>, count: Int, offset: Int)?
    private var all: [UnsafeMutablePointer<UInt8>] = []

    public init(source: ByteStream, chunkBytes: Int = 1 << 20, depth: Int = 4) {
        self.source = source
        self.chunkBytes = chunkBytes
        for _ in 0..<depth { all.append(.allocate(capacity: chunkBytes)) }
        free = all
        let thread = Thread { [self] in produce() }
        thread.name = "vigil-prefetch"
        thread.start()
    }

    deinit {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
        for buffer in all { buffer.deallocate() }
    }

    private func produce() {
        while true {
            condition.lock()
            while free.isEmpty && !cancelled { condition.wait() }
            if cancelled { running = false; condition.broadcast(); condition.unlock(); return }
            let buffer = free.removeLast()
            condition.unlock()

            var count = 0
            var error: InputError?
            do { count = try source.read(into: buffer, capacity: chunkBytes) } catch let e { error = e }

            condition.lock()
            if count > 0 { ready.append((buffer, count)) } else { free.append(buffer) }
            if let error { failure = error }
            if count == 0 || error != nil {
                finished = true
                running = false
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.broadcast()
            condition.unlock()
        }
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        if current == nil || current!.offset == current!.count {
            condition.lock()
            if let done = current { free.append(done.buffer); current = nil; condition.broadcast() }
            while ready.isEmpty && !finished { condition.wait() }
            if ready.isEmpty {
                let error = failure
                failure = nil
                condition.unlock()
                if let error { throw error }
                return 0
            }
            let next = ready.removeFirst()
            condition.unlock()
            current = (next.buffer, next.count, 0)
        }
        let n = min(capacity, current!.count - current!.offset)
        buffer.update(from: current!.buffer + current!.offset, count: n)
        current!.offset += n
        return n
    }
}
