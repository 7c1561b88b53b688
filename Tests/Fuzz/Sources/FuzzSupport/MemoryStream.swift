import VigilCore

/// Bytes from memory in chunks whose sizes come from the input itself, so the fuzzer also explores
/// how a stage copes with data arriving in pieces.
public final class MemoryStream: ByteStream {
    private let bytes: [UInt8]
    private var position = 0
    private var turn = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(InputError) -> Int {
        let wanted = bytes.isEmpty ? 1 : 1 + Int(bytes[turn % bytes.count]) * 7
        turn += 1
        let n = min(capacity, wanted, bytes.count - position)
        for i in 0..<n { buffer[i] = bytes[position + i] }
        position += n
        return n
    }
}
