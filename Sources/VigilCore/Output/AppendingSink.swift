#if canImport(Glibc)
import Glibc
#endif

/// Appends byte records to a file (created 0640) or stdout, buffered; `flush` writes them out.
public final class AppendingSink: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private let owned: Bool
    private var buffer: [UInt8] = []
    /// The first write error; once set, nothing more is written.
    public private(set) var error: String?

    public init(path: String) throws(InputError) {
        self.path = path
        if path == "-" {
            fd = 1
            owned = false
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw InputError(kind: .io, path: path, message: String(cString: strerror(errno))) }
            owned = true
        }
    }

    deinit {
        flush()
        if owned { close(fd) }
    }

    public func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        guard error == nil, !buffer.isEmpty else { return }
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, buffer.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                error = "\(path): write failed: \(String(cString: strerror(errno)))"
                return
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The `--tap` line of `vigil run`: the line as `vigil parse` prints it, with where it came from.
public enum TapEncoder {
    public static func encode(_ tap: LivePipeline.TapLine) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("source"); w.string(tap.source)
        w.key("line"); w.int(tap.line.number)
        w.key("offset"); w.int(tap.line.offset)
        if let parsed = tap.parsed {
            ParsedLineJSON.write(parsed, parser: tap.parser, into: &w)
        } else {
            ParsedLineJSON.writeUnparsed(tap.reason ?? .noMatch, into: &w)
        }
        w.endObject()
        w.newline()
        return w.bytes
    }
}
