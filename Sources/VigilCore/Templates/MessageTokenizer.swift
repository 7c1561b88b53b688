/// Splits a message into whitespace-separated tokens and masks their variable parts, into
/// buffers it owns and reuses: tokenizing a line allocates nothing once the buffers have grown to
/// the longest line seen.
///
/// After `tokenize`, token `i` has the masked text `text(i)` and the hash `hashes[i]`
/// (`TokenHash.wildcard` for a bare `<*>`), and `sequenceHash` identifies the whole masked line.
/// A quoted string, or the quoted value of `key="…"`, is one token even when it holds spaces, so
/// free text in quotes does not change the token count. Constant tokens are hashed where they lie
/// in the message; only partly masked ones (`key=<*>`, `(<*>)`) are written out, so `text(i)`
/// points into the message for constants and is valid only while the message's bytes are.
public final class MessageTokenizer {
    /// Number of tokens of the last line.
    public private(set) var count = 0
    /// Hash of every masked token of the last line, then of its length.
    public private(set) var sequenceHash: UInt64 = 0
    /// Token hashes; valid for `0..<count`.
    public private(set) var hashes: UnsafeMutablePointer<UInt64>
    /// Whether token `i` had any part masked; only unmasked tokens route in the prefix tree.
    public private(set) var masked: UnsafeMutablePointer<Bool>
    private var bases: UnsafeMutablePointer<UnsafePointer<UInt8>>
    private var lengths: UnsafeMutablePointer<Int32>
    /// Partly masked tokens, written out so that their text is contiguous.
    private var composed: UnsafeMutablePointer<UInt8>
    private var tokenCapacity = 64
    private var composedCapacity = 1024

    public init() {
        hashes = .allocate(capacity: tokenCapacity)
        masked = .allocate(capacity: tokenCapacity)
        bases = .allocate(capacity: tokenCapacity)
        lengths = .allocate(capacity: tokenCapacity)
        composed = .allocate(capacity: composedCapacity)
    }

    deinit {
        hashes.deallocate()
        masked.deallocate()
        bases.deallocate()
        lengths.deallocate()
        composed.deallocate()
    }

    /// The masked text of token `i` of the last line; valid until the next `tokenize` and while
    /// the message's bytes are.
    public func text(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bases[i], count: Int(lengths[i]))
    }

    /// Tokenizes and masks the `n` bytes at `p`.
    public func tokenize(_ p: UnsafePointer<UInt8>, _ n: Int) {
        reserve(bytes: n)
        count = 0
        var written = 0
        var sequence: UInt64 = 0x5eed
        var i = 0
        while i < n {
            while i < n, Self.isSpace(p[i]) { i += 1 }
            guard i < n else { break }
            let start = i
            var classes: UInt8 = 0
            i = tokenEnd(p, n, start, &classes)
            written = emit(p + start, i - start, classes: classes, composedAt: written)
            sequence = TokenHash.mix(sequence, hashes[count - 1])
        }
        sequenceHash = TokenHash.mix(sequence, UInt64(count))
    }

    /// Convenience for tests and callers holding a `String` (token texts are not kept).
    public func tokenize(_ message: String) {
        var bytes = Array(message.utf8)
        bytes.append(0)
        bytes.withUnsafeBufferPointer { buffer in
            tokenize(buffer.baseAddress!, buffer.count - 1)
            tokens = (0..<count).map { String(decoding: text($0), as: UTF8.self) }
        }
    }

    /// The masked tokens of the last `tokenize(String)` call (for tests and diagnostics).
    public private(set) var tokens: [String] = []

    /// Where the token starting at `start` ends: at whitespace, except that a quoted string (at the
    /// start of the token or after `key=`) runs to its closing quote when one follows.
    @inline(__always)
    private func tokenEnd(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ flags: inout UInt8) -> Int {
        let classes = TokenMasker.classes
        var i = start
        while i < n {
            let c = classes[Int(p[i])]
            if c >= TokenMasker.ByteClass.quote {
                if c == TokenMasker.ByteClass.space { break }
                if i == start || p[i - 1] == 61, let close = Self.closingQuote(p, n, from: i + 1, quote: p[i]) {
                    flags |= c
                    i = close + 1
                    continue
                }
            }
            flags |= c
            i += 1
        }
        return i
    }

    /// The index of the quote that closes a string opened before `from`: the next `quote` that is
    /// followed by whitespace, punctuation or the end of the line.
    private static func closingQuote(_ p: UnsafePointer<UInt8>, _ n: Int, from: Int, quote: UInt8) -> Int? {
        var j = from
        while j < n {
            if p[j] == quote, j + 1 == n || isSpace(p[j + 1]) || TokenMasker.isClosing(p[j + 1]) { return j }
            j += 1
        }
        return nil
    }

    /// Records one token: constants as they lie, partly masked tokens written to `composed`.
    @inline(__always)
    private func emit(_ p: UnsafePointer<UInt8>, _ n: Int, classes: UInt8, composedAt offset: Int) -> Int {
        switch TokenMasker.shape(p, n, classes: classes) {
        case .constant:
            hashes[count] = TokenHash.bytes(p, n)
            masked[count] = false
            bases[count] = p
            lengths[count] = Int32(n)
            count += 1
            return offset
        case .variable(let prefix, let suffix) where prefix == 0 && suffix == 0:
            hashes[count] = TokenHash.wildcard
            masked[count] = true
            bases[count] = Self.wildcardText
            lengths[count] = 3
            count += 1
            return offset
        case .variable(let prefix, let suffix):
            let out = composed + offset
            out.update(from: p, count: prefix)
            out[prefix] = 60; out[prefix + 1] = 42; out[prefix + 2] = 62   // <*>
            (out + prefix + 3).update(from: p + n - suffix, count: suffix)
            let length = prefix + 3 + suffix
            hashes[count] = TokenHash.bytes(out, length)
            masked[count] = true
            bases[count] = UnsafePointer(out)
            lengths[count] = Int32(length)
            count += 1
            return offset + length
        }
    }

    /// Grows the buffers for a line of `n` bytes: at most `n/2 + 1` tokens, and masking adds at
    /// most 3 bytes per token (`x` → `<*>`).
    private func reserve(bytes n: Int) {
        let tokens = n / 2 + 2
        if tokens > tokenCapacity {
            tokenCapacity = max(tokens, tokenCapacity * 2)
            hashes.deallocate(); masked.deallocate(); bases.deallocate(); lengths.deallocate()
            hashes = .allocate(capacity: tokenCapacity)
            masked = .allocate(capacity: tokenCapacity)
            bases = .allocate(capacity: tokenCapacity)
            lengths = .allocate(capacity: tokenCapacity)
        }
        let bytes = n + 3 * tokens
        if bytes > composedCapacity {
            composedCapacity = max(bytes, composedCapacity * 2)
            composed.deallocate()
            composed = .allocate(capacity: composedCapacity)
        }
    }

    nonisolated(unsafe) private static let wildcardText: UnsafePointer<UInt8> = {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 3)
        buffer.initialize(from: TokenHash.wildcardText, count: 3)
        return UnsafePointer(buffer)
    }()

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 32 || b &- 9 < 5 }
}
