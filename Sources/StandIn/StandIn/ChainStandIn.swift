import Foundation
import Logging
import NIOConcurrencyHelpers
import RelayRuntime
import RelayRuntimeLive
import ServiceLifecycle
import SimChain

/// What `chain serve` starts: a world's genesis, where to listen, and where
/// (if anywhere) to keep the chain's state.
public struct ChainStandInConfiguration: Sendable {
    /// The genesis; its `genesisTime` is replaced by the journal's when resuming.
    public var genesis: ChainGenesis
    /// The world's name (a scenario's `name`), recorded in the journal so a
    /// state directory is never resumed with another world.
    public var worldName: String
    public var grpcHost: String
    public var grpcPort: Int
    public var rpcHost: String
    public var rpcPort: Int
    /// Where the journal lives; nil: the chain starts from genesis and keeps nothing.
    public var stateDirectory: String?
    /// Level of the HTTP server's own log (critical: quiet, for tests that cancel it).
    public var serverLogLevel: Logger.Level = .critical

    public init(genesis: ChainGenesis, worldName: String, grpcHost: String = "127.0.0.1", grpcPort: Int = 9090,
                rpcHost: String = "127.0.0.1", rpcPort: Int = 26657, stateDirectory: String? = nil) {
        self.genesis = genesis
        self.worldName = worldName
        self.grpcHost = grpcHost
        self.grpcPort = grpcPort
        self.rpcHost = rpcHost
        self.rpcPort = rpcPort
        self.stateDirectory = stateDirectory
    }
}

/// The chain stand-in: a `FakeChain` producing blocks on the wall clock,
/// served over the chain's gRPC services (`ChainGRPCServer`) and CometBFT's
/// JSON-RPC (`CometRPCServer`, with the control endpoint), its state
/// journaled to the state directory and replayed on the next start.
public final class ChainStandIn: Sendable {
    public let configuration: ChainStandInConfiguration
    public let chain: FakeChain
    public let producer: WallClockBlockProducer
    public let grpc: ChainGRPCServer
    public let rpc: CometRPCServer
    /// Blocks rebuilt from the journal (0: started from genesis).
    public let resumedHeight: Int64

    /// Builds the chain (replaying the journal if the state directory has
    /// one) and the servers; nothing listens until `run()` or `services` run.
    /// `onBlock` is called after every new block (progress output).
    public init(_ configuration: ChainStandInConfiguration, onBlock: @escaping @Sendable (ChainBlock) async -> Void = { _ in }) async throws(StandInStateError) {
        self.configuration = configuration
        var genesis = configuration.genesis
        let clock = StandInClock(system: SystemClock())
        let archive = TxArchive()

        var opened: (journal: ChainJournal, header: ChainJournal.Header, blocks: [ChainJournal.Block])?
        if let directory = configuration.stateDirectory {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw .writeFailed(path: directory, reason: "cannot create the state directory: \(error)")
            }
            let header = ChainJournal.Header(world: configuration.worldName, chain_id: genesis.chainID,
                                             genesis_time_ns: genesis.genesisTime.unixNanoseconds)
            opened = try ChainJournal.open(directory: directory, header: header)
            genesis.genesisTime = RuntimeInstant(unixNanoseconds: opened!.header.genesis_time_ns)
        }

        let chain = FakeChain(genesis: genesis, clock: clock, entropy: SystemEntropy(), telemetry: NullTelemetry())
        var recorder: ChainJournalRecorder?
        if let opened {
            let admitted = try await ChainJournal.replay(opened.blocks, path: opened.journal.path, into: chain, clock: clock, archive: archive)
            recorder = ChainJournalRecorder(journal: opened.journal, chain: chain, archive: archive, alreadyWritten: admitted)
        }
        resumedHeight = Int64(opened?.blocks.count ?? 0)
        self.chain = chain
        let journalFailure = JournalFailureReporter()
        producer = WallClockBlockProducer(chain: chain, blockTime: genesis.blockTime, clock: clock) { [recorder] block in
            if let recorder {
                do throws(StandInStateError) { try await recorder.record(block) } catch { journalFailure.report(error) }
            }
            await onBlock(block)
        }
        grpc = ChainGRPCServer(chain: chain, host: configuration.grpcHost, port: configuration.grpcPort, archive: archive)
        rpc = CometRPCServer(chain: chain, host: configuration.rpcHost, port: configuration.rpcPort, producer: producer,
                            logLevel: configuration.serverLogLevel)
    }

    /// The block producer and both listeners as ServiceLifecycle services:
    /// a graceful shutdown stops production and lets in-flight calls finish.
    public var services: [any Service] {
        let grpc = grpc
        let producer = producer
        return [
            ClosureService {
                try await withGracefulShutdownHandler { try await grpc.serve() } onGracefulShutdown: { grpc.beginGracefulShutdown() }
            },
            rpc.service,
            ClosureService { await cancelWhenGracefulShutdown { await producer.run() } },
        ]
    }

    /// Runs everything until the task is cancelled (tests; the CLI runs `services` in a group with signal handling).
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [grpc] in try await grpc.serve() }
            group.addTask { [rpc] in try await rpc.serve() }
            group.addTask { [producer] in await producer.run() }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}

/// A journal that cannot be written is reported once on stderr; the chain
/// keeps serving (its state just will not survive a restart past that block).
final class JournalFailureReporter: Sendable {
    private let reported = NIOLockedValueBox(false)

    func report(_ error: StandInStateError) {
        let first = reported.withLockedValue { done in
            defer { done = true }
            return !done
        }
        if first { FileHandle.standardError.write(Data("chain serve: \(error); state after this block will not survive a restart\n".utf8)) }
    }
}
