import PocketProtocol

/// One (supplier, session) as its owner holds it: the tree, the stream ids
/// it was built from (both fed by `RelayIngest`), and the in-memory copies
/// of the seal and submission records (changed only by `SessionRecordStore`,
/// in the same call as the fenced write, so memory never runs ahead of Redis).
final class MinerSessionState {
    let info: SessionInfo
    let tree = SparseMerkleSumTrie()
    /// Every stream id applied to the session (deleted at cleanup).
    var entryIDs: Set<StreamID> = []
    /// The seal record as last read or written (`lastID` set once sealed in Redis).
    var seal: SealRecord?
    /// The tree holds every entry up to the seal id and will not change again.
    var frozen = false
    /// The frozen root is in the seal record.
    var rootRecorded = false
    var submission = SubmissionRecord()
    var windows: SessionWindows?
    /// Re-broadcasts this owner made, per kind. The resubmission budget is per
    /// owner, not the record's count: an owner stopped between the fenced write
    /// of its count and the broadcast leaves a count with no broadcast behind it
    /// (found by swarm seed 20: a graceful stop in that gap cost a dropped
    /// claim its only retry). An extra re-broadcast by a new owner is harmless:
    /// the bytes are the recorded intent's, and on chain at most one tx per
    /// (signer, timeout timestamp) executes.
    var resubmitsByThisOwner: [SubmissionKind: Int] = [:]

    init(info: SessionInfo) { self.info = info }

    var id: String { info.key.sessionID }
    var end: Int64 { info.key.sessionEnd }
    var lastID: StreamID? { seal?.lastID }

    var snapshot: SessionSnapshot {
        let claim: ClaimProgress
        if submission.claimConfirmedHeight != nil {
            claim = .confirmed
        } else if submission.emptyClaim {
            claim = .skippedEmpty
        } else if let c = submission.claim {
            claim = .submitted(height: c.height, resubmits: resubmitsByThisOwner[.claim, default: 0])
        } else {
            claim = .none
        }
        let proof: ProofProgress
        if submission.proofConfirmedHeight != nil {
            proof = .confirmed
        } else if submission.proofRequirement == ProofRequirement.notRequired.description {
            proof = .notRequired
        } else if let p = submission.proof {
            proof = .submitted(height: p.height, resubmits: resubmitsByThisOwner[.proof, default: 0])
        } else {
            proof = .none
        }
        return SessionSnapshot(sealed: frozen && rootRecorded, relayCount: tree.count, claim: claim, proof: proof)
    }

    var fields: TelemetryLabels {
        [("session", id), ("session_end", String(end))]
    }
}
