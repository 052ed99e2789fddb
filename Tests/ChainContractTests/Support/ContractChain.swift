import Foundation
import PocketProtocol
import RelayRuntime
import RelayRuntimeLive
import SimChain
import StandInServer

/// Throwaway identities of the contract tests.
enum Keys {
    static let gateway = PrivateKey.fromSecret("contract-gateway")
    /// Delegates to `gateway`; staked for `ContractGenesis.service` only.
    static let app = PrivateKey.fromSecret("contract-app")
    /// Staked for both services.
    static let supplier = PrivateKey.fromSecret("contract-supplier")
    static let supplier2 = PrivateKey.fromSecret("contract-supplier-2")
    /// Not on chain at all.
    static let stranger = PrivateKey.fromSecret("contract-stranger")
}

/// The chain both implementations answer from. Short sessions, a governance
/// change of the session length at 21, CUPR and difficulty changes recorded
/// for height 1000, a minimum gas price (so a fee can be too low) and
/// proofs always required.
enum ContractGenesis {
    static let chainID = "contract-test"
    static let service = "anvil"
    static let otherService = "ethereum"
    static let blockTime: Duration = .seconds(5)
    static let cupr: UInt64 = 3
    static let laterCUPR: UInt64 = 5
    static let laterTarget = Bytes(repeating: 0x0F, count: 32)
    static let updateHeight: Int64 = 1_000
    static let paramsChangeHeight: Int64 = 21
    static let minimumGasPrice = 0.01
    static let appBalance: UInt64 = 7_000
    static let supplierBalance: UInt64 = 1_000_000_000
    static let supplierStake: UInt64 = 60_000_000_000
    static let proofParams = ProofParams(proofRequestProbability: 1, proofRequirementThresholdUPOKT: 20_000_000,
                                         proofMissingPenaltyUPOKT: 320_000_000, proofSubmissionFeeUPOKT: 1_000_000)

    /// Session 1 is [1, 4]; its claim and proof windows follow within a dozen blocks.
    static let sharedParams = SharedParams(
        numBlocksPerSession: 4, gracePeriodEndOffsetBlocks: 1,
        claimWindowOpenOffsetBlocks: 1, claimWindowCloseOffsetBlocks: 4,
        proofWindowOpenOffsetBlocks: 0, proofWindowCloseOffsetBlocks: 4
    )

    static var grid: SessionGrid { SessionGrid(sharedParams) }

    static func make(start: RuntimeInstant) -> ChainGenesis {
        var longer = sharedParams
        longer.numBlocksPerSession = 8
        return ChainGenesis(
            chainID: chainID, genesisTime: start, blockTime: blockTime,
            sharedParams: sharedParams,
            sharedParamsUpdates: [SharedParamsUpdate(effectiveHeight: paramsChangeHeight, params: longer)],
            proofParams: proofParams,
            numSuppliersPerSession: 15, minimumGasPriceUPOKT: minimumGasPrice,
            services: [
                GenesisService(id: service, computeUnitsPerRelay: cupr,
                               computeUnitsPerRelayUpdates: [HeightUpdate(effectiveHeight: updateHeight, value: laterCUPR)],
                               relayDifficultyUpdates: [HeightUpdate(effectiveHeight: updateHeight, value: laterTarget)]),
                GenesisService(id: otherService),
            ],
            gateways: [GenesisGateway(privateKey: Keys.gateway)],
            applications: [GenesisApplication(privateKey: Keys.app, serviceID: service, delegatedGateways: [Keys.gateway.publicKey.address()],
                                              balanceUPOKT: appBalance)],
            suppliers: [
                GenesisSupplier(privateKey: Keys.supplier, stakeUPOKT: supplierStake, services: [service, otherService], balanceUPOKT: supplierBalance),
                GenesisSupplier(privateKey: Keys.supplier2, stakeUPOKT: supplierStake, services: [service], balanceUPOKT: supplierBalance),
            ]
        )
    }
}

/// The two implementations of the chain ports the contract holds to.
enum ChainImplementation: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The FakeChain called in process.
    case fakeChain
    /// `LiveChainQueries` (+ the FakeChain's blocks) talking to `ChainGRPCServer` over loopback HTTP/2.
    case liveClient

    var description: String { rawValue }
}

/// One run of a contract check: the port under test, and the FakeChain
/// behind it, which the test drives (blocks are produced on demand at
/// instants of a manual clock, so both runs build byte-identical chains).
struct ContractChain: Sendable {
    let implementation: ChainImplementation
    let port: any ChainPort
    let chain: FakeChain
    let clock: ManualClock
    /// The live client in the live run (for what the port does not offer, such as GetTx).
    let queries: LiveChainQueries?

    /// Produces blocks until `height` is the latest: block 1 at the genesis
    /// instant, each next one a block time later.
    func produceBlocks(through height: Int64) async {
        while await chain.height < height {
            if await chain.height > 0 { clock.advance(by: ContractGenesis.blockTime) }
            await chain.produceBlock()
        }
    }

    func produceBlock() async {
        await produceBlocks(through: await chain.height + 1)
    }

    /// Runs `body` against a fresh chain through `implementation`, then stops what it started.
    static func run<T: Sendable>(_ implementation: ChainImplementation,
                                 configure: (inout LiveChainQueriesConfiguration) -> Void = { _ in },
                                 _ body: (ContractChain) async throws -> T) async throws -> T {
        let clock = ManualClock()
        let chain = FakeChain(genesis: ContractGenesis.make(start: clock.now), clock: clock, entropy: SystemEntropy(), telemetry: NullTelemetry())
        switch implementation {
        case .fakeChain:
            return try await body(ContractChain(implementation: implementation, port: chain, chain: chain, clock: clock, queries: nil))
        case .liveClient:
            // Both halves of the live client against the stand-in's two servers over
            // loopback: gRPC for queries and txs, CometBFT RPC for blocks.
            return try await ChainGRPCServer.withServer(chain: chain, host: "127.0.0.1", port: 0) { _, port in
                try await CometRPCServer.withServer(chain: chain, host: "127.0.0.1", port: 0) { _, rpcPort in
                    var configuration = LiveChainQueriesConfiguration(endpoint: GRPCEndpoint(host: "127.0.0.1", port: port))
                    configure(&configuration)
                    return try await LiveChainQueries.withQueries(configuration: configuration, clock: clock) { queries in
                        try await CometBFTClient.withClient(configuration: CometBFTConfiguration(rpcURL: "http://127.0.0.1:\(rpcPort)")) { blocks in
                            try await blocks.verifyChainID(expected: ContractGenesis.chainID)
                            let live = LiveChainPort(queries: queries, blocks: blocks)
                            return try await body(ContractChain(implementation: implementation, port: live, chain: chain, clock: clock, queries: queries))
                        }
                    }
                }
            }
        }
    }
}
