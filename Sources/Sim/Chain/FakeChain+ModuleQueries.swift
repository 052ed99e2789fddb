import PocketProtocol
import RelayRuntime

/// Module-state reads that the runtime's ports do not need but the chain's
/// real query services offer (claims of any supplier, stored proofs, every
/// application, difficulty entries): what the chain stand-in serves over gRPC.
/// Orders follow the chain's stores (bytewise keys) so answers are stable.
extension FakeChain {
    /// Every stored claim, in store order: session id, then supplier.
    public func allClaims() -> [Pocket_Proof_Claim] {
        state.claims.keys.sorted().map { state.claims[$0]! }
    }

    /// The stored claim of (session, supplier), if any.
    public func claim(sessionID: String, supplierOperatorAddress: String) -> Pocket_Proof_Claim? {
        state.claims[ClaimKey(sessionID: sessionID, supplier: supplierOperatorAddress)]
    }

    /// Every stored proof, in store order. Proofs are stored by their block's
    /// delivery and removed by the same block's EndBlocker, so between blocks
    /// this is empty, as on the real chain after validation.
    public func allProofs() -> [Pocket_Proof_Proof] {
        state.proofs.keys.sorted().map { state.proofs[$0]!.proof }
    }

    /// The stored proof of (session, supplier), if any (see `allProofs`).
    public func proof(sessionID: String, supplierOperatorAddress: String) -> Pocket_Proof_Proof? {
        state.proofs[ClaimKey(sessionID: sessionID, supplier: supplierOperatorAddress)]?.proof
    }

    /// Every staked application, by address (bytewise).
    public func allApplications() -> [Pocket_Application_Application] {
        state.applications.keys.sorted(by: byteOrder).map { state.applications[$0]! }
    }

    /// The relay-mining difficulty entry in force at `height`, with the height
    /// it took effect (1 for the genesis entry): what the difficulty-at-height
    /// query reports, where `relayDifficultyTarget` gives only the target.
    public func relayDifficultyEntry(serviceID: String, atHeight height: Int64) throws(ChainError) -> HeightUpdate<Bytes> {
        guard let service = services[serviceID] else { throw .notFound("service \(serviceID)") }
        return service.difficulty.last { $0.effectiveHeight <= height } ?? service.difficulty[0]
    }
}
