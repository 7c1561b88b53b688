/// What template mining reads from a line (SPEC, `vigil templates`): the message a format
/// extracted, or the whole line when no format matched or the format has no message.
public enum TemplateInput {
    /// The bytes to mine for the `n`-byte line at `p`; valid until the next parse or line.
    public static func message(_ p: UnsafePointer<UInt8>, _ n: Int, parser: LineParser, parsed: inout ParsedLine) -> UnsafeBufferPointer<UInt8> {
        // A line whose timestamp is unreadable still matched a format, so its message is used too.
        _ = parser.parse(p, n, into: &parsed)
        if let message = parsed.message, message.baseAddress != nil { return message }
        return UnsafeBufferPointer(start: p, count: n)
    }
}
