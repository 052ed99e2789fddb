import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import PocketProtocol
import RedisTooling
import RelayClient
import RelayRuntime

/// `bench relayer`: the production relayer under load, every part a real
/// process on this machine (redis-server, `chain serve`, `backend serve`,
/// `relayer`), driven by the `relay` client's load runner with requests
/// ring-signed ahead of the timed part.
struct RelayerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relayer",
        abstract: "Relayer throughput at saturation, added latency at a fixed rate, and RSS under load (real processes on 127.0.0.1)."
    )

    @Option(help: "Relays for the saturation run.") var saturationCount = 30_000
    @Option(help: "Relays in flight during the saturation run.") var concurrency = 64
    @Option(help: "Rate of the latency / soak run (relays per second).") var rate = 1_000
    @Option(help: "Length of the latency / soak run in seconds.") var seconds = 60

    func run() async throws {
        #if DEBUG
        print("warning: debug build; numbers are only meaningful from `swift build -c release`")
        #endif
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let directory = NSTemporaryDirectory() + "bench-relayer-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let world = FileManager.default.currentDirectoryPath + "/scenarios/happy-path.yaml"
        guard FileManager.default.fileExists(atPath: world) else { throw ValidationError("run from the repository root (needs scenarios/happy-path.yaml)") }

        let redis = try await LocalRedisServer.start()
        let grpcPort = try LocalRedisServer.freePort(), rpcPort = try LocalRedisServer.freePort()
        // 10 s blocks: a session (10 blocks) outlasts each timed run, so rollovers do not distort it.
        let chain = try BenchChild(binary: binary, name: "chain", directory: directory, arguments: [
            "chain", "serve", "--world", world, "--block-time", "10s", "--grpc", "127.0.0.1:\(grpcPort)", "--rpc", "127.0.0.1:\(rpcPort)",
            "--state-dir", directory + "/chain",
        ])
        let backend = try BenchChild(binary: binary, name: "backend", directory: directory, arguments: [
            "backend", "serve", "--http", "127.0.0.1:0", "--grpc", "127.0.0.1:0", "--id", "bench",
        ])
        var children = [chain, backend]
        defer { for child in children { child.terminate() } }
        let backendHTTP = try await backend.field("http", ofLine: "backend ready").split(separator: ":").last.map(String.init)!
        _ = try await chain.line(startingWith: "chain stand-in for world")
        let keysFile = directory + "/chain/keys.json"
        let keys = try RelayKeysFile.load(path: keysFile)
        let signing = try keys.signingKeys(application: "app-1", gateway: "gw-alpha")
        let supplierHex = try Self.supplierKey(keysFile, name: "supplier-1")

        let config = directory + "/relayer.yaml"
        try """
        listen_addr: "127.0.0.1:0"
        grpc_listen_addr: ""
        redis: { url: "\(redis.url)" }
        pocket_node: { query_node_rpc_url: "http://127.0.0.1:\(rpcPort)", query_node_grpc_url: "127.0.0.1:\(grpcPort)", grpc_insecure: true }
        keys: { keys_file: "supplier-keys.yaml" }
        services:
          anvil:
            backends:
              jsonrpc: { url: "http://127.0.0.1:\(backendHTTP)" }
        metrics: { enabled: false }
        health_check: { enabled: false }
        pprof: { enabled: false }
        relay_meter: { enabled: true, fail_behavior: closed }
        logging: { level: warn, format: json }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        try "keys:\n  - \"\(supplierHex)\"\n".write(toFile: directory + "/supplier-keys.yaml", atomically: true, encoding: .utf8)
        let relayer = try BenchChild(binary: binary, name: "relayer", directory: directory, arguments: ["relayer", "--config", config])
        children.append(relayer)
        let relayerPort = try await relayer.field("http", ofLine: "relayer ready")
        let relayerURL = "http://127.0.0.1:\(relayerPort)"
        try await waitReady(relayerURL + "/ready")
        let rssStart = rssMB(relayer.pid)
        print("relayer pid \(relayer.pid) ready at \(relayerURL), RSS \(format(rssStart)) MB; backend 127.0.0.1:\(backendHTTP); redis \(redis.url)")

        let body = #"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#
        let payload = try RelayPayloads.payload(RelayPayloadOptions(transport: .jsonrpc, body: body))
        let (saturation, soak) = try await RelayChain.withLiveChain(node: "127.0.0.1:\(grpcPort)", nodeRPC: "http://127.0.0.1:\(rpcPort)", chainID: nil) { chain in
            let resolver = SessionResolver(chain: chain, applicationAddress: signing.applicationAddress, serviceID: "anvil")
            let preparer = RelayPreparer(resolver: resolver, factory: RelayRequestFactory(keys: signing), selection: .fixed(try Self.address(supplierHex)), payload: payload)
            let sender = RelayHTTPSender(relayerURL: relayerURL, transport: .jsonrpc)
            defer { Task { await sender.shutdown() } }
            let target = HTTPRelayTarget(sender: sender)
            print("saturation: \(saturationCount) relays at concurrency \(concurrency) (signed ahead of the timed part)…")
            let saturation = try await LoadTestRunner(
                configuration: LoadTestConfiguration(count: saturationCount, concurrency: concurrency), transport: .jsonrpc, preparer: preparer, target: target
            ).run()
            print("soak: \(rate) relays/s for \(seconds) s (signed ahead)…")
            let soak = try await LoadTestRunner(
                configuration: LoadTestConfiguration(count: rate * seconds, concurrency: concurrency, rps: rate), transport: .jsonrpc, preparer: preparer, target: target
            ).run()
            return (saturation, soak)
        }
        let rssAfter = rssMB(relayer.pid)
        print("direct to the backend: \(rate) requests/s for 10 s…")
        let direct = try await directLatency(url: "http://127.0.0.1:\(backendHTTP)/", body: body, count: rate * 10, rate: rate)
        await redis.stop()

        print("")
        print("| measurement | value |")
        print("|---|---|")
        print("| saturation: relays/s (validated, signed, published) | \(format(saturation.throughputRPS, 0)) (\(saturation.succeeded)/\(saturation.total) ok, concurrency \(concurrency)) |")
        print("| saturation latency p50 / p99 | \(format(saturation.latencyMs.p50Ms, 2)) / \(format(saturation.latencyMs.p99Ms, 2)) ms |")
        print("| at \(rate) relays/s through the relayer p50 / p99 | \(format(soak.latencyMs.p50Ms, 2)) / \(format(soak.latencyMs.p99Ms, 2)) ms (\(soak.succeeded)/\(soak.total) ok) |")
        print("| at \(rate) requests/s direct to the backend p50 / p99 | \(format(direct.p50Ms, 2)) / \(format(direct.p99Ms, 2)) ms |")
        print("| added p99 at \(rate)/s | \(format(soak.latencyMs.p99Ms - direct.p99Ms, 2)) ms |")
        print("| relayer RSS at start / after \(seconds) s at \(rate)/s | \(format(rssStart)) / \(format(rssAfter)) MB |")
        if !saturation.errors.isEmpty || !soak.errors.isEmpty { print("errors: saturation \(saturation.errors), soak \(soak.errors)") }
    }

    static func supplierKey(_ path: String, name: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        guard let file = object as? [String: [String: [String: String]]], let hex = file["suppliers"]?[name]?["private_key_hex"] else {
            throw ValidationError("\(path) has no supplier \(name)")
        }
        return hex
    }

    static func address(_ hex: String) throws -> String { try PrivateKey(hex: hex).publicKey.address() }

    private func waitReady(_ url: String) async throws {
        for _ in 0..<600 {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2)), response.status.code == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("relayer did not become ready at \(url)")
    }

    /// Plain JSON-RPC POSTs to the backend at a fixed rate: the baseline the relayer's latency is compared with.
    private func directLatency(url: String, body: String, count: Int, rate: Int) async throws -> LatencySummary {
        let clock = ContinuousClock()
        let start = clock.now
        let interval = Duration.seconds(1) / rate
        let samples = try await withThrowingTaskGroup(of: Duration.self) { group in
            for i in 0..<count {
                try await clock.sleep(until: start + interval * i)
                group.addTask {
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(string: body))
                    let began = clock.now
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    return clock.now - began
                }
            }
            var all: [Duration] = []
            for try await sample in group { all.append(sample) }
            return all
        }
        return LatencySummary(samples: samples)
    }

    private func format(_ value: Double, _ decimals: Int = 1) -> String { String(format: "%.\(decimals)f", value) }

    private func rssMB(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = line.split(separator: " ").compactMap({ Double($0) }).first else { return 0 }
        return kb / 1024
    }

}

/// A child process of the bench with its output in a log file.
final class BenchChild: @unchecked Sendable {
    let process = Process()
    let log: String
    let name: String
    var pid: Int32 { process.processIdentifier }

    init(binary: String, name: String, directory: String, arguments: [String]) throws {
        self.name = name
        log = directory + "/\(name).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    func line(startingWith prefix: String) async throws -> String {
        for _ in 0..<600 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            guard process.isRunning else { throw ValidationError("\(name) exited: \(text)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("\(name) did not print \"\(prefix)\"")
    }

    /// The value of `key=value` on the first line starting with `prefix`.
    func field(_ key: String, ofLine prefix: String) async throws -> String {
        let line = try await line(startingWith: prefix)
        for part in line.split(separator: " ") where part.hasPrefix(key + "=") { return String(part.dropFirst(key.count + 1)) }
        throw ValidationError("\(name): no \(key)= in \"\(line)\"")
    }

    func terminate() {
        if process.isRunning { kill(pid, SIGTERM) }
    }
}
