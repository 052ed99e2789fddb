import ArgumentParser
import Foundation
import PocketProtocol
import RelayClient
import RelayRuntime

/// `relay <mode>`: the relayer's test and load client.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Send ring-signed relays straight to a relayer and verify every answer (test and load client).",
        discussion: """
        Modes: jsonrpc, rest, cometbft (HTTP POST with Rpc-Type 3/4/5), websocket (binary frames on ws://<relayer>/), \
        stream (a streaming backend path; prints the signed batches), grpc (the relayer's RelayService/SendRelay).

        The session is the chain's current one for (application, --service), looked up again when the chain passes its \
        end. Every request gets a fresh ring signature. Every answer is verified: payload hash, supplier signature (the \
        supplier's key from the chain), session, and with --request-receipt the Pocket-Relay-Receipt header.

        Keys, one source: --app-key HEX (the application signs), --gateway-key HEX with --app-address (or --app-key) \
        (a delegated gateway signs), or --keys-file keys.json (the chain stand-in's, with --app and optionally --gateway \
        by name or address).

        --load-test signs all requests ahead of the timed part, then keeps --concurrency relays in flight (optionally \
        paced to --rps) and prints totals, throughput, latency percentiles and the error breakdown (--output-json: one \
        JSON object; keys in docs/relay-client.md). Exit status 1 when a relay failed (single mode) or the success rate \
        is below 100% (load test, unless --allow-failures).
        """
    )

    @Argument(help: ArgumentHelp("jsonrpc | rest | cometbft | websocket | stream | grpc", valueName: "mode")) var mode: RelayTransport

    @Option(help: ArgumentHelp("The relayer's HTTP URL (WebSocket: same host and port).", valueName: "url"))
    var relayerURL = "http://127.0.0.1:8180"
    @Option(help: ArgumentHelp("The relayer's gRPC address (default: --relayer-url's host and port).", valueName: "host:port"))
    var grpcRelayerAddr: String?
    @Option(help: ArgumentHelp("The chain node's gRPC address.", valueName: "host:port")) var node = "127.0.0.1:9090"
    @Option(help: ArgumentHelp("The chain node's CometBFT RPC URL.", valueName: "url")) var nodeRpc = "http://127.0.0.1:26657"
    @Option(help: ArgumentHelp("Refuse to run unless the node is on this chain.", valueName: "id")) var chainId: String?
    @Option(help: ArgumentHelp("Service id.", valueName: "id")) var service: String
    @Option(help: ArgumentHelp("Supplier operator address (default: the session's first supplier).", valueName: "address"))
    var supplier: String?
    @Flag(help: "Round-robin across the session's suppliers.") var allSuppliers = false

    @Option(help: ArgumentHelp("Application private key (64 hex).", valueName: "hex")) var appKey: String?
    @Option(help: ArgumentHelp("Gateway private key (64 hex); signs for --app-address.", valueName: "hex")) var gatewayKey: String?
    @Option(help: ArgumentHelp("Application the gateway signs for.", valueName: "address")) var appAddress: String?
    @Option(help: ArgumentHelp("The chain stand-in's keys.json.", valueName: "file")) var keysFile: String?
    @Option(help: ArgumentHelp("With --keys-file: the application (name or address).", valueName: "name")) var app: String?
    @Option(help: ArgumentHelp("With --keys-file: the gateway that signs (name or address).", valueName: "name")) var gateway: String?

    @Option(help: ArgumentHelp("Request body instead of the default (JSON-RPC eth_blockNumber, CometBFT status, …).", valueName: "text"))
    var payload: String?
    @Option(help: ArgumentHelp("rest/stream: backend path (default / and /stream/sse).", valueName: "path")) var path: String?
    @Option(help: ArgumentHelp("stream: ask the backend for N batches (and stop after N).", valueName: "n")) var batches: Int?
    @Option(help: ArgumentHelp("grpc: the inner call's method.", valueName: "path")) var grpcMethod = RelayPayloads.defaultGRPCMethod
    @Flag(help: "Ask for a relay receipt (HTTP modes) and fail without a valid one.") var requestReceipt = false
    @Option(help: ArgumentHelp("Seconds to wait for each answer.", valueName: "s")) var timeout = 120
    @Flag(help: "Print the details of each step (stderr).") var verbose = false
    @Flag(help: "Print the result as one JSON object.") var outputJson = false

    @Flag(help: "Run a load test instead of one relay.") var loadTest = false
    @Option(name: [.customShort("n"), .long], help: "Load test: relays in total.") var count = 100
    @Option(help: "Load test: relays in flight at once.") var concurrency = 10
    @Option(help: "Load test: launches per second (0: unlimited).") var rps = 0
    @Flag(help: "Load test: exit 0 even when some relays failed.") var allowFailures = false

    func validate() throws {
        let hexSource = appKey != nil || gatewayKey != nil || appAddress != nil
        if hexSource && keysFile != nil {
            throw ValidationError("choose one key source: --app-key/--gateway-key/--app-address, or --keys-file (with --app/--gateway)")
        }
        if keysFile == nil && (app != nil || gateway != nil) {
            throw ValidationError("--app and --gateway pick keys from --keys-file; without a keys file use --app-key/--gateway-key")
        }
        if !hexSource && keysFile == nil {
            throw ValidationError("no signing key: give --app-key, or --gateway-key with --app-address, or --keys-file")
        }
        if supplier != nil && allSuppliers { throw ValidationError("--supplier and --all-suppliers exclude each other") }
        if requestReceipt && !mode.isUnaryHTTP {
            throw ValidationError("--request-receipt: receipts ride on HTTP response headers, so only jsonrpc, rest and cometbft carry them")
        }
        if loadTest && mode == .stream { throw ValidationError("--load-test is not supported for stream (streams are long-lived)") }
        if batches != nil && mode != .stream { throw ValidationError("--batches applies to stream only") }
        if let batches, batches < 1 { throw ValidationError("--batches must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
        guard rps >= 0 else { throw ValidationError("--rps must be 0 (unlimited) or positive") }
    }

    func run() async throws {
        let keys: RelaySigningKeys
        do {
            if let keysFile {
                keys = try RelayKeysFile.load(path: keysFile).signingKeys(application: app, gateway: gateway)
            } else {
                keys = try RelaySigningKeys.fromHex(appKey: appKey, gatewayKey: gatewayKey, appAddress: appAddress)
            }
        } catch {
            throw ValidationError(error.description)
        }
        let payloadBytes: Bytes
        do {
            payloadBytes = try RelayPayloads.payload(RelayPayloadOptions(transport: mode, body: payload, path: path, batches: batches,
                                                                         grpcMethod: grpcMethod))
        } catch {
            throw ValidationError(error.description)
        }
        let output = RelayOutput(json: outputJson, verbose: verbose)
        let succeeded: Bool
        do {
            succeeded = try await RelayChain.withLiveChain(node: node, nodeRPC: nodeRpc, chainID: chainId) { chain in
                let resolver = SessionResolver(chain: chain, applicationAddress: keys.applicationAddress, serviceID: service,
                                               knownKeys: [keys.signerAddress: keys.signer.publicKey])
                let selection: SupplierSelection = supplier.map { .fixed($0) } ?? (allSuppliers ? .roundRobin : .firstOfSession)
                let preparer = RelayPreparer(resolver: resolver, factory: RelayRequestFactory(keys: keys), selection: selection,
                                             payload: payloadBytes)
                return try await runMode(keys: keys, preparer: preparer, output: output)
            }
        } catch let error as RelayClientError {
            output.fatal(error.description)
            throw ExitCode(2)
        } catch let error as ValidationError {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch {
            // The chain client could not be set up, or a connection broke outside a relay.
            output.fatal("\(error)")
            throw ExitCode(2)
        }
        if !succeeded { throw ExitCode.failure }
    }

    private var answerTimeout: Duration { .seconds(timeout) }

    /// Runs the mode; true when the run counts as a success for the exit status.
    private func runMode(keys: RelaySigningKeys, preparer: RelayPreparer, output: RelayOutput) async throws -> Bool {
        switch mode {
        case .jsonrpc, .rest, .cometbft:
            let sender = RelayHTTPSender(relayerURL: relayerURL, transport: mode, requestReceipt: requestReceipt, timeout: answerTimeout,
                                         maxConnections: loadTest ? concurrency : 1)
            return try await finally({ await sender.shutdown() }) {
                try await drive(keys: keys, preparer: preparer, target: HTTPRelayTarget(sender: sender), output: output)
            }
        case .grpc:
            let (host, port) = try grpcAddress()
            return try await RelayGRPCSender.withSender(host: host, port: port, timeout: answerTimeout) { sender in
                try await drive(keys: keys, preparer: preparer, target: GRPCRelayTarget(sender: sender), output: output)
            }
        case .websocket:
            let url = try RelayWebSocketSession.webSocketURL(relayerURL: relayerURL)
            let target = WebSocketRelayTarget(url: url, serviceID: service, timeout: answerTimeout)
            return try await finally({ await target.closeAll() }) {
                try await drive(keys: keys, preparer: preparer, target: target, output: output)
            }
        case .stream:
            let prepared = try await preparer.prepare(index: 0)
            let sender = RelayHTTPSender(relayerURL: relayerURL, transport: .stream, timeout: answerTimeout, maxConnections: 1)
            output.describe(mode: mode, destination: relayerURL, keys: keys, prepared: prepared)
            let reader = RelayStreamReader(verifier: ResponseVerifier(supplierKey: prepared.supplierKey), maxBatches: batches)
            let clock = ContinuousClock()
            let start = clock.now
            let result: Result<[StreamBatch], RelayFailure>
            do {
                result = .success(try await reader.read(prepared.signed, with: sender) { batch in output.streamBatch(batch) })
            } catch {
                result = .failure(error)
            }
            await sender.shutdown()
            let report = SingleRelayReport(keys: keys, prepared: prepared, latency: clock.now - start, result: result)
            output.single(report)
            return report.success
        }
    }

    /// One relay, or the load test, through `target`.
    private func drive(keys: RelaySigningKeys, preparer: RelayPreparer, target: any RelayTarget, output: RelayOutput) async throws -> Bool {
        if !loadTest {
            let prepared = try await preparer.prepare(index: 0)
            output.describe(mode: mode, destination: mode == .grpc ? (grpcRelayerAddr ?? relayerURL) : relayerURL, keys: keys, prepared: prepared)
            let outcome = await target.relay(prepared)
            let report = SingleRelayReport(transport: mode, keys: keys, prepared: prepared, outcome: outcome)
            output.single(report)
            return report.success
        }
        let configuration = LoadTestConfiguration(count: count, concurrency: concurrency, rps: rps)
        output.loadStart(mode: mode, configuration: configuration, keys: keys)
        let runner = LoadTestRunner(configuration: configuration, transport: mode, preparer: preparer, target: target) { event in
            output.loadEvent(event)
        }
        let report = try await runner.run()
        output.load(report)
        return report.allSucceeded || allowFailures
    }

    private func grpcAddress() throws -> (String, Int) {
        if let grpcRelayerAddr {
            guard let colon = grpcRelayerAddr.lastIndex(of: ":"), let port = Int(grpcRelayerAddr[grpcRelayerAddr.index(after: colon)...]) else {
                throw ValidationError("--grpc-relayer-addr \(grpcRelayerAddr): expected host:port")
            }
            return (String(grpcRelayerAddr[..<colon]), port)
        }
        guard let components = URLComponents(string: relayerURL), let host = components.host else {
            throw ValidationError("--relayer-url \(relayerURL) is not a URL; give --grpc-relayer-addr host:port")
        }
        return (host, components.port ?? (components.scheme == "https" ? 443 : 80))
    }
}

/// Runs `body`, then `cleanup` whether it threw or not.
private func finally<T>(_ cleanup: () async -> Void, _ body: () async throws -> T) async throws -> T {
    do {
        let result = try await body()
        await cleanup()
        return result
    } catch {
        await cleanup()
        throw error
    }
}

extension RelayTransport: ExpressibleByArgument {}
