import PocketProtocol

/// Everything the relayer and the miner ask the chain, shaped after the
/// chain's real query and broadcast APIs (spec §10) so production implements
/// it over gRPC + CometBFT and the simulator over its fake chain, with the
/// same bytes in between (transactions are real signed Cosmos txs).
public protocol ChainPort: Sendable {
    /// The newest committed block.
    func latestBlock() async throws(ChainError) -> ChainBlock
    /// A committed block by height (`notFound` if not produced yet): proof seeds, session ids.
    func block(at height: Int64) async throws(ChainError) -> ChainBlock
    /// Blocks as they are committed. At-most-once: a subscriber that falls
    /// behind or reconnects may miss heights and must act on the latest.
    func subscribeBlocks() async throws(ChainError) -> AsyncStream<ChainBlock>

    /// Shared params effective at `height` (history lookup, spec §6.7).
    func sharedParams(atHeight height: Int64) async throws(ChainError) -> SharedParams
    /// The session module's `num_suppliers_per_session` (live).
    func numSuppliersPerSession() async throws(ChainError) -> UInt64
    /// The proof module's live params.
    func proofParams() async throws(ChainError) -> ProofParams

    /// The session for (application, service) containing `height`, with its
    /// header, application and (dehydrated) suppliers.
    func session(application: String, serviceID: String, height: Int64) async throws(ChainError) -> Pocket_Session_Session
    func application(address: String) async throws(ChainError) -> Pocket_Application_Application
    func account(address: String) async throws(ChainError) -> ChainAccount
    /// uPOKT balance of an account.
    func balance(address: String) async throws(ChainError) -> UInt64
    func supplier(operatorAddress: String) async throws(ChainError) -> Pocket_Shared_Supplier
    func service(id: String) async throws(ChainError) -> Pocket_Shared_Service
    /// Compute units per relay of a service effective at `height` (use session start).
    func computeUnitsPerRelay(serviceID: String, atHeight height: Int64) async throws(ChainError) -> UInt64
    /// Relay-mining difficulty target hash (32 bytes) effective at `height` (use session start).
    func relayDifficultyTarget(serviceID: String, atHeight height: Int64) async throws(ChainError) -> [UInt8]

    /// Claims currently stored for a supplier (proof status included).
    func claims(supplierOperatorAddress: String) async throws(ChainError) -> [Pocket_Proof_Claim]

    /// Gas a transaction would use (the signed bytes are checked, not applied).
    func simulate(txBytes: [UInt8]) async throws(ChainError) -> UInt64
    /// SYNC broadcast of a signed transaction (`TxRaw` bytes).
    func broadcast(txBytes: [UInt8]) async throws(ChainError) -> BroadcastResult
}
