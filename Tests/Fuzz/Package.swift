// swift-tools-version:6.0
// libFuzzer targets for vigil's byte-level stages. Kept out of the main package so users and the
// test command never build them. Build and run: Tests/Fuzz/run.sh [SECONDS] [TARGET...], which
// passes -sanitize=fuzzer,address to every Swift target, VigilCore included, so coverage guides
// the fuzzer through vigil's own code.
import PackageDescription

let fuzzFlags: [SwiftSetting] = []
// gold fails on the sanitizer runtime here; lld links it.
let linkFlags: [LinkerSetting] = [.unsafeFlags(["-use-ld=lld"])]

let targets = ["FuzzLineFramer", "FuzzGzip", "FuzzJSONLine", "FuzzTimestamp", "FuzzRuleFile", "FuzzGrok"]

let package = Package(
    name: "vigil-fuzz",
    dependencies: [.package(name: "vigil", path: "../..")],
    targets: [.target(name: "FuzzSupport", dependencies: [.product(name: "VigilCore", package: "vigil")], path: "Sources/FuzzSupport", swiftSettings: fuzzFlags)] + targets.map { name in
        .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "VigilCore", package: "vigil")],
                          path: "Sources/\(name)", swiftSettings: fuzzFlags, linkerSettings: linkFlags)
    }
)
