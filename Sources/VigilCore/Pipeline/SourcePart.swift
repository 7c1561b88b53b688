/// What one thread of a parallel read (`replay --jobs`, `templates --jobs`) reads of a source: one
/// of its files, whole or a line-aligned byte range of a large plain one.
struct SourcePart {
    var file: Int
    /// A segment of a large plain file (opened once for all its segments), or nil: the whole file.
    var segment: (file: SegmentedFile, start: Int64, end: Int64)?
    /// Line numbers start over here.
    var startsFile: Bool { (segment?.start ?? 0) == 0 }

    /// The parts of `files` (a source's, oldest first) in order: every file whole, except that with
    /// `jobs` > 1 a plain file of at least `minimumBytes` is cut into segments of about `segmentBytes`.
    static func parts(of files: [String], jobs: Int, minimumBytes: Int64, segmentBytes: Int64) -> [SourcePart] {
        var parts: [SourcePart] = []
        for (file, path) in files.enumerated() {
            if jobs > 1, path != "-",
               let segmented = SegmentedFile.open(path, atLeast: jobs, minimumBytes: minimumBytes, segmentBytes: segmentBytes) {
                parts += segmented.ranges.map { SourcePart(file: file, segment: (segmented, $0.start, $0.end)) }
            } else {
                parts.append(SourcePart(file: file, segment: nil))
            }
        }
        return parts
    }

    /// A reader of this part of the file at `path`; a segment's lines are numbered from 1 and its
    /// offsets are the file's.
    func openReader(_ path: String, maxLineBytes: Int) throws(InputError) -> LineReader {
        guard let segment else { return LineReader(stream: try InputOpener.open(path), maxLineBytes: maxLineBytes) }
        let reader = LineReader(stream: RangeStream(segment.file, start: segment.start, end: segment.end), maxLineBytes: maxLineBytes)
        reader.resume(atOffset: segment.start, lineNumber: 0)
        return reader
    }
}
