import PocketProtocol

/// Committed blocks: what every process follows.
public protocol BlockSource: Sendable {
    /// The newest committed block.
    func latestBlock() async throws(ChainError) -> ChainBlock
    /// A committed block by height (`notFound` if not produced yet): proof seeds, session ids.
    func block(at height: Int64) async throws(ChainError) -> ChainBlock
    /// Blocks as they are committed. At-most-once: a subscriber that falls
    /// behind or reconnects may miss heights and must act on the latest.
    func subscribeBlocks() async throws(ChainError) -> AsyncStream<ChainBlock>
}

/// What the relayer reads from the chain to admit a relay (and what the
/// shared chain-data cache serves both processes). Shaped after the chain's
/// real query APIs (docs/protocol.md#chain-apis), so production implements it
/// over gRPC + CometBFT and the simulator over its fake chain.
public protocol ChainReader: BlockSource {
    /// Shared params effective at `height` (history lookup).
    func sharedParams(atHeight height: Int64) async throws(ChainError) -> SharedParams
    /// The session module's `num_suppliers_per_session` (live).
    func numSuppliersPerSession() async throws(ChainError) -> UInt64
    /// The session for (application, service) containing `height`, with its
    /// header, application and (dehydrated) suppliers.
    func session(application: String, serviceID: String, height: Int64) async throws(ChainError) -> Pocket_Session_Session
    func application(address: String) async throws(ChainError) -> Pocket_Application_Application
    /// An account with its number, sequence and public key (ring members, tx signing).
    func account(address: String) async throws(ChainError) -> ChainAccount
    func supplier(operatorAddress: String) async throws(ChainError) -> Pocket_Shared_Supplier
    func service(id: String) async throws(ChainError) -> Pocket_Shared_Service
    /// Compute units per relay of a service effective at `height` (use session start).
    func computeUnitsPerRelay(serviceID: String, atHeight height: Int64) async throws(ChainError) -> UInt64
    /// Relay-mining difficulty target hash (32 bytes) effective at `height` (use session start).
    func relayDifficultyTarget(serviceID: String, atHeight height: Int64) async throws(ChainError) -> [UInt8]
}

/// What the miner adds on top of reading: the proof module's state, its own
/// claims, its balance, and the transaction service it submits through.
public protocol ChainSubmitter: Sendable {
    /// The proof module's live params.
    func proofParams() async throws(ChainError) -> ProofParams
    /// Claims currently stored for a supplier (proof status included).
    func claims(supplierOperatorAddress: String) async throws(ChainError) -> [Pocket_Proof_Claim]
    /// uPOKT balance of an account.
    func balance(address: String) async throws(ChainError) -> UInt64
    /// Gas a transaction would use (the signed bytes are checked, not applied).
    func simulate(txBytes: [UInt8]) async throws(ChainError) -> UInt64
    /// SYNC broadcast of a signed transaction (`TxRaw` bytes).
    func broadcast(txBytes: [UInt8]) async throws(ChainError) -> BroadcastResult
}

/// Everything the miner uses; a full node (or the fake chain) implements both halves.
public typealias ChainPort = ChainReader & ChainSubmitter
