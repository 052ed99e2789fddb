import PocketProtocol

/// The supplier's claims on chain by session id, fetched at most once per
/// block pass, and only if some session needs them. A failed fetch is
/// reported and not retried in the same pass (the planner then waits).
struct OnChainClaims: Sendable {
    let chain: any ChainPort
    let supplier: String
    let log: WorkerTelemetry
    private var fetched = false
    private var claims: [String: Pocket_Proof_Claim]?

    init(chain: any ChainPort, supplier: String, log: WorkerTelemetry) {
        self.chain = chain
        self.supplier = supplier
        self.log = log
    }

    nonisolated(nonsending) mutating func fetch(height: Int64) async -> [String: Pocket_Proof_Claim]? {
        if fetched { return claims }
        fetched = true
        do {
            var map: [String: Pocket_Proof_Claim] = [:]
            for c in try await chain.claims(supplierOperatorAddress: supplier) { map[c.sessionHeader.sessionID] = c }
            claims = map
        } catch {
            log.event(MinerEvent.workerError, [("step", "claims"), ("error", "\(error)"), ("height", String(height))])
        }
        return claims
    }

    /// What the planner needs to know of the session's claim (docs/protocol.md#confirming-inclusion).
    static func observe(_ s: MinerSessionState, in claims: [String: Pocket_Proof_Claim]) -> ChainObservation {
        guard let claim = claims[s.id] else { return .absent }
        return ChainObservation(claimOnChain: true, proofValidated: claim.proofValidationStatus == .validated,
                                proofInvalid: claim.proofValidationStatus == .invalid)
    }
}

/// The batched actions of one block pass, run after every session has been
/// planned: claims and proofs per session end (one tx each), re-broadcasts
/// per recorded tx. Keys are sorted when the batches run.
struct BlockBatches {
    var claims: [Int64: [MinerSessionState]] = [:]
    var proofs: [Int64: [MinerSessionState]] = [:]
    /// Per kind, per recorded tx hash: the sessions it still has to land for.
    var resubmits: [SubmissionKind: [String: [MinerSessionState]]] = [:]

    mutating func resubmit(_ kind: SubmissionKind, _ s: MinerSessionState) {
        guard let tx = s.submission[intent: kind]?.txHash else { return }
        resubmits[kind, default: [:]][tx, default: []].append(s)
    }
}
