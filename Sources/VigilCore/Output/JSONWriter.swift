/// Hand-written JSON encoding into a byte buffer.
///
/// Foundation's `JSONEncoder` leaves U+2028, U+2029, U+0085, the bidi controls and DEL raw, so a
/// reader that splits with `splitlines()` would see lines vigil never wrote (CWE-117). This writer
/// escapes all of them, replaces invalid UTF-8 with U+FFFD, and costs no allocation per value.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    public init() { bytes.reserveCapacity(1024) }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma.removeLast() }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma.removeLast() }

    /// Writes `"name":` inside an object; the value call that follows completes the member.
    public mutating func key(_ name: String) {
        separate()
        appendString(name.utf8)
        bytes.append(UInt8(ascii: ":"))
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = false }
    }

    public mutating func string(_ value: String) { separate(); appendString(value.utf8) }
    public mutating func string<C: Collection>(bytes value: C) where C.Element == UInt8 { separate(); appendString(value) }
    public mutating func int(_ value: Int64) { separate(); bytes.append(contentsOf: String(value).utf8) }
    public mutating func int(_ value: Int) { int(Int64(value)) }
    public mutating func bool(_ value: Bool) { separate(); bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8) }

    /// Numbers are written with at most 6 significant decimals, so output is stable and readable;
    /// NaN and infinities, which JSON cannot carry, become `null`.
    public mutating func number(_ value: Double) {
        separate()
        guard value.isFinite else { bytes.append(contentsOf: "null".utf8); return }
        bytes.append(contentsOf: JSONWriter.formatNumber(value).utf8)
    }

    public mutating func newline() { bytes.append(UInt8(ascii: "\n")) }

    public static func formatNumber(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        // Round to 6 decimals, then trim; deterministic across platforms for the values vigil emits.
        let scaled = (value * 1_000_000).rounded() / 1_000_000
        if scaled == scaled.rounded(), abs(scaled) < 1e15 { return String(Int64(scaled)) }
        var text = String(scaled)
        if text.contains("e") { return text }
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    private mutating func separate() {
        guard !needsComma.isEmpty else { return }
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) } else { needsComma[needsComma.count - 1] = true }
    }

    private mutating func appendString<C: Collection>(_ value: C) where C.Element == UInt8 {
        bytes.append(UInt8(ascii: "\""))
        JSONWriter.escape(value, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends the JSON string body of `value` (without quotes) to `out`.
    public static func escape<C: Collection>(_ value: C, into out: inout [UInt8]) where C.Element == UInt8 {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        func unicodeEscape(_ scalar: UInt32, _ out: inout [UInt8]) {
            out.append(contentsOf: [0x5c, 0x75])
            for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((scalar >> UInt32(shift)) & 0xf)]) }
        }
        var i = value.startIndex
        while i != value.endIndex {
            let b = value[i]
            if b < 0x80 {
                switch b {
                case 0x22: out.append(0x5c); out.append(0x22)
                case 0x5c: out.append(0x5c); out.append(0x5c)
                case 0x0a: out.append(0x5c); out.append(UInt8(ascii: "n"))
                case 0x0d: out.append(0x5c); out.append(UInt8(ascii: "r"))
                case 0x09: out.append(0x5c); out.append(UInt8(ascii: "t"))
                case 0..<0x20, 0x7f: unicodeEscape(UInt32(b), &out)
                default: out.append(b)
                }
                i = value.index(after: i)
                continue
            }
            // Decode one UTF-8 sequence; anything malformed becomes U+FFFD.
            let (scalar, length) = UTF8Decoding.decode(value, at: i)
            guard let scalar else {
                unicodeEscape(0xfffd, &out)
                i = value.index(i, offsetBy: max(length, 1))
                continue
            }
            if scalar == 0x85 || scalar == 0x2028 || scalar == 0x2029 || (0x202a...0x202e).contains(scalar)
                || (0x2066...0x2069).contains(scalar) || (0x80..<0xa0).contains(scalar) || scalar == 0xfeff {
                unicodeEscape(scalar, &out)
            } else {
                var j = i
                for _ in 0..<length { out.append(value[j]); j = value.index(after: j) }
            }
            i = value.index(i, offsetBy: length)
        }
    }
}

/// Strict UTF-8 decoding of one scalar, shared by the writer and the validity check.
public enum UTF8Decoding {
    /// The scalar starting at `i` and the number of bytes it takes, or `nil` and the number of bytes
    /// to skip when the sequence is malformed (overlong, surrogate, truncated, out of range).
    public static func decode<C: Collection>(_ bytes: C, at i: C.Index) -> (UInt32?, Int) where C.Element == UInt8 {
        let b0 = bytes[i]
        let need: Int
        var scalar: UInt32
        switch b0 {
        case 0xc2...0xdf: need = 1; scalar = UInt32(b0 & 0x1f)
        case 0xe0...0xef: need = 2; scalar = UInt32(b0 & 0x0f)
        case 0xf0...0xf4: need = 3; scalar = UInt32(b0 & 0x07)
        default: return (nil, 1)
        }
        var j = bytes.index(after: i)
        for k in 0..<need {
            guard j != bytes.endIndex, bytes[j] & 0xc0 == 0x80 else { return (nil, k + 1) }
            scalar = scalar << 6 | UInt32(bytes[j] & 0x3f)
            j = bytes.index(after: j)
        }
        if (need == 2 && (scalar < 0x800 || (0xd800...0xdfff).contains(scalar))) || (need == 3 && (scalar < 0x10000 || scalar > 0x10ffff)) {
            return (nil, need + 1)
        }
        return (scalar, need + 1)
    }

    /// Whether every byte sequence in `bytes` is valid UTF-8.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            if bytes[i] < 0x80 { i += 1; continue }
            let (scalar, length) = decode(bytes, at: i)
            if scalar == nil { return false }
            i += length
        }
        return true
    }
}
