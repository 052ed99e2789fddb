import BigInt
import PocketProtocol

/// Decides, per claimed session, whether the chain requires a proof, and
/// turns a block's proof batch (one supplier's sessions of one session end)
/// into one signed `MsgSubmitProof` tx, intent recorded before the broadcast.
///
/// The requirement (docs/protocol.md#proof-requirement): seed = hash of block `ProofWindowOpen − 1`;
/// `ProofRequirement.evaluate` on the stored claim (whose root must be the
/// frozen tree's), its claimed uPOKT (difficulty target, CUTTM and
/// granularity at session start), the live proof params and sha256 of the
/// claim's canonical bytes.
///
/// Used only from its worker's isolation (hence `nonisolated(nonsending)`).
struct ProofSubmitter {
    let supplier: String
    let chain: any ChainPort
    let records: SessionRecordStore
    let sender: TxSender
    let chainData: ChainDataCache
    let log: WorkerTelemetry

    /// A session to prove: its compacted, gob-encoded closest proof.
    struct Ready {
        let session: MinerSessionState
        let proof: Bytes
        let requirement: ProofRequirement
    }

    /// Evaluates the requirement of each session of `batch` against its claim
    /// on chain (`claims`, by session id). NOT_REQUIRED decisions are recorded
    /// here; sessions that cannot be proven are returned for the worker to fail.
    nonisolated(nonsending) func evaluate(_ batch: [MinerSessionState], height h: Int64, claims: [String: Pocket_Proof_Claim]) async throws
        -> (ready: [Ready], failed: [(MinerSessionState, SessionFailure)]) {
        let proofParams = try await chain.proofParams()
        var ready: [Ready] = []
        var failed: [(MinerSessionState, SessionFailure)] = []
        for s in batch {
            guard let w = s.windows, let claim = claims[s.id] else { continue }
            let seed = try await chainData.blockHash(atHeight: w.seedHeight, current: h)
            let claimedRoot = Bytes(claim.rootHash)
            guard claimedRoot.count == 48, claimedRoot == s.tree.root else {
                log.event(MinerEvent.sessionRootMismatch, s.fields + [("claimed", claimedRoot.hex), ("rebuilt", s.tree.root.hex)])
                failed.append((s, .rootMismatch))
                continue
            }
            let startParams = try await chainData.sharedParams(atHeight: s.info.sessionStart, current: h)
            let target = try await chainData.difficultyTarget(serviceID: s.info.serviceID, sessionStart: s.info.sessionStart, current: h)
            let claimed = ClaimAmount.claimedUPOKT(
                computeUnits: ClaimAmount.computeUnits(root: claimedRoot), targetHash: target,
                computeUnitsToTokensMultiplier: startParams.computeUnitsToTokensMultiplier,
                computeUnitCostGranularity: startParams.computeUnitCostGranularity)
            let claimHash = Hash.sha256(try CanonicalCodec.encode(claim))
            let requirement = ProofRequirement.evaluate(
                claimedUPOKT: claimed, thresholdUPOKT: BigUInt(proofParams.proofRequirementThresholdUPOKT),
                claimHash: claimHash, seedBlockHash: seed, probability: proofParams.proofRequestProbability)
            if !requirement.isRequired {
                try await records.record(.proofRequirement(requirement.description), for: s)
                log.event(MinerEvent.proofNotRequired, s.fields + [("height", String(h)), ("claimed_upokt", String(claimed)),
                                                                   ("sample", String(ProofRequirement.sample(claimHash: claimHash, seedBlockHash: seed)))])
                continue
            }
            guard h < w.proofClose else {
                failed.append((s, .proofNotSubmitted))
                continue
            }
            let path = SessionID.proofPath(seedBlockHash: seed, sessionID: s.id)
            let proof = try s.tree.proveClosest(path: path).compacted()
            ready.append(Ready(session: s, proof: GobClosestProofCodec.encode(proof), requirement: requirement))
        }
        return (ready, failed)
    }

    /// Signs one proof tx for `ready`, records it (and the requirement) as every session's intent, broadcasts it.
    nonisolated(nonsending) func submit(_ ready: [Ready], block: ChainBlock) async throws {
        guard let first = ready.first?.session else { return }
        let messages = ready.map { MinerMessages.submitProof(supplier: supplier, session: $0.session.info, proof: $0.proof) }
        let tx = try await sender.sign(messages, blockTime: block.time,
                                       uniqueness: Array("proof/\(first.end)/".utf8) + Array(ready.map(\.session.id).joined(separator: ",").utf8))
        let intent = SubmissionIntent(txBytes: tx.txRawBytes, txHash: tx.hash, height: block.height)
        for r in ready {
            try await records.record(.intent(.proof, intent), .proofRequirement(r.requirement.description), for: r.session)
        }
        let fields: TelemetryLabels = [("session_end", String(first.end)), ("sessions", String(ready.count)), ("tx", tx.hash),
                                       ("height", String(block.height)), ("requirement", ready.map(\.requirement.description).joined(separator: ","))]
        try await sender.broadcast(tx.txRawBytes, event: MinerEvent.proofBroadcast, errorEvent: MinerEvent.proofError, fields: fields)
    }
}
