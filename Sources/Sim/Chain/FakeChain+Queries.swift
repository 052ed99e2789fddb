import PocketProtocol
import RelayRuntime

/// The chain's query API (docs/protocol.md#chain-apis), answered from the model's state.
/// Direct calls are never partitioned; nodes go through `link(for:)`.
extension FakeChain {
    public func latestBlock() async throws(ChainError) -> ChainBlock {
        guard let block = blocks.last else { throw .notFound("no block produced yet") }
        return block
    }

    public func block(at height: Int64) async throws(ChainError) -> ChainBlock {
        guard let block = blockAt(height) else { throw .notFound("block \(height) (latest is \(latestHeight))") }
        return block
    }

    public func subscribeBlocks() async throws(ChainError) -> AsyncStream<ChainBlock> {
        subscribe(node: nil)
    }

    public func sharedParams(atHeight height: Int64) async throws(ChainError) -> SharedParams {
        sharedParamsAt(height)
    }

    public func numSuppliersPerSession() async throws(ChainError) -> UInt64 {
        genesis.numSuppliersPerSession
    }

    public func proofParams() async throws(ChainError) -> ProofParams {
        proofParamsLive
    }

    public func session(application: String, serviceID: String, height: Int64) async throws(ChainError) -> Pocket_Session_Session {
        try hydrateSession(application: application, serviceID: serviceID, height: height)
    }

    public func application(address: String) async throws(ChainError) -> Pocket_Application_Application {
        guard let application = state.applications[address] else { throw .notFound("application \(address)") }
        return application
    }

    public func account(address: String) async throws(ChainError) -> ChainAccount {
        guard let account = state.accounts[address] else { throw .notFound("account \(address)") }
        return ChainAccount(address: address, accountNumber: account.number, sequence: account.sequence, publicKey: account.publicKey)
    }

    /// Unknown addresses hold 0 (as the bank module answers).
    public func balance(address: String) async throws(ChainError) -> UInt64 {
        state.balances[address] ?? 0
    }

    public func supplier(operatorAddress: String) async throws(ChainError) -> Pocket_Shared_Supplier {
        guard let supplier = fullSupplier(operatorAddress) else { throw .notFound("supplier \(operatorAddress)") }
        return supplier
    }

    /// The service with its compute units per relay in force at the latest block.
    public func service(id: String) async throws(ChainError) -> Pocket_Shared_Service {
        guard let service = services[id] else { throw .notFound("service \(id)") }
        var live = service.service
        live.computeUnitsPerRelay = service.computeUnitsPerRelay(at: max(latestHeight, 1))
        return live
    }

    public func computeUnitsPerRelay(serviceID: String, atHeight height: Int64) async throws(ChainError) -> UInt64 {
        guard let service = services[serviceID] else { throw .notFound("service \(serviceID)") }
        return service.computeUnitsPerRelay(at: height)
    }

    public func relayDifficultyTarget(serviceID: String, atHeight height: Int64) async throws(ChainError) -> [UInt8] {
        guard let service = services[serviceID] else { throw .notFound("service \(serviceID)") }
        return service.difficultyTarget(at: height)
    }

    /// Stored claims of a supplier, by session end then session id.
    public func claims(supplierOperatorAddress: String) async throws(ChainError) -> [Pocket_Proof_Claim] {
        let keys = state.claims.keys.filter { $0.supplier == supplierOperatorAddress }
        return keys.map { ($0, state.claims[$0]!) }.sorted { a, b in
            let (endA, endB) = (a.1.sessionHeader.sessionEndBlockHeight, b.1.sessionHeader.sessionEndBlockHeight)
            return endA != endB ? endA < endB : a.0 < b.0
        }.map(\.1)
    }

    // MARK: Inspection for the simulator and tests (no ChainPort equivalent)

    /// The latest committed height (0 before block 1).
    public var height: Int64 { latestHeight }

    /// Every block so far, oldest first.
    public var allBlocks: [ChainBlock] { blocks }

    /// A supplier's current stake in uPOKT (after slashing).
    public func stake(ofSupplier operatorAddress: String) -> UInt64? {
        state.supplierStakes[operatorAddress]
    }

    /// Hashes of transactions waiting in the mempool (including never-include ones), in arrival order.
    public var mempoolHashes: [String] { mempool.map(\.tx.hash) }
}
