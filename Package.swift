// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "vigil",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "VigilCore", targets: ["VigilCore"]),
    ],
    dependencies: [
        // The only dependency: a declared command line with --help a new user can follow.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // https:// deliveries (--notify, --alertmanager); plain http:// stays on vigil's own sockets.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // signalfd for the live loop's wait (not in Swift's Glibc module).
        .target(name: "CLinux"),
        // Per-byte work Swift's SIMD types cannot express: the CRC-32 that checks gzip members (carry-less
        // multiplication; zlib's was ~6 % of a .gz replay) and the change-keyword scan (byte shuffles).
        .target(name: "CSIMD", linkerSettings: [.linkedLibrary("z")]),
        .target(
            name: "VigilCore",
            dependencies: ["CPCRE2", "CZlib", "CSIMD", "CCurl"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilCore",
                "CLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "VigilCoreTests",
            dependencies: ["VigilCore", "vigil", "CSIMD", "CZlib"],
            // Run by the tests from the source tree (python3), not bundled.
            exclude: ["Support/crashload.py", "Support/loggen.py", "Support/validate_records.py"]
        ),
    ]
)
