import ArgumentParser
import Foundation
import Logging
import PocketProtocol
import PocketSim
import RelayRuntime
import RelayRuntimeLive
import ServiceLifecycle
import SimChain
import StandInServer

/// `chain serve`: the world of a scenario file as a live chain for localnet.
struct ChainServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a scenario's world as a live chain: gRPC queries/txs and CometBFT JSON-RPC + WebSocket.",
        discussion: """
        Starts the fake-chain model on the wall clock, producing a block every --block-time, and serves:
          --grpc  the chain's gRPC query and tx services (as a Pocket node);
          --rpc   CometBFT 0.38 JSON-RPC: GET /status, /block?height=H, /health, POST / (method status|block),
                  WebSocket /websocket (subscribe to tm.event='NewBlockHeader'), and the loopback-only control
                  endpoint: POST /control/stall[?blocks=N], /control/resume, /control/drop-next-tx[?count=N].
        The world (chain params, services, applications, gateways, suppliers) comes from a scenario YAML, with keys
        derived from the actors' names as in the simulator; they are written to keys.json (hex, by name and address).

        With --state-dir the chain journals every block and the transactions admitted before it to
        DIR/chain-journal.jsonl, and a restart with the same DIR replays it: heights, block hashes and times, balances,
        applications, suppliers, claims, proofs and settlements survive. Lost on restart: transactions still in the
        mempool, armed control faults (stall, drop-next-tx), and the slots missed while stopped (production continues
        from the restart's time). Without --state-dir the chain starts from genesis every time.
        """
    )

    @Option(help: ArgumentHelp("Scenario YAML describing the world.", valueName: "file")) var world: String
    @Option(help: ArgumentHelp("gRPC listener (host:port).", valueName: "host:port")) var grpc = ListenAddress(host: "127.0.0.1", port: 9090)
    @Option(help: ArgumentHelp("CometBFT RPC listener (host:port).", valueName: "host:port")) var rpc = ListenAddress(host: "127.0.0.1", port: 26657)
    @Option(help: ArgumentHelp("Time between blocks, e.g. 1s or 200ms (default: the scenario's block_time_seconds).", valueName: "duration"))
    var blockTime: DurationArgument?
    @Option(help: ArgumentHelp("Chain id (default: the simulator's, pocket-sim).", valueName: "id")) var chainId: String?
    @Option(help: ArgumentHelp("Keep keys.json and the chain journal here; the chain resumes from it on restart.", valueName: "dir"))
    var stateDir: String?
    @Option(help: "Print a progress line every N blocks.") var progressEvery: Int64 = 10

    func validate() throws {
        guard progressEvery > 0 else { throw ValidationError("--progress-every must be positive") }
    }

    func run() async throws {
        let spec = try ScenarioFiles.load(world)
        let identities = WorldIdentities(spec)
        var genesis = try spec.genesis(identities)
        genesis.genesisTime = SystemClock().now
        if let blockTime { genesis.blockTime = blockTime.duration }
        if let chainId { genesis.chainID = chainId }

        let keysDirectory = stateDir ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("pocket-chain-stand-in-\(getpid())")
        let keysPath = try StandInKeysFile.write(
            directory: keysDirectory, applications: identities.applications, gateways: identities.gateways, suppliers: identities.suppliers
        )

        var configuration = ChainStandInConfiguration(
            genesis: genesis, worldName: spec.name, grpcHost: grpc.host, grpcPort: grpc.port,
            rpcHost: rpc.host, rpcPort: rpc.port, stateDirectory: stateDir
        )
        configuration.serverLogLevel = .warning
        let every = progressEvery
        let standIn: ChainStandIn
        do {
            standIn = try await ChainStandIn(configuration) { block in
                if block.height % every == 0 || block.height == 1 {
                    sayLine("block \(block.height)  hash \(Array(block.hash.prefix(6)).hex.uppercased())…  time \(block.time.unixNanoseconds / 1_000_000) ms")
                }
            }
        } catch {
            throw ValidationError("\(error)")
        }

        sayLine("chain stand-in for world \(spec.name), chain id \(genesis.chainID), a block every \(genesis.blockTime)")
        sayLine("  grpc      \(grpc)")
        sayLine("  cometbft  http://\(rpc)  (ws://\(rpc)/websocket, control: POST http://\(rpc)/control/{stall,resume,drop-next-tx})")
        sayLine("  keys      \(keysPath)")
        if let stateDir {
            sayLine("  state     \(stateDir)" + (standIn.resumedHeight > 0 ? " (resumed at height \(standIn.resumedHeight))" : " (new)"))
        } else {
            sayLine("  state     none: the chain starts from genesis on every start")
        }

        var logger = Logger(label: "pocket.chain-stand-in")
        logger.logLevel = .warning
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: standIn.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        ))
        try await group.run()
        let height = await standIn.chain.height
        sayLine("chain stand-in stopped at height \(height)")
    }
}

