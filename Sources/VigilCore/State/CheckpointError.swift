/// A checkpoint that cannot be used: torn, corrupt, from another version, or inconsistent with
/// the running rules.
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
