/// Decides which part of one whitespace-separated token is a variable.
///
/// The rules are generic on purpose (one configuration for every log source): a token is a
/// variable when its core, without surrounding brackets, quotes and trailing punctuation, holds a
/// digit (numbers, hex, IPv4/IPv6 with port, UUIDs, durations like `37ms`, versions, ids like
/// `blk_-42` or `job_1445_0020`), is a path or URL, an e-mail or `user@host`, a systemd unit
/// (`cron.service`), or a month or weekday name (timestamps of lines no format matched). `key=value` keeps the key and masks the
/// value. A quoted string is one variable, spaces included.
///
/// Masking a constant that holds a digit (`HTTP/1.1`, `x86_64`) only makes a template less
/// specific; missing a variable splits one event into many groups, which costs far more accuracy.
public enum TokenMasker {
    /// How a token is written into a template.
    public enum Shape: Equatable, Sendable {
        /// Kept as it is.
        case constant
        /// `prefix` bytes kept, then `<*>`, then the last `suffix` bytes kept.
        /// `prefix == 0 && suffix == 0` is a bare wildcard.
        case variable(prefix: Int, suffix: Int)
    }

    /// Byte classes, OR-ed over a token while it is framed so that plain words skip the rules.
    enum ByteClass {
        static let digit: UInt8 = 1
        static let slash: UInt8 = 2          // / and \
        static let at: UInt8 = 4
        static let colon: UInt8 = 8
        static let dot: UInt8 = 16
        static let equals: UInt8 = 32
        static let quote: UInt8 = 64
        static let space: UInt8 = 128
    }

    nonisolated(unsafe) static let classes: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: 0, count: 256)
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(b)] = ByteClass.digit }
        table[47] = ByteClass.slash; table[92] = ByteClass.slash
        table[64] = ByteClass.at
        table[58] = ByteClass.colon
        table[46] = ByteClass.dot
        table[61] = ByteClass.equals
        table[34] = ByteClass.quote; table[39] = ByteClass.quote
        for b in [32, 9, 10, 11, 12, 13] { table[b] = ByteClass.space }
        return UnsafePointer(table)
    }()

    /// The OR of the byte classes of a token.
    static func classify(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt8 {
        var flags: UInt8 = 0
        for i in 0..<n { flags |= classes[Int(p[i])] }
        return flags
    }

    /// The shape of the `n`-byte token at `p` (no whitespace inside unless it is quoted).
    public static func shape(_ p: UnsafePointer<UInt8>, _ n: Int) -> Shape {
        shape(p, n, classes: classify(p, n))
    }

    /// `shape` when the caller has already OR-ed the token's byte classes.
    @inline(__always)
    static func shape(_ p: UnsafePointer<UInt8>, _ n: Int, classes flags: UInt8) -> Shape {
        guard flags == 0 else { return fullShape(p, n, flags) }
        // Letters and punctuation only: a constant unless the core is a month or weekday.
        var start = 0
        var end = n
        while start < end, isOpening(p[start]) { start += 1 }
        while end > start, isClosing(p[end - 1]) { end -= 1 }
        if end - start == 3, isMonthOrWeekday(p + start) { return .variable(prefix: start, suffix: n - end) }
        return .constant
    }

    /// The rules for a token whose bytes include digits or the punctuation of paths, addresses,
    /// fields and quotes; `flags` says which, so only the rules that can apply run.
    private static func fullShape(_ p: UnsafePointer<UInt8>, _ n: Int, _ flags: UInt8) -> Shape {
        var start = 0
        var end = n
        while start < end, isOpening(p[start]) { start += 1 }
        // A quoted string is a variable whatever it holds.
        if start > 0, isQuote(p[start - 1]) {
            var close = end - 1
            while close >= start, p[close] != p[start - 1] { close -= 1 }
            if close >= start { return .variable(prefix: start, suffix: n - close) }
        }
        while end > start, isClosing(p[end - 1]) { end -= 1 }
        guard start < end else { return .constant }

        // key=value: keep `key=`, mask the value (which may be quoted or empty). `a==b` and
        // `a=>b` are operators, not fields.
        if flags & ByteClass.equals != 0, isKeyStart(p[start]) {
            var equals = start + 1
            while equals < end, isKeyByte(p[equals]) { equals += 1 }
            if equals < end, p[equals] == 61, !(equals + 1 < end && (p[equals + 1] == 61 || p[equals + 1] == 62)) {
                if equals + 1 < n, isQuote(p[equals + 1]) {
                    // `key="a b",`: the value runs to its closing quote; keep what follows it.
                    var close = n - 1
                    while close > equals + 1, p[close] != p[equals + 1] { close -= 1 }
                    if close > equals + 1 { return .variable(prefix: equals + 2, suffix: n - close) }
                    return .variable(prefix: equals + 1, suffix: 0)
                }
                return .variable(prefix: equals + 1, suffix: n - end)
            }
        }
        let variable = flags & ByteClass.digit != 0 || isVariableWord(p + start, end - start, flags)
        return variable ? .variable(prefix: start, suffix: n - end) : .constant
    }

    /// The rules for a core without digits.
    private static func isVariableWord(_ p: UnsafePointer<UInt8>, _ n: Int, _ flags: UInt8) -> Bool {
        if flags & ByteClass.slash != 0 {
            if n > 1, p[0] == 47 || p[0] == 92 { return true }                 // /path, \\share
            if n > 1, p[0] == 126, p[1] == 47 { return true }                  // ~/path
            var slashes = 0
            for i in 0..<n where p[i] == 47 { slashes += 1 }
            if slashes >= 2 { return true }                                    // a/b/c, scheme://host
        }
        if flags & ByteClass.at != 0, n > 2 {
            for i in 1..<(n - 1) where p[i] == 64 { return true }              // user@host
        }
        if flags & ByteClass.dot != 0 {
            var dot = n - 1
            while dot > 0, p[dot] != 46 { dot -= 1 }
            if dot > 0, isUnitSuffix(p + dot + 1, n - dot - 1) { return true } // nginx.service
        }
        if flags & ByteClass.colon != 0 {
            var colons = 0
            for i in 0..<n where p[i] == 58 { colons += 1 }
            if colons >= 2, isHex(p, n, allowing: 58) { return true }         // IPv6 like fe80::a
        }
        return n == 3 && isMonthOrWeekday(p)
    }

    @inline(__always) static func isQuote(_ b: UInt8) -> Bool { b == 34 || b == 39 }
    @inline(__always) static func isOpening(_ b: UInt8) -> Bool { b == 40 || b == 91 || b == 123 || b == 60 || b == 34 || b == 39 }
    @inline(__always) static func isClosing(_ b: UInt8) -> Bool {
        switch b {
        case 41, 93, 125, 62, 34, 39, 44, 59, 58, 46, 33, 63: return true   // ) ] } > " ' , ; : . ! ?
        default: return false
        }
    }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 97 < 26 }
    @inline(__always) static func isKeyStart(_ b: UInt8) -> Bool { isLetter(b) || b == 95 || b == 45 }
    @inline(__always) static func isKeyByte(_ b: UInt8) -> Bool { isLetter(b) || b &- 48 < 10 || b == 95 || b == 45 || b == 46 }

    static func isHex(_ p: UnsafePointer<UInt8>, _ n: Int, allowing extra: UInt8) -> Bool {
        for i in 0..<n {
            let b = p[i]
            if b == extra || b &- 48 < 10 || (b | 0x20) &- 97 < 6 { continue }
            return false
        }
        return true
    }

    /// systemd unit types: journald names units in most messages, and `foo.service: Succeeded.`
    /// is one event whatever the unit.
    private static let unitSuffixes: [[UInt8]] = ["service", "socket", "timer", "mount", "target", "scope", "slice", "path", "swap", "device", "automount"].map { Array($0.utf8) }

    static func isUnitSuffix(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard n >= 4, n <= 9 else { return false }
        let suffix = UnsafeBufferPointer(start: p, count: n)
        return unitSuffixes.contains { $0.elementsEqual(suffix) }
    }

    private static let calendarNames: [UInt32] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                                                  "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map { name in
        name.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// `Jan`…`Dec`, `Mon`…`Sun`, as syslog, Apache and Java write them.
    static func isMonthOrWeekday(_ p: UnsafePointer<UInt8>) -> Bool {
        guard p[0] &- 65 < 26, p[1] &- 97 < 26 else { return false }   // Capitalised, as written
        let word = UInt32(p[0]) << 16 | UInt32(p[1]) << 8 | UInt32(p[2])
        return calendarNames.contains(word)
    }
}
