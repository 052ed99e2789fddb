import ArgumentParser
import DemoBackend
import Foundation
import Logging
import ServiceLifecycle

/// `pocket-relay-miner backend`: the demo backend for tests and localnet.
struct BackendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backend",
        abstract: "Run a demo backend that relayers forward to (tests, load tests, localnet).",
        subcommands: [BackendServeCommand.self]
    )
}

/// `backend serve`: the demo backend on an HTTP and a gRPC listener until SIGINT/SIGTERM.
struct BackendServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the demo backend: JSON-RPC, REST, CometBFT status, WebSocket, SSE/NDJSON and gRPC, with fault injection.",
        discussion: """
        HTTP listener (--http):
          POST / (any path)  JSON-RPC 2.0, single or batch: eth_blockNumber (a
                             height that grows by one per read), status
                             (CometBFT status), health; other methods echo
                             method + params. Invalid JSON: error -32700, HTTP
                             200. Every answer carries "backend_id" and the
                             X-Backend-Id header.
          GET /v1/... (any)  REST echo: path, query, method (also a POST to
                             /v1/... whose body is not JSON-RPC).
          GET /status        CometBFT-shaped status (node_info.network,
                             sync_info.latest_block_height).
          GET /health        200 {"status":"ok"}.
          GET /stats         requests per route and JSON-RPC method, faults.
          /stream/sse        (GET|POST) text/event-stream
          /stream/ndjson     (GET|POST) application/x-ndjson
                             batches=N events (query, or "batches" in the JSON
                             body; default 5, at most 10000), delay_ms=N apart,
                             then the stream ends.
          WebSocket /ws, /   JSON-RPC answered; eth_subscribe pushes
                             repeat_count notifications (default 5) delay_ms
                             apart, then stops; another method with
                             repeat_count N is answered N times. Both come from
                             the request (top level or params) or the URL
                             query. Binary frames and non-JSON-RPC text are
                             echoed as sent.

        Faults, by query parameter or header (the query wins), on every HTTP
        route but /stats:
          status=N     X-Demo-Status: N     answer HTTP status N (200-599)
          delay_ms=N   X-Demo-Delay-Ms: N   wait N ms first (streams: between
                                            events)
          gzip=1       X-Demo-Gzip: 1       gzip the body, Content-Encoding:
                                            gzip, whatever the client accepts
          close=1      X-Demo-Close: 1      close the connection, no answer
          size=N       X-Demo-Size: N       pad the JSON body to N bytes
          rpc_error=N  X-Demo-Rpc-Error: N  JSON-RPC error code N (HTTP 200)

        gRPC listener (--grpc, plaintext HTTP/2): demo.DemoService methods
        GetBlockHeight (height, backend_id) and StreamBlocks (count blocks,
        delay_ms apart). Metadata x-demo-status: N fails the call with gRPC
        status N; x-demo-delay-ms: N waits first.

        When both listeners are up it prints one line:
          backend ready http=HOST:PORT grpc=HOST:PORT id=NAME
        (port 0 binds a free port; the line shows the bound one).
        SIGINT or SIGTERM stops it cleanly. Details: docs/demo-backend.md.
        """
    )

    @Option(help: ArgumentHelp("HTTP listener (host:port; port 0 picks a free port).", valueName: "host:port"))
    var http = ListenAddress(host: "127.0.0.1", port: 8545)
    @Option(help: ArgumentHelp("gRPC listener (IP:port; port 0 picks a free port).", valueName: "host:port"))
    var grpc = ListenAddress(host: "127.0.0.1", port: 50051)
    @Flag(help: "Serve no gRPC listener.") var noGrpc = false
    @Option(help: ArgumentHelp("Backend id carried by every answer (backend_id, X-Backend-Id).", valueName: "name"))
    var id = "demo-backend"
    @Option(help: ArgumentHelp("Network (chain id) reported by the CometBFT status.", valueName: "chain-id"))
    var network = "pocket-demo"
    @Option(help: "First height handed out (each height read takes the next one).") var startHeight: Int64 = 1

    func validate() throws {
        guard !id.isEmpty else { throw ValidationError("--id must not be empty") }
        guard startHeight >= 1 else { throw ValidationError("--start-height must be at least 1") }
    }

    func run() async throws {
        let configuration = DemoBackendConfiguration(
            httpHost: http.host, httpPort: http.port, grpcHost: noGrpc ? nil : grpc.host, grpcPort: grpc.port,
            backendID: id, network: network, startHeight: startHeight, logLevel: .critical
        )
        let server = DemoBackendServer(configuration: configuration)
        var logger = Logger(label: "pocket.demo-backend")
        logger.logLevel = .warning
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        ))
        let id = id
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                // A listener that fails makes run() throw; that error is the one reported.
                guard let endpoints = try? await server.endpoints else { return }
                sayLine("backend ready \(endpoints) id=\(id)")
            }
            try await tasks.waitForAll()
        }
        let stats = await server.stats()
        sayLine("backend stopped after \(stats.total) requests")
    }
}

