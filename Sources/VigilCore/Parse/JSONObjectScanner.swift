/// Iterates the top-level members of a one-line JSON object without building any values.
///
/// Nested objects and arrays are skipped (their range is returned), strings are returned raw
/// (between the quotes, escapes untouched) with a flag saying whether they hold escapes.
struct JSONObjectScanner {
    enum ValueKind { case string, number, literal, array, object }
    struct Member {
        var key: Int, keyLength: Int
        var value: Int, valueLength: Int
        var kind: ValueKind
        var escaped: Bool
    }

    private let p: UnsafePointer<UInt8>
    private let n: Int
    private var i = 0
    /// Set when the text is not a well-formed object; iteration stops.
    private(set) var malformed = false

    /// nil when the line does not start with `{`.
    init?(_ p: UnsafePointer<UInt8>, _ n: Int) {
        self.p = p
        self.n = n
        skipSpace()
        guard i < n, p[i] == 123 else { return nil }
        i += 1
    }

    private mutating func skipSpace() { while i < n, p[i] == 32 || p[i] == 9 || p[i] == 13 { i += 1 } }

    /// Scans a string starting after its opening quote; returns its end (the closing quote) or nil.
    private mutating func scanString(escaped: inout Bool) -> Int? {
        while i < n {
            let b = p[i]
            if b == 34 { let end = i; i += 1; return end }
            if b == 92 { escaped = true; i += 2; continue }
            i += 1
        }
        return nil
    }

    mutating func next() -> Member? {
        guard !malformed else { return nil }
        skipSpace()
        guard i < n else { malformed = true; return nil }
        if p[i] == 125 { i += 1; return nil }
        if p[i] == 44 { i += 1; skipSpace() }
        guard i < n, p[i] == 34 else { malformed = true; return nil }
        i += 1
        let keyStart = i
        var keyEscaped = false
        guard let keyEnd = scanString(escaped: &keyEscaped) else { malformed = true; return nil }
        skipSpace()
        guard i < n, p[i] == 58 else { malformed = true; return nil }
        i += 1
        skipSpace()
        guard i < n else { malformed = true; return nil }
        var member = Member(key: keyStart, keyLength: keyEnd - keyStart, value: i, valueLength: 0, kind: .literal, escaped: false)
        switch p[i] {
        case 34:
            i += 1
            member.value = i
            var escaped = false
            guard let end = scanString(escaped: &escaped) else { malformed = true; return nil }
            member.valueLength = end - member.value
            member.kind = .string
            member.escaped = escaped
        case 123, 91:
            member.kind = p[i] == 123 ? .object : .array
            var depth = 0
            let start = i
            while i < n {
                let b = p[i]
                if b == 34 {
                    i += 1
                    var escaped = false
                    guard scanString(escaped: &escaped) != nil else { malformed = true; return nil }
                    continue
                }
                if b == 123 || b == 91 { depth += 1 } else if b == 125 || b == 93 { depth -= 1; if depth == 0 { i += 1; break } }
                i += 1
            }
            guard depth == 0 else { malformed = true; return nil }
            member.valueLength = i - start
        default:
            let start = i
            while i < n, p[i] != 44, p[i] != 125, p[i] != 32 { i += 1 }
            member.valueLength = i - start
            member.kind = (p[start] == 45 || p[start] &- 48 < 10) ? .number : .literal
        }
        return member
    }

    /// Decodes a JSON string body (escapes included) into `out`; returns the decoded length.
    static func unescape(_ s: UnsafePointer<UInt8>, _ count: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var i = 0, o = 0
        while i < count {
            let b = s[i]
            guard b == 92, i + 1 < count else { out[o] = b; o += 1; i += 1; continue }
            let e = s[i + 1]
            i += 2
            switch e {
            case 110: out[o] = 10; o += 1
            case 116: out[o] = 9; o += 1
            case 114: out[o] = 13; o += 1
            case 98: out[o] = 8; o += 1
            case 102: out[o] = 12; o += 1
            case 117:
                guard i + 4 <= count, var scalar = hex4(s + i) else { out[o] = 63; o += 1; continue }
                i += 4
                // Surrogate pair.
                if (0xd800..<0xdc00).contains(scalar), i + 6 <= count, s[i] == 92, s[i + 1] == 117, let low = hex4(s + i + 2), (0xdc00..<0xe000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                    i += 6
                }
                if (0xd800..<0xe000).contains(scalar) { scalar = 0xfffd }
                o += encodeUTF8(scalar, out + o)
            default: out[o] = e; o += 1
            }
        }
        return o
    }

    private static func hex4(_ s: UnsafePointer<UInt8>) -> UInt32? {
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = s[k]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 97...102: d = UInt32(c - 87)
            case 65...70: d = UInt32(c - 55)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    /// Writes `scalar` as UTF-8 (at most 4 bytes; a `\uXXXX` escape is 6, so output never outgrows input).
    private static func encodeUTF8(_ scalar: UInt32, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80: out[0] = UInt8(scalar); return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xc0 | scalar >> 6); out[1] = UInt8(0x80 | scalar & 0x3f); return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xe0 | scalar >> 12); out[1] = UInt8(0x80 | (scalar >> 6) & 0x3f); out[2] = UInt8(0x80 | scalar & 0x3f); return 3
        default:
            out[0] = UInt8(0xf0 | scalar >> 18); out[1] = UInt8(0x80 | (scalar >> 12) & 0x3f)
            out[2] = UInt8(0x80 | (scalar >> 6) & 0x3f); out[3] = UInt8(0x80 | scalar & 0x3f); return 4
        }
    }
}
