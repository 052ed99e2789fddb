// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "pocket-relay-miner",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pocket-relay-miner", targets: ["PocketRelayMinerCLI"]),
        .library(name: "PocketProtocol", targets: ["PocketProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/attaswift/BigInt.git", from: "6.0.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // C system libraries (headers come from the Debian -dev packages; no pkgConfig, see spec/swift-stack.md).
        .systemLibrary(name: "CSecp256k1", path: "Sources/CSecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis", providers: [.apt(["libhiredis-dev"])]),
        // Our own C helpers, unit-tested with cmocka by CmockaRunner.
        .target(name: "CPocketMath", path: "Sources/CPocketMath"),
        .executableTarget(
            name: "CmockaRunner",
            dependencies: ["CPocketMath"],
            path: "Sources/CmockaRunner",
            linkerSettings: [.linkedLibrary("cmocka")]
        ),

        // Pure protocol layer: wire types, crypto, SMST, session math. No I/O.
        .target(
            name: "PocketProtocol",
            dependencies: [
                "CSecp256k1", "COpenSSL", "CPocketMath",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "BigInt", package: "BigInt"),
            ],
            path: "Sources/Protocol"
        ),
        // Golden-vector checker shared by the test suite and the `vectors` command.
        .target(
            name: "PocketVectors",
            dependencies: ["PocketProtocol"],
            path: "Sources/Vectors"
        ),
        // Runtime core: relayer and miner logic written only against ports.
        .target(
            name: "RelayRuntime",
            dependencies: ["PocketProtocol"],
            path: "Sources/Runtime/Core"
        ),
        // Production adapters for the runtime ports.
        .target(
            name: "RelayRuntimeLive",
            dependencies: [
                "RelayRuntime", "CHiredis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/Runtime/Live"
        ),
        // Deterministic simulator: kernel, Redis model, fake chain, scenarios.
        .target(
            name: "PocketSim",
            dependencies: ["RelayRuntime", "PocketProtocol", .product(name: "Yams", package: "Yams")],
            path: "Sources/Sim"
        ),
        .executableTarget(
            name: "PocketRelayMinerCLI",
            dependencies: [
                "PocketProtocol", "PocketVectors", "RelayRuntime", "RelayRuntimeLive", "PocketSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/CLI"
        ),

        .testTarget(name: "ProtocolTests", dependencies: ["PocketProtocol", "PocketVectors"], path: "Tests/ProtocolTests"),
        .testTarget(name: "RuntimeTests", dependencies: ["RelayRuntime"], path: "Tests/RuntimeTests"),
        .testTarget(name: "SimTests", dependencies: ["PocketSim", "RelayRuntime"], path: "Tests/SimTests"),
        .testTarget(name: "LiveTests", dependencies: ["RelayRuntimeLive", "PocketSim", "RelayRuntime"], path: "Tests/LiveTests"),
    ]
)
