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
            claim = .submitted(height: c.height, resubmits: c.resubmits)
        } else {
            claim = .none
        }
        let proof: ProofProgress
        if submission.proofConfirmedHeight != nil {
            proof = .confirmed
        } else if submission.proofRequirement == ProofRequirement.notRequired.description {
            proof = .notRequired
        } else if let p = submission.proof {
            proof = .submitted(height: p.height, resubmits: p.resubmits)
        } else {
            proof = .none
        }
        return SessionSnapshot(sealed: frozen && rootRecorded, relayCount: tree.count, claim: claim, proof: proof)
    }

    var fields: TelemetryLabels {
        [("session", id), ("session_end", String(end))]
    }
}
