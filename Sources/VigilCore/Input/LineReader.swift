#if canImport(Glibc)
import Glibc
#endif

/// One line handed out by `LineReader`; `bytes` is valid until the next call to `next`.
public struct Line {
    public var bytes: UnsafePointer<UInt8>
    /// Length without the terminator (and without a trailing `\r`).
    public var count: Int
    /// 1-based line number in the (decompressed) stream.
    public var number: Int
    /// Byte offset of the line's first byte in the (decompressed) stream.
    public var offset: Int64
    /// The line ended in `\r\n`; the `\r` is not part of `bytes`.
    public var hadCarriageReturn: Bool
    /// Longer than the limit: `bytes` is empty and `count` is the length that was skipped.
    public var tooLong: Bool

    /// Bytes the line took in the stream, with its `\r\n` or `\n` (byte counters must add up to
    /// the file's size, so the `\r` that `count` leaves out is counted here).
    public var streamBytes: Int64 { Int64(count) + (hadCarriageReturn ? 2 : 1) }
}

/// The line framer: splits a byte stream on `\n` with `memchr`, reusing one buffer.
///
/// A line longer than `maxLineBytes` is skipped whole and reported once as too long, so memory stays
/// bounded whatever the input; a last line without a terminator is a line at end of input.
public final class LineReader {
    private let stream: ByteStream
    private let maxLineBytes: Int
    private let capacity: Int
    private let buffer: UnsafeMutablePointer<UInt8>
    private var start = 0          // first byte of the next line
    private var end = 0            // end of valid bytes
    private var base: Int64 = 0    // stream offset of buffer[0]
    private var lineNumber = 0
    private var eof = false
    /// An input error met while skipping a long line: the line is handed out first, the error next.
    private var pendingError: InputError?
    /// A line over the limit being skipped across reads (follow mode): its number, offset and length so far.
    private var skipping: (number: Int, offset: Int64, skipped: Int)?

    /// Follow mode (`vigil run`): running out of bytes means "nothing more yet", not end of input;
    /// a partial last line is held until its newline arrives or `endOfInput()` is called.
    public var follow = false

    /// Skip NUL bytes where a line would start (follow mode): a writer without O_APPEND that goes
    /// on at its old offset after a copytruncate leaves a sparse hole of NULs before its next line
    /// (RELIABILITY R4). Skipped bytes are counted, and offsets stay exact.
    public var skipsNULRuns = false
    /// NUL bytes skipped so far (`skipsNULRuns`).
    public private(set) var nulBytesSkipped: Int64 = 0

    /// Stream offset of the first byte not yet handed out as part of a line.
    public var consumedOffset: Int64 { base + Int64(start) }
    /// Stream offset up to which bytes have been read from the stream.
    public var readOffset: Int64 { base + Int64(end) }
    /// Bytes of a partial line held back in follow mode.
    public var pendingBytes: Int { end - start }
    /// Lines handed out so far (the number of the last one).
    public var linesHandedOut: Int { lineNumber }
    /// In the middle of a line over the limit (follow mode): bytes are being discarded.
    public var isSkippingLongLine: Bool { skipping != nil }

    /// Continues a stream that was partly read elsewhere: the next line is `lineNumber + 1` and
    /// offsets count from `offset` (the unread tail of a copytruncate copy).
    public func resume(atOffset offset: Int64, lineNumber: Int) {
        base = offset
        self.lineNumber = lineNumber
    }

    public init(stream: ByteStream, maxLineBytes: Int = 1 << 16, chunkBytes: Int = 256 * 1024) {
        self.stream = stream
        self.maxLineBytes = maxLineBytes
        capacity = maxLineBytes + chunkBytes
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// The next line, or nil at end of input.
    public func next() throws(InputError) -> Line? {
        if let error = pendingError { pendingError = nil; throw error }
        if skipping != nil { return try skipLongLine() }
        while true {
            if skipsNULRuns {
                let first = start
                while start < end, buffer[start] == 0 { start += 1 }
                nulBytesSkipped += Int64(start - first)
            }
            if start < end, let nl = memchr(buffer + start, 10, end - start) {
                let newline = buffer.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                return take(upTo: newline, consumed: newline + 1)
            }
            if eof {
                guard start < end else { return nil }
                return take(upTo: end, consumed: end)
            }
            if end - start >= maxLineBytes {
                skipping = (lineNumber + 1, base + Int64(start), 0)
                lineNumber += 1
                return try skipLongLine()
            }
            if try fill() == 0, follow { return nil }
        }
    }

    /// No more bytes will come (a rotated file drained, stdin closed): the next call hands out a
    /// partial last line, if any, then nil.
    public func endOfInput() { eof = true }

    /// Whether `endOfInput()` was called.
    public var isAtEndOfInput: Bool { eof }

    /// The stream was truncated and is read again from its start (copytruncate): everything held is
    /// dropped and counting starts over. Returns the bytes of a partial line that were dropped.
    @discardableResult
    public func restart() -> Int {
        let dropped = end - start
        start = 0; end = 0; base = 0; lineNumber = 0; skipping = nil; eof = false
        return dropped
    }

    private func take(upTo lineEnd: Int, consumed: Int) -> Line {
        lineNumber += 1
        var count = lineEnd - start
        let hadCR = count > 0 && buffer[lineEnd - 1] == 13
        if hadCR { count -= 1 }
        let line = Line(bytes: UnsafePointer(buffer + start), count: count, number: lineNumber, offset: base + Int64(start),
                        hadCarriageReturn: hadCR, tooLong: count > maxLineBytes)
        start = consumed
        return line
    }

    /// Moves the partial line to the front and reads more; returns the bytes read.
    @discardableResult
    private func fill() throws(InputError) -> Int {
        if start > 0 {
            let pending = end - start
            if pending > 0 { memmove(buffer, buffer + start, pending) }
            base += Int64(start)
            start = 0
            end = pending
        }
        let n = try stream.read(into: buffer + end, capacity: capacity - end)
        if n == 0 { if !follow { eof = true } } else { end += n }
        return n
    }

    /// Discards a line longer than the limit up to and including its newline. In follow mode it may
    /// run out of bytes first: it returns nil and goes on at the next call.
    private func skipLongLine() throws(InputError) -> Line? {
        guard let (number, lineOffset, already) = skipping else { return nil }
        var skipped = already
        while true {
            if start < end, let nl = memchr(buffer + start, 10, end - start) {
                let newline = buffer.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                skipped += newline - start
                start = newline + 1
                break
            }
            skipped += end - start
            base += Int64(end)
            start = 0
            end = 0
            let n: Int
            do { n = try stream.read(into: buffer, capacity: capacity) } catch {
                pendingError = error
                eof = true
                break
            }
            if n == 0 {
                if follow, !eof { skipping = (number, lineOffset, skipped); return nil }
                eof = true
                break
            }
            end = n
        }
        skipping = nil
        return Line(bytes: UnsafePointer(buffer), count: skipped, number: number, offset: lineOffset, hadCarriageReturn: false, tooLong: true)
    }
}
