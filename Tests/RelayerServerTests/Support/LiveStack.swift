import Foundation
import PocketProtocol
import RedisTooling
import RelayRuntime
import RelayRuntimeLive

/// A whole relayer deployment on loopback, every part a real process: a
/// `redis-server`, `chain serve` (the happy-path world, fast blocks),
/// `backend serve`, and `relayer --config` with a generated relayer.yaml
/// and supplier-keys.yaml, the files an operator would write.
final class LiveStack: @unchecked Sendable {
    let directory: String
    let redis: LocalRedisServer
    let chain: ChildProcess
    let backend: ChildProcess
    private(set) var relayer: ChildProcess
    let grpcPort: Int
    let rpcPort: Int
    let backendHTTPPort: Int
    let backendGRPCPort: Int
    private(set) var relayerPorts: [String: Int] = [:]
    let keys: WorldKeys
    let configPath: String

    var relayerURL: String { "http://127.0.0.1:\(relayerPorts["http"]!)" }

    /// - Parameter failBehavior: `relay_meter.fail_behavior`.
    static func start(blockTime: String = "1s", failBehavior: String = "closed") async throws -> LiveStack {
        let directory = NSTemporaryDirectory() + "relayer-live-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let redis = try await LocalRedisServer.start()
        let grpcPort = try ChildProcess.freePort()
        let rpcPort = try ChildProcess.freePort()
        let world = ChildProcess.root.appendingPathComponent("scenarios/happy-path.yaml").path
        let chain = try ChildProcess(name: "chain", arguments: [
            "chain", "serve", "--world", world, "--block-time", blockTime, "--grpc", "127.0.0.1:\(grpcPort)",
            "--rpc", "127.0.0.1:\(rpcPort)", "--state-dir", directory + "/chain",
        ], directory: directory)
        let backend = try ChildProcess(name: "backend", arguments: [
            "backend", "serve", "--http", "127.0.0.1:0", "--grpc", "127.0.0.1:0", "--id", "demo-1",
        ], directory: directory)
        let backendReady = readyFields(try await backend.waitForLine(startingWith: "backend ready"))
        guard let http = backendReady["http"].flatMap(Self.port), let grpc = backendReady["grpc"].flatMap(Self.port) else {
            throw TestFailure("backend ready line without ports: \(backend.output)")
        }
        _ = try await chain.waitForLine(startingWith: "chain stand-in for world")
        try await eventually("keys.json", seconds: 30) { FileManager.default.fileExists(atPath: directory + "/chain/keys.json") }
        let keys = try WorldKeys(path: directory + "/chain/keys.json")

        let configPath = directory + "/relayer.yaml"
        try Self.writeConfig(
            path: configPath, directory: directory, redisURL: redis.url, grpcPort: grpcPort, rpcPort: rpcPort,
            backendHTTP: http, backendGRPC: grpc, failBehavior: failBehavior, supplierKeys: [keys.suppliers["supplier-1"]!]
        )
        let relayer = try ChildProcess(name: "relayer", arguments: ["relayer", "--config", configPath], directory: directory)
        let stack = LiveStack(
            directory: directory, redis: redis, chain: chain, backend: backend, relayer: relayer, grpcPort: grpcPort, rpcPort: rpcPort,
            backendHTTPPort: http, backendGRPCPort: grpc, keys: keys, configPath: configPath
        )
        try await stack.awaitRelayerReady()
        return stack
    }

    private init(
        directory: String, redis: LocalRedisServer, chain: ChildProcess, backend: ChildProcess, relayer: ChildProcess, grpcPort: Int, rpcPort: Int,
        backendHTTPPort: Int, backendGRPCPort: Int, keys: WorldKeys, configPath: String
    ) {
        self.directory = directory
        self.redis = redis
        self.chain = chain
        self.backend = backend
        self.relayer = relayer
        self.grpcPort = grpcPort
        self.rpcPort = rpcPort
        self.backendHTTPPort = backendHTTPPort
        self.backendGRPCPort = backendGRPCPort
        self.keys = keys
        self.configPath = configPath
    }

    private func awaitRelayerReady() async throws {
        let line = try await relayer.waitForLine(startingWith: "relayer ready")
        relayerPorts = readyFields(line).compactMapValues { Int($0) }
        // Ready = keys, Redis and a block: poll /ready until the relayer has seen the chain.
        let port = relayerPorts["http"]!
        try await eventually("relayer /ready", seconds: 30) {
            (try? await HTTP.get("http://127.0.0.1:\(port)/ready").status) == 200
        }
    }

    /// Ends every process (relayer first) and removes the directory.
    func stop() async {
        await relayer.stop()
        await backend.stop()
        await chain.stop()
        await redis.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func port(_ hostPort: String) -> Int? { hostPort.split(separator: ":").last.flatMap { Int($0) } }

    static func writeConfig(
        path: String, directory: String, redisURL: String, grpcPort: Int, rpcPort: Int, backendHTTP: Int, backendGRPC: Int,
        failBehavior: String, supplierKeys: [String]
    ) throws {
        let deadPort = try ChildProcess.freePort()
        let yaml = """
        listen_addr: "127.0.0.1:0"
        grpc_listen_addr: "127.0.0.1:0"
        redis:
          url: "\(redisURL)"
        pocket_node:
          query_node_rpc_url: "http://127.0.0.1:\(rpcPort)"
          query_node_grpc_url: "127.0.0.1:\(grpcPort)"
          grpc_insecure: true
          chain_id: "pocket-sim"
        keys:
          keys_file: "supplier-keys.yaml"
        default_max_body_size_bytes: 65536
        services:
          anvil:
            default_backend: jsonrpc
            backends:
              jsonrpc:
                url: "http://127.0.0.1:\(backendHTTP)"
              rest:
                url: "http://127.0.0.1:\(backendHTTP)"
              cometbft:
                url: "http://127.0.0.1:\(backendHTTP)"
              websocket:
                url: "ws://127.0.0.1:\(backendHTTP)/ws"
              grpc:
                url: "127.0.0.1:\(backendGRPC)"
          ethereum:
            default_backend: jsonrpc
            backends:
              jsonrpc:
                url: "http://127.0.0.1:\(deadPort)"
                max_retries: 0
        metrics:
          enabled: true
          addr: "127.0.0.1:0"
        health_check:
          enabled: false
        pprof:
          enabled: false
        relay_meter:
          enabled: true
          fail_behavior: \(failBehavior)
        logging:
          level: info
          format: json
        """
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let keys = "keys:\n" + supplierKeys.map { "  - \"\($0)\"\n" }.joined()
        try keys.write(toFile: directory + "/supplier-keys.yaml", atomically: true, encoding: .utf8)
    }
}

/// The private keys `chain serve` wrote to keys.json, by actor name.
struct WorldKeys: Sendable {
    let applications: [String: String]
    let gateways: [String: String]
    let suppliers: [String: String]

    init(path: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        guard let file = object as? [String: [String: [String: String]]] else { throw TestFailure("keys.json has an unexpected shape") }
        func keys(_ group: String) -> [String: String] { (file[group] ?? [:]).compactMapValues { $0["private_key_hex"] } }
        applications = keys("applications")
        gateways = keys("gateways")
        suppliers = keys("suppliers")
    }

    func key(_ hex: String?) throws -> PrivateKey {
        guard let hex else { throw TestFailure("no such key") }
        return try PrivateKey(hex: hex)
    }
}
