import CPCRE2

/// A compile error with the byte offset into the pattern where PCRE2 stopped.
public struct PatternError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) (at offset \(offset))" }
}

/// Limits applied to every match so a hostile or careless pattern cannot stall the pipeline.
public struct MatchLimits: Sendable {
    /// PCRE2 match limit (backtracking steps); `(*LIMIT_MATCH=…)` in a pattern can lower it, never raise it.
    public var match: UInt32 = 100_000
    /// PCRE2 depth limit (interpreter only; JIT is bounded by its stack).
    public var depth: UInt32 = 10_000
    public init() {}
}

/// A PCRE2 pattern compiled once (JIT where available) in byte mode, with its named groups.
///
/// Byte mode (no `PCRE2_UTF`) lets invalid UTF-8 lines be matched instead of rejected; the
/// fields vigil extracts are ASCII-delimited, and output escaping repairs the rest.
public final class CompiledPattern: @unchecked Sendable {
    // Immutable after init; PCRE2 code is safe to share between threads.
    let code: OpaquePointer
    public let source: String
    /// Named groups as (name, group number), in name-table order; duplicates allowed (grok reuse).
    public let groups: [(name: String, number: Int)]
    public let isJIT: Bool
    /// Which first bytes a match can start with (from PCRE2's start analysis), for anchored patterns;
    /// nil when any byte may start a match. Lets the parser skip a format without calling PCRE2.
    public let firstBytes: [Bool]?
    /// The pattern can only match at the subject's start (`^`), so a subject's first bytes alone
    /// can show that no line starting with them matches.
    public let isAnchored: Bool

    public init(_ pattern: String, caseless: Bool = false) throws(PatternError) {
        var errorCode: Int32 = 0
        var errorOffset = 0
        var options = UInt32(PCRE2_DUPNAMES)
        if caseless { options |= UInt32(PCRE2_CASELESS) }
        let bytes = Array(pattern.utf8)
        guard let compiled = bytes.withUnsafeBufferPointer({
            pcre2_compile_8($0.baseAddress, $0.count, options, &errorCode, &errorOffset, nil)
        }) else {
            var buffer = [UInt8](repeating: 0, count: 256)
            let length = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
            throw PatternError(message: String(decoding: buffer.prefix(max(0, Int(length))), as: UTF8.self), offset: errorOffset)
        }
        code = compiled
        source = pattern
        isJIT = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0

        var count: UInt32 = 0, entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>? = nil
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMECOUNT), &count)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMETABLE), &table)
        var groups: [(String, Int)] = []
        if let table {
            for i in 0..<Int(count) {
                let entry = table + i * Int(entrySize)
                let number = Int(entry[0]) << 8 | Int(entry[1])
                groups.append((String(cString: entry + 2), number))
            }
        }
        self.groups = groups
        firstBytes = CompiledPattern.startBytes(compiled)
        var all: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_ALLOPTIONS), &all)
        isAnchored = all & UInt32(PCRE2_ANCHORED) != 0
    }

    private static func startBytes(_ code: OpaquePointer) -> [Bool]? {
        var options: UInt32 = 0
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_ALLOPTIONS), &options)
        // Only an anchored pattern must match at the first byte; others may start anywhere.
        guard options & UInt32(PCRE2_ANCHORED) != 0 else { return nil }
        var type: UInt32 = 0
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTCODETYPE), &type)
        if type == 1, options & UInt32(PCRE2_CASELESS) == 0 {
            var unit: UInt32 = 0
            pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTCODEUNIT), &unit)
            var table = [Bool](repeating: false, count: 256)
            if unit < 256 { table[Int(unit)] = true }
            return table
        }
        var bitmap: UnsafePointer<UInt8>? = nil
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTBITMAP), &bitmap)
        guard let bitmap else { return nil }
        return (0..<256).map { bitmap[$0 >> 3] & (1 << UInt8($0 & 7)) != 0 }
    }

    deinit { pcre2_code_free_8(code) }

    /// The group number of `name` (the first, when names repeat), or nil.
    public func groupNumber(_ name: String) -> Int? { groups.first { $0.name == name }?.number }
}

/// Per-thread matching state for one pattern: match data and context are allocated once and reused
/// for every line, so matching allocates nothing.
public final class Matcher {
    public let pattern: CompiledPattern
    private let matchData: OpaquePointer
    private let context: OpaquePointer
    private let jitStack: OpaquePointer?
    private let ovector: UnsafeMutablePointer<Int>
    /// Matches that hit the match, depth or JIT stack limit (counted, the line is treated as unmatched).
    public private(set) var limitHits = 0

    public init(_ pattern: CompiledPattern, limits: MatchLimits = MatchLimits()) {
        self.pattern = pattern
        matchData = pcre2_match_data_create_from_pattern_8(pattern.code, nil)
        context = pcre2_match_context_create_8(nil)
        pcre2_set_match_limit_8(context, limits.match)
        pcre2_set_depth_limit_8(context, limits.depth)
        if pattern.isJIT {
            jitStack = pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil)
            pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack))
        } else {
            jitStack = nil
        }
        ovector = pcre2_get_ovector_pointer_8(matchData)
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }

    /// True when no subject starting with the `count` bytes at `prefix` can match (an anchored
    /// pattern failed on them before needing more: PCRE2's hard partial matching, by the
    /// interpreter, which needs no partial JIT code). False when some continuation might match, or
    /// the probe hit a limit. Overwrites the last match's groups.
    public func cannotMatchAnythingStarting(with prefix: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        guard pattern.isAnchored else { return false }
        let rc = pcre2_match_8(pattern.code, prefix, count, 0, UInt32(PCRE2_PARTIAL_HARD | PCRE2_NO_JIT), matchData, context)
        return rc == PCRE2_ERROR_NOMATCH
    }

    /// Matches `count` bytes at `subject`. On success, `range(of:)` gives group offsets.
    @inline(__always)
    public func match(_ subject: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        switch raw.match(subject, count) {
        case .matched: return true
        case .limitHit: limitHits += 1; return false
        case .noMatch: return false
        }
    }

    /// Byte range (start, end) of group `number` in the last successful match, or nil when unset.
    @inline(__always)
    public func range(_ number: Int) -> (start: Int, end: Int)? { raw.range(number) }

    /// The same matcher as plain pointers, for the per-line path: copying it costs no reference
    /// counting. Valid while this `Matcher` lives.
    public var raw: RawMatcher {
        RawMatcher(code: pattern.code, matchData: matchData, context: context, ovector: ovector, isJIT: pattern.isJIT)
    }
}

/// Outcome of one match.
public enum MatchOutcome { case matched, noMatch, limitHit }

/// A matcher's C handles without ownership (see `Matcher.raw`).
public struct RawMatcher {
    let code: OpaquePointer
    let matchData: OpaquePointer
    let context: OpaquePointer
    let ovector: UnsafeMutablePointer<Int>
    let isJIT: Bool

    @inline(__always)
    public func match(_ subject: UnsafePointer<UInt8>, _ count: Int) -> MatchOutcome {
        let rc = isJIT ? pcre2_jit_match_8(code, subject, count, 0, 0, matchData, context)
                       : pcre2_match_8(code, subject, count, 0, 0, matchData, context)
        if rc >= 0 { return .matched }
        if rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_HEAPLIMIT {
            return .limitHit
        }
        return .noMatch
    }

    @inline(__always)
    public func range(_ number: Int) -> (start: Int, end: Int)? {
        guard number >= 0 else { return nil }
        let start = ovector[2 * number]
        if start == vigil_pcre2_unset() { return nil }
        return (start, ovector[2 * number + 1])
    }
}
