/// Starts libFuzzer with `body` as the target. SwiftPM gives executables their own entry point,
/// so libFuzzer's `main` is not used; its driver is called from ours instead.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

nonisolated(unsafe) private var target: ((UnsafePointer<UInt8>, Int) -> Void)?

public func runFuzzer(_ body: @escaping (UnsafePointer<UInt8>, Int) -> Void) -> Never {
    target = body
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in LLVMFuzzerTestOneInput(data, size) }
    exit(status)
}

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's entry, forwarding to the target given to `runFuzzer`.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var empty: UInt8 = 0
    target?(data ?? withUnsafePointer(to: &empty) { $0 }, size)
    return 0
}
