import Foundation
import PocketProtocol
import RedisTooling
import RelayRuntime
import RelayRuntimeLive
import SimChain
import SimRedis
import StandInServer
import SwiftProtobuf
import Testing

/// Parity: one signed relay request handled by a relayer process assembled
/// as the simulator assembles it (the fake chain read directly, the Redis
/// model) and by one assembled as the binary assembles it (the chain read
/// over gRPC + CometBFT from the same chain served by the stand-in, a real
/// redis-server) mints the same `MinedRelayMessage`, byte for byte, once
/// the two fields that describe the moment (arrival height, publish time)
/// are set aside.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SimLiveParityTests {
    static let app = PrivateKey.fromSecret("parity-app")
    static let gateway = PrivateKey.fromSecret("parity-gateway")
    static let supplier = PrivateKey.fromSecret("parity-supplier")

    @Test(.enabled(if: LocalRedisServerAvailable.value, "needs redis-server"))
    func simulatorAndLiveAssembliesMintTheSameRelay() async throws {
        let clock = SystemClock()
        let chain = FakeChain(genesis: Self.genesis(start: clock.now), clock: clock, entropy: SystemEntropy(), telemetry: NullTelemetry())
        let producer = WallClockBlockProducer(chain: chain, blockTime: .milliseconds(300), clock: clock)
        let redis = try await LocalRedisServer.start()
        let liveRedis = try await LiveRedisClient.connect(url: redis.url)
        let model = RedisModelClient(model: RedisModel(clock: clock))
        let backend = FixedBackend()
        let config = RelayerConfig(services: [RelayerConfig.Service(id: "anvil")])
        let keys = StaticKeys([Self.supplier])

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await producer.run() }
            defer { group.cancelAll() }
            try await ChainGRPCServer.withServer(chain: chain) { _, grpcPort in
                try await CometRPCServer.withServer(chain: chain, producer: producer) { _, rpcPort in
                    try await LiveChainQueries.withQueries(configuration: LiveChainQueriesConfiguration(endpoint: "127.0.0.1:\(grpcPort)"), clock: clock) { queries in
                        try await CometBFTClient.withClient(configuration: CometBFTConfiguration(rpcURL: "http://127.0.0.1:\(rpcPort)")) { blocks in
                            let live = RelayerProcess(
                                config: config, ports: RuntimePorts(redis: liveRedis, keys: keys, clock: clock, entropy: SystemEntropy(), telemetry: NullTelemetry()),
                                chain: LiveChainPort(queries: queries, blocks: blocks), backend: backend)
                            let sim = RelayerProcess(
                                config: config, ports: RuntimePorts(redis: model, keys: keys, clock: clock, entropy: SystemEntropy(), telemetry: NullTelemetry()),
                                chain: chain, backend: backend)
                            let runs = Task {
                                await withTaskGroup(of: Void.self) { g in
                                    g.addTask { await live.run() }
                                    g.addTask { await sim.run() }
                                }
                            }
                            defer { runs.cancel() }
                            try await eventually("both processes saw a block") {
                                let liveHeight = await live.blocks.current?.height
                                let simHeight = await sim.blocks.current?.height
                                return liveHeight != nil && simHeight != nil
                            }

                            let factory = RelayFactory(queries: queries, blocks: blocks)
                            let built = try await factory.relay(
                                application: Self.app, signer: Self.gateway, service: "anvil", supplier: Self.supplier.publicKey.address(),
                                payload: RelayFactory.httpPayload(body: #"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#))
                            let incoming = IncomingRelay(body: built.bytes, rpcType: .jsonRPC)
                            let liveAnswer = try #require(await live.handle(incoming).served, "the live assembly served the relay")
                            let simAnswer = try #require(await sim.handle(incoming).served, "the simulator's assembly served the relay")
                            #expect(liveAnswer.responseBytes == simAnswer.responseBytes, "the signed answers are identical")
                            #expect(liveAnswer.mining.isAcknowledgedMinable && simAnswer.mining.isAcknowledgedMinable)

                            let key = RedisKeys().relayStream(supplier: Self.supplier.publicKey.address())
                            var liveMessage = try Self.onlyMessage(try await liveRedis.xrange(key))
                            var simMessage = try Self.onlyMessage(try await model.xrange(key))
                            #expect(liveMessage.arrivalBlockHeight >= built.session.header.sessionStartBlockHeight)
                            #expect(simMessage.arrivalBlockHeight >= built.session.header.sessionStartBlockHeight)
                            for message in [liveMessage, simMessage] { #expect(message.publishedAtUnixNano > 0) }
                            liveMessage.arrivalBlockHeight = 0
                            liveMessage.publishedAtUnixNano = 0
                            simMessage.arrivalBlockHeight = 0
                            simMessage.publishedAtUnixNano = 0
                            #expect(try liveMessage.serializedBytes() as [UInt8] == (try simMessage.serializedBytes() as [UInt8]))
                            #expect(liveMessage.relayHash == simMessage.relayHash)
                            #expect(!liveMessage.relayHash.isEmpty)
                        }
                    }
                }
            }
        }
        await liveRedis.close()
        await redis.stop()
    }

    static func onlyMessage(_ entries: [StreamEntry]) throws -> Pocket_Relayminer_MinedRelayMessage {
        guard entries.count == 1, let data = entries[0].value(of: RedisKeys.relayField) else {
            throw TestFailure("expected exactly one stream entry, found \(entries.count)")
        }
        return try Pocket_Relayminer_MinedRelayMessage(serializedBytes: data)
    }

    static func genesis(start: RuntimeInstant) -> ChainGenesis {
        ChainGenesis(
            chainID: "parity", genesisTime: start, blockTime: .milliseconds(300),
            sharedParams: SharedParams(
                numBlocksPerSession: 20, gracePeriodEndOffsetBlocks: 1, claimWindowOpenOffsetBlocks: 1, claimWindowCloseOffsetBlocks: 4,
                proofWindowOpenOffsetBlocks: 0, proofWindowCloseOffsetBlocks: 4),
            numSuppliersPerSession: 15, minimumGasPriceUPOKT: 0.01,
            services: [GenesisService(id: "anvil")],
            gateways: [GenesisGateway(privateKey: gateway)],
            applications: [GenesisApplication(privateKey: app, serviceID: "anvil", delegatedGateways: [gateway.publicKey.address()])],
            suppliers: [GenesisSupplier(privateKey: supplier, services: ["anvil"])]
        )
    }
}

/// A backend that answers every request with the same bytes, so both assemblies sign the same response.
struct FixedBackend: BackendPort {
    func forward(_ request: BackendRequest) async throws(BackendError) -> BackendResponse {
        .complete(status: 200, headers: [Header("Content-Type", "application/json")], body: Array(#"{"jsonrpc":"2.0","id":1,"result":"0x2a"}"#.utf8))
    }

    func openDuplex(serviceID: String, path: String, headers: [Header]) async throws(BackendError) -> any BackendDuplex {
        throw .notConfigured(service: serviceID, transport: "websocket")
    }
}
