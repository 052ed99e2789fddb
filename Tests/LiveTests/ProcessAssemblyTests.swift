import Foundation
import PocketProtocol
import RelayRuntime
@testable import RelayRuntimeLive
import SimChain
import Testing

/// The relayer and miner processes assembled from production-shaped ports:
/// a real redis-server through the live client, the system clock and
/// entropy, real concurrency, and the fake chain producing blocks on the
/// wall clock (the stand-in the chain commands serve). The simulator builds
/// the very same `RelayerProcess` / `MinerProcess`.
@Suite(.enabled(if: RedisTestServer.available, RedisTestServer.skipMessage), .timeLimit(.minutes(1)))
struct ProcessAssemblyTests {
    static let service = "anvil"
    static let app = PrivateKey.fromSecret("assembly-test-app")
    static let gateway = PrivateKey.fromSecret("assembly-test-gateway")
    static let supplier = PrivateKey.fromSecret("assembly-test-supplier")

    /// Answers every relay with one JSON-RPC result.
    struct FixedBackend: BackendPort {
        func forward(_ request: BackendRequest) async throws(BackendError) -> BackendResponse {
            .complete(status: 200, headers: [Header("Content-Type", "application/json")], body: Array(#"{"jsonrpc":"2.0","id":1,"result":"0x2a"}"#.utf8))
        }

        func openDuplex(serviceID: String, path: String, headers: [Header]) async throws(BackendError) -> any BackendDuplex {
            throw .notConfigured(service: serviceID, transport: "websocket")
        }
    }

    @Test func aLiveRelayerPublishesARelayAndALiveMinerTakesAndReleasesTheLease() async throws {
        try await RedisTestServer.with { _, redis in
            let clock = SystemClock()
            // Leases live 4/5 of a block: 2 s blocks keep them far from expiring on a loaded machine.
            let blockTime = Duration.seconds(2)
            let genesis = ChainGenesis(
                chainID: "assembly-test", genesisTime: clock.now, blockTime: blockTime,
                services: [GenesisService(id: Self.service)],
                gateways: [GenesisGateway(privateKey: Self.gateway)],
                applications: [GenesisApplication(privateKey: Self.app, serviceID: Self.service, delegatedGateways: [Self.gateway.publicKey.address()])],
                suppliers: [GenesisSupplier(privateKey: Self.supplier, services: [Self.service])]
            )
            let chain = FakeChain(genesis: genesis, clock: clock, entropy: SystemEntropy(), telemetry: NullTelemetry())
            let keys = StaticKeys([Self.supplier])
            let ports = RuntimePorts(redis: redis, keys: keys, clock: clock, entropy: SystemEntropy(), telemetry: NullTelemetry())
            let redisKeys = RedisKeys(prefix: "assembly")
            let relayer = RelayerProcess(
                config: RelayerConfig(services: [RelayerConfig.Service(id: Self.service)], redisKeys: redisKeys),
                ports: ports, chain: chain, backend: FixedBackend()
            )
            let miner = MinerProcess(
                config: MinerConfig.standard(instanceID: "assembly-miner", blockTime: blockTime, chainID: genesis.chainID, keys: redisKeys),
                ports: ports, chain: chain
            )
            let supplierAddress = Self.supplier.publicKey.address()

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await chain.run() }
                group.addTask { await relayer.run() }
                group.addTask { await miner.run() }

                #expect(try await Self.eventually { await relayer.blocks.current != nil })
                let height = try await chain.latestBlock().height
                let session = try await chain.session(application: Self.app.publicKey.address(), serviceID: Self.service, height: height)
                var rng = SystemRandomNumberGenerator()
                let request = try RelayRequestBuilder.build(
                    sessionHeader: session.header, supplierOperatorAddress: supplierAddress,
                    payload: try CanonicalCodec.encode(Self.httpRequest()), signer: Self.gateway,
                    ring: RelayRequestBuilder.ring(application: Self.app.publicKey, delegatedGateways: [Self.gateway.publicKey]), using: &rng
                )
                let answer = await relayer.handle(IncomingRelay(body: request.bytes, rpcType: .jsonRPC))
                guard case .served(let served) = answer else {
                    Issue.record("the relay was not served: \(answer)")
                    group.cancelAll()
                    return
                }
                #expect(RelayResponseBuilder.verifySupplierSignature(served.response, publicKey: Self.supplier.publicKey))
                guard case .published(let id) = served.mining else {
                    Issue.record("the relay was not published: \(served.mining)")
                    group.cancelAll()
                    return
                }
                // The entry in the real server, field by field.
                let entries = try await redis.xrange(redisKeys.relayStream(supplier: supplierAddress))
                #expect(entries.map(\.id) == [id])
                let message = try CanonicalCodec.decode(Pocket_Relayminer_MinedRelayMessage.self, from: try #require(entries.first?.fields?.first).value)
                #expect(message.sessionID == session.header.sessionID)
                #expect(message.supplierOperatorAddress == supplierAddress)
                #expect(message.serviceID == Self.service)
                #expect(Bytes(message.relayHash) == served.relayHash)

                // The miner owns the supplier, then gives its lease back at once on a graceful stop.
                #expect(try await Self.eventually { await miner.miner.ownedSuppliers == [supplierAddress] })
                #expect(try await redis.get(redisKeys.lease(supplier: supplierAddress)) != nil)
                await miner.stop()
                #expect(try await redis.get(redisKeys.lease(supplier: supplierAddress)) == nil)
                await relayer.stop()
                group.cancelAll()
            }
        }
    }

    static func httpRequest() -> Sdk_Types_POKTHTTPRequest {
        var http = Sdk_Types_POKTHTTPRequest()
        http.method = "POST"
        http.url = "/"
        http.bodyBz = Data(#"{"jsonrpc":"2.0","method":"eth_blockNumber","id":1}"#.utf8)
        return http
    }

    /// Polls `condition` for up to 10 s of wall time.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
