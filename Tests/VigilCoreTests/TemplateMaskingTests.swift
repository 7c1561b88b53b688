import Testing
@testable import VigilCore

/// The masker and tokenizer: which parts of a message become `<*>`.
struct TemplateMaskingTests {
    static func masked(_ message: String) -> String {
        let tokenizer = MessageTokenizer()
        tokenizer.tokenize(message)
        return tokenizer.tokens.joined(separator: " ")
    }

    @Test(arguments: [
        // numbers, hex, durations, versions, ids with digits
        ("took 37ms for 12 items", "took <*> for <*> items"),
        ("checksum 0xdeadbeef mismatch", "checksum <*> mismatch"),
        ("block blk_-1608999687919862906 done", "block <*> done"),
        ("attempt_201706091_0020_m_000002_0: Committed", "<*>: Committed"),
        ("latency 1.5s p99 2.25", "latency <*> <*> <*>"),
        // UUIDs and addresses with and without ports, IPv6
        ("request 123e4567-e89b-12d3-a456-426614174000 failed", "request <*> failed"),
        ("from 10.0.0.1 port 22", "from <*> port <*>"),
        ("peer 10.0.0.1:50010 closed", "peer <*> closed"),
        ("bind [fe80::1%eth0]:443 ok", "bind [<*> ok"),
        ("listening on :: and ::1", "listening on :: and <*>"),
        // paths, URLs, e-mail, systemd units, calendar words
        ("open /var/log/app.log failed", "open <*> failed"),
        ("fetch https://example.com/a/b ok", "fetch <*> ok"),
        ("copied ~/notes to a/b/c", "copied <*> to <*>"),
        ("user alice@example.com logged in", "user <*> logged in"),
        ("cron.service: Succeeded.", "<*>: Succeeded."),
        ("[Sun Dec 04 04:47:44 2005] [notice] ok", "[<*> <*> <*> <*> <*>] [notice] ok"),
        // key=value keeps the key; quoted strings are one variable; punctuation stays
        ("status=200 user=root", "status=<*> user=<*>"),
        ("msg=\"hello big world\" code=7,", "msg=\"<*>\" code=<*>,"),
        ("Setting \"a b c\" to 'x y'.", "Setting \"<*>\" to '<*>'."),
        ("connection (10.0.0.1) reset, retry [3]", "connection (<*>) reset, retry [<*>]"),
        ("a==b and x=>y stay", "a==b and x=>y stay"),
        // words stay, including apostrophes and lone punctuation
        ("can't open socket - giving up", "can't open socket - giving up"),
        ("", ""),
    ])
    func masking(_ input: String, _ expected: String) {
        #expect(Self.masked(input) == expected)
    }

    @Test func whitespaceRunsAndTabsSeparateTokens() {
        let tokenizer = MessageTokenizer()
        tokenizer.tokenize("  a\t\tb   c  ")
        #expect(tokenizer.tokens == ["a", "b", "c"])
    }

    @Test func unbalancedQuotesDoNotSwallowTheLine() {
        #expect(Self.masked("it said \"hello world") == "it said \"hello world")
    }

    @Test func sequenceHashDependsOnMaskedTokensOnly() {
        let tokenizer = MessageTokenizer()
        tokenizer.tokenize("took 37ms from 10.0.0.1")
        let first = tokenizer.sequenceHash
        tokenizer.tokenize("took   5ms from 192.168.1.20")
        #expect(tokenizer.sequenceHash == first)
        tokenizer.tokenize("took 5ms to 192.168.1.20")
        #expect(tokenizer.sequenceHash != first)
    }

    @Test func longLinesGrowTheBuffers() {
        let message = (0..<5000).map { $0 % 2 == 0 ? "w" : "\($0)" }.joined(separator: " ")
        let tokenizer = MessageTokenizer()
        tokenizer.tokenize(message)
        #expect(tokenizer.count == 5000)
        #expect(tokenizer.tokens[1] == "<*>" && tokenizer.tokens[4998] == "w")
    }
}
