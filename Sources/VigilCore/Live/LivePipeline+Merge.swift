#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One stream of lines that a poll reads: a followed file's new bytes, an archive read whole, or
/// the unread tail of a generation found again after a restart.
final class MergeStream {
    let reader: LineReader
    let parser: LineParser
    let source: Source
    /// The logical path (directory and logical name): the streams of one rotated set, oldest first,
    /// are read one after another; different sets are merged by event time.
    let logicalPath: String
    /// A followed file: its read errors end the poll (as they always did); others are reported.
    let followed: Bool
    /// A finished generation: its partial last line is complete as it is.
    let endsInput: Bool
    /// Bookkeeping once the stream is read to its end (an archive's progress, a known head).
    let onEnd: (() -> Void)?

    init(reader: LineReader, parser: LineParser, source: Source, logicalPath: String, followed: Bool,
         endsInput: Bool = false, onEnd: (() -> Void)? = nil) {
        self.reader = reader
        self.parser = parser
        self.source = source
        self.logicalPath = logicalPath
        self.followed = followed
        self.endsInput = endsInput
        self.onEnd = onEnd
    }

    static func logicalPath(of path: String, source: Source) -> String {
        (path as NSString).deletingLastPathComponent + "/" + source.name
    }
}

/// The streams of one rotated set in a merge, with the next parsed line of the current one held
/// (its bytes stay valid until that reader is asked for another line).
private final class MergeChain {
    let streams: [MergeStream]
    var index = 0
    var line: Line?
    var parsed = ParsedLine()
    init(streams: [MergeStream]) { self.streams = streams }
    var name: String { streams[0].source.name }
}

extension LivePipeline {
    /// Reads `streams` to their current end, several rotated sets merged by event time (the earliest
    /// next line first, ties to the source whose name sorts first), exactly as replay orders several
    /// sources: a backlog in several files (at startup, after a restart or a long pause) is not
    /// read one file after another, which would put the second file's older lines behind the
    /// watermark (`late`). Lines that do not parse have no time to merge by: they are counted and
    /// tapped as they are met. Every stream is read to its end within this call, so nothing read
    /// ahead is left between polls: a checkpoint's offsets are those of lines processed.
    func readMerged(_ streams: [MergeStream]) throws(InputError) -> Int {
        var order: [String] = []
        var grouped: [String: [MergeStream]] = [:]
        for stream in streams {
            if grouped[stream.logicalPath] == nil { order.append(stream.logicalPath) }
            grouped[stream.logicalPath, default: []].append(stream)
        }
        let chains = order.map { MergeChain(streams: grouped[$0]!) }
            .enumerated().sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }.map(\.element)
        var processed = 0
        var live: [MergeChain] = []
        for chain in chains where try advance(chain, processed: &processed) { live.append(chain) }
        while !live.isEmpty {
            var best = 0
            var bestTs = live[0].parsed.ts
            for i in 1..<live.count where live[i].parsed.ts < bestTs {
                best = i
                bestTs = live[i].parsed.ts
            }
            let chain = live[best]
            let stream = chain.streams[chain.index]
            deliver(chain.line!, parsed: chain.parsed, reason: nil, parser: stream.parser, source: stream.source)
            processed += 1
            if try !advance(chain, processed: &processed) { live.remove(at: best) }
        }
        return processed
    }

    /// Moves `chain` to its next line that parses (lines that do not are delivered on the way).
    /// False when every stream of the chain is at its end.
    private func advance(_ chain: MergeChain, processed: inout Int) throws(InputError) -> Bool {
        chain.line = nil
        while chain.index < chain.streams.count {
            let stream = chain.streams[chain.index]
            let next: Line?
            do {
                next = try stream.reader.next()
            } catch {
                if stream.followed { throw error }
                // Keep what was read before the damage; report the file and go on with the next one.
                counters.sourceErrors.append(error.description)
                stream.onEnd?()
                chain.index += 1
                continue
            }
            guard let line = next else {
                if stream.endsInput, !stream.reader.isAtEndOfInput {
                    stream.reader.endOfInput()
                    continue
                }
                stream.onEnd?()
                chain.index += 1
                continue
            }
            let reason = parse(line, parser: stream.parser, into: &chain.parsed)
            if reason != nil {
                deliver(line, parsed: chain.parsed, reason: reason, parser: stream.parser, source: stream.source)
                processed += 1
                continue
            }
            chain.line = line
            return true
        }
        return false
    }
}
