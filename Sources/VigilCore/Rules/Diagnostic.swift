/// One problem in a rule or pattern file, reported as `FILE:LINE:COL: message` (1-based).
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Every diagnostic found while loading a rule set; vigil refuses a rule set with any of them.
public struct RuleSetError: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// A value in a rule file and where it stands, so later checks can point at it.
public struct Located<Value: Sendable>: Sendable {
    public let value: Value
    public let file: String
    public let line: Int
    public let column: Int

    public init(value: Value, file: String, line: Int, column: Int) {
        self.value = value
        self.file = file
        self.line = line
        self.column = column
    }

    public func diagnostic(_ message: String, columnOffset: Int = 0) -> Diagnostic {
        Diagnostic(file: file, line: line, column: column + columnOffset, message: message)
    }
}
