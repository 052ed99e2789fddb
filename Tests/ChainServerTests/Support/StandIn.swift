import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import RelayRuntimeLive
import SimChain
import StandInServer
import Testing

/// Throwaway identities of the stand-in tests.
enum Keys {
    static let app = PrivateKey.fromSecret("chainserver-app")
    static let gateway = PrivateKey.fromSecret("chainserver-gateway")
    static let supplier = PrivateKey.fromSecret("chainserver-supplier")
    static let supplier2 = PrivateKey.fromSecret("chainserver-supplier-2")
    /// Not on chain at all.
    static let stranger = PrivateKey.fromSecret("chainserver-stranger")
}

/// A live-shaped chain stand-in: a FakeChain producing blocks on the system
/// clock, served by `ChainGRPCServer` on a free loopback port, and a real
/// grpc-swift-2 HTTP/2 client connected to it. Everything crosses a socket.
enum StandIn {
    static let service = "anvil"
    static let otherService = "ethereum"
    static let cupr: UInt64 = 3
    static let laterCUPR: UInt64 = 5
    static let laterTarget = Bytes(repeating: 0x0F, count: 32)
    /// History entries far ahead: queried by height, never reached.
    static let updateHeight: Int64 = 1_000
    static let minimumGasPrice = 0.01
    static let gasLimit: UInt64 = 200_000
    static var fee: UInt64 { UInt64((Double(gasLimit) * minimumGasPrice).rounded(.up)) }

    /// Short sessions and long windows: session 1 is [1, 4] and its claim
    /// window stays open for 40 blocks, so slow machines still land claims in it.
    static let sharedParams = SharedParams(
        numBlocksPerSession: 4, gracePeriodEndOffsetBlocks: 1,
        claimWindowOpenOffsetBlocks: 1, claimWindowCloseOffsetBlocks: 40,
        proofWindowOpenOffsetBlocks: 0, proofWindowCloseOffsetBlocks: 40
    )

    static func genesis(start: RuntimeInstant) -> ChainGenesis {
        var later = sharedParams
        later.numBlocksPerSession = 8
        var genesis = ChainGenesis(
            chainID: "chainserver-test", genesisTime: start, blockTime: .milliseconds(150),
            sharedParams: sharedParams,
            sharedParamsUpdates: [SharedParamsUpdate(effectiveHeight: 401, params: later)],
            numSuppliersPerSession: 15, minimumGasPriceUPOKT: minimumGasPrice,
            services: [
                GenesisService(id: service, computeUnitsPerRelay: cupr,
                               computeUnitsPerRelayUpdates: [HeightUpdate(effectiveHeight: updateHeight, value: laterCUPR)],
                               relayDifficultyUpdates: [HeightUpdate(effectiveHeight: updateHeight, value: laterTarget)]),
                GenesisService(id: otherService),
            ],
            gateways: [GenesisGateway(privateKey: Keys.gateway)],
            applications: [GenesisApplication(privateKey: Keys.app, serviceID: service, delegatedGateways: [Keys.gateway.publicKey.address()],
                                              balanceUPOKT: 7_000)],
            suppliers: [
                GenesisSupplier(privateKey: Keys.supplier, services: [service, otherService], balanceUPOKT: 1_000_000_000),
                GenesisSupplier(privateKey: Keys.supplier2, services: [service]),
            ]
        )
        genesis.serviceParams = ServiceModuleParams(addServiceFeeUPOKT: 42, targetNumRelays: 777)
        return genesis
    }

    /// Runs `body` against a fresh chain and its gRPC server, then stops both.
    static func run(_ body: @Sendable (FakeChain, GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Void) async throws {
        let clock = SystemClock()
        let chain = FakeChain(genesis: genesis(start: clock.now), clock: clock, entropy: SystemEntropy(), telemetry: NullTelemetry())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await chain.run() }
            defer { group.cancelAll() }
            try await ChainGRPCServer.withServer(chain: chain) { _, port in
                try await withGRPCClient(
                    transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
                ) { client in
                    try await body(chain, client)
                }
            }
        }
    }

    /// Polls `condition` for up to 15 s of wall time.
    static func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<300 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out waiting for \(what)")
    }

    static func waitForHeight(_ height: Int64, on chain: FakeChain) async throws {
        try await eventually("height \(height)") { await chain.height >= height }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Expects `body` to fail with gRPC status `code`; returns the error's message.
@discardableResult
func expectStatus<T>(_ code: RPCError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: () async throws -> T) async -> String? {
    do {
        let value = try await body()
        Issue.record("expected status \(code), got an answer: \(value)", sourceLocation: sourceLocation)
    } catch let error as RPCError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error.message
    } catch {
        Issue.record("expected status \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
