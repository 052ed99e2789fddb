import PocketProtocol
import RelayRuntime

/// The runtime's whole `ChainPort` against a real node: blocks from a
/// `BlockSource` (CometBFT in production), everything else from
/// `LiveChainQueries` over gRPC. A node serves the two on different ports
/// (26657 and 9090), so they are separate clients joined here.
public struct LiveChainPort: ChainPort {
    public let queries: LiveChainQueries
    public let blocks: any BlockSource

    public init(queries: LiveChainQueries, blocks: any BlockSource) {
        self.queries = queries
        self.blocks = blocks
    }

    // MARK: BlockSource

    public func latestBlock() async throws(ChainError) -> ChainBlock { try await blocks.latestBlock() }
    public func block(at height: Int64) async throws(ChainError) -> ChainBlock { try await blocks.block(at: height) }
    public func subscribeBlocks() async throws(ChainError) -> AsyncStream<ChainBlock> { try await blocks.subscribeBlocks() }

    // MARK: ChainReader

    public func sharedParams(atHeight height: Int64) async throws(ChainError) -> SharedParams {
        try await queries.sharedParams(atHeight: height)
    }

    public func numSuppliersPerSession() async throws(ChainError) -> UInt64 {
        try await queries.numSuppliersPerSession()
    }

    public func session(application: String, serviceID: String, height: Int64) async throws(ChainError) -> Pocket_Session_Session {
        try await queries.session(application: application, serviceID: serviceID, height: height)
    }

    public func application(address: String) async throws(ChainError) -> Pocket_Application_Application {
        try await queries.application(address: address)
    }

    public func account(address: String) async throws(ChainError) -> ChainAccount {
        try await queries.account(address: address)
    }

    public func supplier(operatorAddress: String) async throws(ChainError) -> Pocket_Shared_Supplier {
        try await queries.supplier(operatorAddress: operatorAddress)
    }

    public func service(id: String) async throws(ChainError) -> Pocket_Shared_Service {
        try await queries.service(id: id)
    }

    public func computeUnitsPerRelay(serviceID: String, atHeight height: Int64) async throws(ChainError) -> UInt64 {
        try await queries.computeUnitsPerRelay(serviceID: serviceID, atHeight: height)
    }

    public func relayDifficultyTarget(serviceID: String, atHeight height: Int64) async throws(ChainError) -> [UInt8] {
        try await queries.relayDifficultyTarget(serviceID: serviceID, atHeight: height)
    }

    // MARK: ChainSubmitter

    public func proofParams() async throws(ChainError) -> ProofParams { try await queries.proofParams() }

    public func claims(supplierOperatorAddress: String) async throws(ChainError) -> [Pocket_Proof_Claim] {
        try await queries.claims(supplierOperatorAddress: supplierOperatorAddress)
    }

    public func balance(address: String) async throws(ChainError) -> UInt64 { try await queries.balance(address: address) }
    public func simulate(txBytes: [UInt8]) async throws(ChainError) -> UInt64 { try await queries.simulate(txBytes: txBytes) }
    public func broadcast(txBytes: [UInt8]) async throws(ChainError) -> BroadcastResult { try await queries.broadcast(txBytes: txBytes) }
}
