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
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        // gRPC: the chain's query/tx services (client and the chain stand-in's server).
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        // CometBFT JSON-RPC: the stand-in's HTTP + WebSocket server and the live client's HTTP and WebSocket.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // Operator observability: metrics exported on /metrics in Prometheus text format.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Already in the graph (via hummingbird-websocket); named so the live backend adapter and servers can use them:
        // gzip answers of backends (compress-nio) and HTTP field types (HTTPTypes).
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // C system libraries (headers come from the Debian -dev packages; no pkgConfig, see docs/architecture.md#toolchain-notes).
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
            path: "Sources/Protocol",
            // Optimized even in debug builds: the variable-time curve arithmetic and the SMST
            // are ~30× slower unoptimized, which would make the simulator (and so the test
            // suite, which runs debug builds) crawl. Allowed because this is a root package.
            swiftSettings: [.unsafeFlags(["-O"])]
        ),
        // Golden-vector checker shared by the test suite and the `vectors` command.
        .target(
            name: "PocketVectors",
            dependencies: ["PocketProtocol", .product(name: "BigInt", package: "BigInt")],
            path: "Sources/Vectors"
        ),
        // Runtime core: relayer and miner logic written only against ports.
        .target(
            name: "RelayRuntime",
            dependencies: [
                "PocketProtocol",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "BigInt", package: "BigInt"),
            ],
            path: "Sources/Runtime/Core"
        ),
        // Production adapters for the runtime ports.
        .target(
            name: "RelayRuntimeLive",
            dependencies: [
                "RelayRuntime", "CHiredis", "PocketProtocol", "PocketChainAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                // The chain's gRPC query and tx services (Chain/).
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                // The CometBFT RPC (blocks) over HTTP and WebSocket (Chain/).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                // Backend/: HTTP methods and headers, gzip answers, WebSocket handshake headers.
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // Telemetry/: the TelemetryPort exported as Prometheus metrics and swift-log lines.
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // Keys/: supplier key files (YAML lists, per-key YAML/JSON files).
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/Runtime/Live"
        ),
        // Tooling around a real redis-server (a throwaway child process on a free port), for the live
        // tests and the CLI's bench/dev commands; kept out of the production adapters.
        .target(
            name: "RedisTooling",
            dependencies: ["RelayRuntimeLive", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            path: "Sources/Tooling/Redis"
        ),
        // Deterministic simulator (Sources/Sim), one target per job so each builds and tests alone.
        // Kernel: serial executor, virtual clock, split entropy, event trace.
        .target(
            name: "SimKernel",
            dependencies: [
                "RelayRuntime", "PocketProtocol",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Sources/Sim/Kernel"
        ),
        // In-process model of Redis 7.0 behind the runtime's Redis port, on the virtual clock.
        .target(
            name: "SimRedis",
            dependencies: ["RelayRuntime", "SimKernel"],
            path: "Sources/Sim/Redis"
        ),
        // Fake chain: blocks, params, sessions, claim/proof acceptance by the real rules, mempool.
        .target(
            name: "SimChain",
            dependencies: ["RelayRuntime", "PocketProtocol", "SimKernel"],
            path: "Sources/Sim/Chain"
        ),
        // Generated gRPC client and server stubs of the chain's services (and the relay
        // service), over the messages in PocketProtocol. Kept apart so PocketProtocol stays
        // free of gRPC.
        .target(
            name: "PocketChainAPI",
            dependencies: [
                "PocketProtocol",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            path: "Sources/ChainAPI"
        ),
        // The chain stand-in: the chain's real query and tx services (gRPC, HTTP/2) and
        // CometBFT's JSON-RPC (HTTP + WebSocket) answered from a FakeChain that produces
        // blocks on the wall clock, plus its control endpoint and persistence (live code).
        .target(
            name: "StandInServer",
            dependencies: [
                "SimChain", "PocketChainAPI", "PocketProtocol", "RelayRuntime", "RelayRuntimeLive",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Sources/StandIn"
        ),
        // The simulated world: scenarios, gateways, backends, nodes, faults, reports.
        .target(
            name: "PocketSim",
            dependencies: [
                "RelayRuntime", "PocketProtocol", "SimKernel", "SimRedis", "SimChain",
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/Sim/World"
        ),
        // Operator configuration: the relayer's (and later the miner's) YAML files with the
        // reference's keys and defaults, unknown keys refused with their path, and `validate`.
        .target(
            name: "OperatorConfig",
            dependencies: [
                "RelayRuntime", "RelayRuntimeLive", "PocketProtocol",
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/Operator/Config"
        ),
        // The relayer's servers: HTTP/1.1 (+ WebSocket upgrade), h2c, gRPC relay service,
        // metrics and health, all around one RelayerProcess.
        .target(
            name: "RelayerServer",
            dependencies: [
                "RelayRuntime", "RelayRuntimeLive", "OperatorConfig", "PocketChainAPI", "PocketProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/Servers/Relayer"
        ),
        // `backend serve`: a demo backend (JSON-RPC, REST, CometBFT status, WebSocket
        // subscriptions, SSE/NDJSON, gRPC) with fault injection, for tests and localnet.
        .target(
            name: "DemoBackend",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/Tooling/DemoBackend"
        ),
        // `relay`: the test and load client (fresh ring signature per request, session from the
        // chain, every answer's supplier signature and payload hash verified).
        .target(
            name: "RelayClient",
            dependencies: [
                "PocketProtocol", "RelayRuntime", "RelayRuntimeLive", "PocketChainAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/Tooling/RelayClient"
        ),
        .executableTarget(
            name: "PocketRelayMinerCLI",
            dependencies: [
                "PocketProtocol", "PocketVectors", "RelayRuntime", "RelayRuntimeLive", "RedisTooling", "PocketSim", "SimKernel", "SimRedis",
                "SimChain", "StandInServer", "OperatorConfig", "RelayerServer", "DemoBackend", "RelayClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                // bench relayer: the direct-to-backend baseline.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                // main.swift: NIO's event loops as the concurrency executor for the servers.
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/CLI"
        ),

        .testTarget(
            name: "ProtocolTests",
            dependencies: [
                "PocketProtocol", "PocketVectors", "CSecp256k1",
                .product(name: "BigInt", package: "BigInt"), .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Tests/ProtocolTests"
        ),
        .testTarget(
            name: "RuntimeTests",
            dependencies: ["RelayRuntime", "PocketProtocol", "SimKernel", "SimRedis", "SimChain", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Tests/RuntimeTests"
        ),
        .testTarget(name: "SimKernelTests", dependencies: ["SimKernel", "RelayRuntime", "RelayRuntimeLive"], path: "Tests/SimKernelTests"),
        .testTarget(name: "SimRedisTests", dependencies: ["SimRedis", "SimKernel", "RelayRuntime"], path: "Tests/SimRedisTests"),
        .testTarget(
            name: "SimChainTests",
            dependencies: ["SimChain", "SimKernel", "RelayRuntime", "PocketProtocol", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Tests/SimChainTests"
        ),
        .testTarget(name: "SimTests", dependencies: ["PocketSim", "RelayRuntime", "SimKernel"], path: "Tests/SimTests"),
        .testTarget(
            name: "LiveTests",
            dependencies: ["RelayRuntimeLive", "RedisTooling", "SimRedis", "SimKernel", "SimChain", "RelayRuntime", "PocketProtocol"],
            path: "Tests/LiveTests"
        ),
        .testTarget(
            name: "ChainServerTests",
            dependencies: [
                "StandInServer", "SimChain", "PocketChainAPI", "PocketProtocol", "RelayRuntime", "RelayRuntimeLive", "PocketSim",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Tests/ChainServerTests"
        ),
        // One chain-port contract run against the FakeChain in process and against the live gRPC
        // client talking to the chain stand-in over loopback; the live client's own unit tests.
        .testTarget(
            name: "ChainContractTests",
            dependencies: [
                "RelayRuntimeLive", "StandInServer", "SimChain", "SimKernel", "PocketChainAPI", "PocketProtocol", "RelayRuntime",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Tests/ChainContractTests"
        ),
        // The live backend adapter (pools, breaker, retries, health checks, streaming, WebSocket,
        // gRPC) against real servers on 127.0.0.1.
        .testTarget(
            name: "BackendTests",
            dependencies: [
                "RelayRuntimeLive", "RelayRuntime", "DemoBackend",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/BackendTests"
        ),
        .testTarget(name: "OperatorConfigTests", dependencies: ["OperatorConfig", "RelayRuntime", "RelayRuntimeLive", "PocketProtocol"], path: "Tests/OperatorConfigTests"),
        // Demo backend and relay client, each against real sockets.
        .testTarget(
            name: "ToolingTests",
            dependencies: [
                "DemoBackend", "RelayClient", "StandInServer", "SimChain", "RelayRuntime", "RelayRuntimeLive", "PocketProtocol", "PocketChainAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/ToolingTests"
        ),
        // The relayer end to end: real redis-server, chain stand-in, demo backend, relayer
        // servers (in process and as the `relayer` child process).
        .testTarget(
            name: "RelayerServerTests",
            dependencies: [
                "RelayerServer", "OperatorConfig", "DemoBackend", "RelayClient", "StandInServer", "RedisTooling", "SimChain", "SimKernel",
                "SimRedis", "RelayRuntime", "RelayRuntimeLive", "PocketProtocol", "PocketChainAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/RelayerServerTests"
        ),
    ]
)
