import PocketProtocol

/// The claim/proof timeline of one session, from the shared params at its
/// end height (docs/protocol.md#sessions-and-windows, #params-by-height). Heights are inclusive block heights.
public struct SessionWindows: Sendable, Hashable {
    public let sessionStart: Int64
    public let sessionEnd: Int64
    public let claimOpen: Int64
    public let claimClose: Int64
    public let proofOpen: Int64
    public let proofClose: Int64
    /// The block whose hash seeds the proof path and the requirement sample (`proofOpen − 1`).
    public let seedHeight: Int64

    /// `params` must be the shared params effective at `sessionEnd`.
    public init(params: SharedParams, sessionEnd: Int64) {
        let grid = SessionGrid(params)
        sessionStart = grid.sessionStart(sessionEnd)
        self.sessionEnd = grid.sessionEnd(sessionEnd)
        claimOpen = grid.earliestClaimCommit(sessionEnd)
        claimClose = grid.claimWindowClose(sessionEnd)
        proofOpen = grid.earliestProofCommit(sessionEnd)
        proofClose = grid.proofWindowClose(sessionEnd)
        seedHeight = grid.proofSeedBlockHeight(sessionEnd)
    }

    public init(sessionStart: Int64, sessionEnd: Int64, claimOpen: Int64, claimClose: Int64, proofOpen: Int64, proofClose: Int64) {
        self.sessionStart = sessionStart
        self.sessionEnd = sessionEnd
        self.claimOpen = claimOpen
        self.claimClose = claimClose
        self.proofOpen = proofOpen
        self.proofClose = proofClose
        seedHeight = proofOpen - 1
    }
}

/// Where a session's claim stands, as the owner knows it (memory + submission record).
public enum ClaimProgress: Sendable, Hashable {
    case none
    /// Sealed with zero relays: nothing to claim.
    case skippedEmpty
    /// A signed tx was recorded (intent) at `height`, re-broadcast `resubmits` times.
    case submitted(height: Int64, resubmits: Int)
    case confirmed
}

/// Where a session's proof stands.
public enum ProofProgress: Sendable, Hashable {
    case none
    case notRequired
    case submitted(height: Int64, resubmits: Int)
    case confirmed
}

/// What the planner needs to know about a session.
public struct SessionSnapshot: Sendable, Hashable {
    /// Seal id known, tree complete up to it, root frozen and recorded.
    public var sealed: Bool
    public var relayCount: UInt64
    public var claim: ClaimProgress
    public var proof: ProofProgress

    public init(sealed: Bool, relayCount: UInt64, claim: ClaimProgress = .none, proof: ProofProgress = .none) {
        self.sealed = sealed
        self.relayCount = relayCount
        self.claim = claim
        self.proof = proof
    }
}

/// The chain's view of the session's claim this block (docs/protocol.md#confirming-inclusion): included
/// ⇔ the supplier's claims contain it; proof included ⇔ status VALIDATED.
public struct ChainObservation: Sendable, Hashable {
    public var claimOnChain: Bool
    public var proofValidated: Bool
    public var proofInvalid: Bool

    public init(claimOnChain: Bool, proofValidated: Bool = false, proofInvalid: Bool = false) {
        self.claimOnChain = claimOnChain
        self.proofValidated = proofValidated
        self.proofInvalid = proofInvalid
    }

    public static let absent = ChainObservation(claimOnChain: false)
}

/// How a successful (or empty) session ends.
public enum SettleOutcome: String, Sendable, Hashable {
    /// Claimed and the required proof VALIDATED.
    case proven
    /// Claimed; the chain does not require a proof.
    case proofNotRequired = "proof_not_required"
    /// Nothing was relayed (sealed empty): nothing to claim.
    case empty
}

/// The next step for one session at one observed block.
public enum SessionAction: Sendable, Hashable {
    case wait
    /// Seal the stream for the session, complete and freeze its tree, record the root.
    case seal
    /// Sealed with no relays: record that no claim will be made.
    case skipEmpty
    /// Join this block's claim batch (per supplier per session end).
    case claim
    case confirmClaim
    /// Re-broadcast the recorded claim tx (same bytes).
    case resubmitClaim
    /// Evaluate the proof requirement; if required, join this block's proof batch.
    case prove
    case confirmProof
    /// Re-broadcast the recorded proof tx (same bytes).
    case resubmitProof
    /// Done: clean up the session's entries and records.
    case settle(SettleOutcome)
    /// Report the failure, then clean up.
    case fail(SessionFailure)
}

/// The miner's per-session state machine as a pure function of (what the
/// owner knows, the session's windows, the observed height, the chain's
/// view). A block height `h` is "observed" once committed, so a tx broadcast
/// at `h` lands at `h + 1` at the earliest: that is why nothing is
/// (re)broadcast at `h ≥ close` of a window.
public enum SessionPlanner {
    /// Whether `next` wants the chain's view of the session this block.
    public static func needsChainView(_ s: SessionSnapshot, windows w: SessionWindows, height h: Int64) -> Bool {
        guard s.sealed, s.relayCount > 0, h >= w.claimOpen else { return false }
        switch s.claim {
        case .none, .submitted: return true
        case .skippedEmpty: return false
        case .confirmed:
            guard h >= w.proofOpen else { return false }
            switch s.proof {
            case .none, .submitted: return true
            case .notRequired, .confirmed: return false
            }
        }
    }

    /// The next action; call again after performing anything but a batched
    /// action (`claim`, `prove`, resubmissions), `settle` or `fail`.
    /// `chain` is nil when the chain's view is unavailable (or not needed).
    public static func next(_ s: SessionSnapshot, windows w: SessionWindows, height h: Int64, chain c: ChainObservation?, maxResubmissions: Int) -> SessionAction {
        guard h > w.sessionEnd else { return .wait }

        // Seal at claim-window open.
        if !s.sealed {
            if h < w.claimOpen { return .wait }
            if h <= w.claimClose { return .seal }
            return .fail(.claimWindowMissed)
        }
        if s.relayCount == 0 {
            if s.claim != .skippedEmpty { return .skipEmpty }
            return h > w.claimClose ? .settle(.empty) : .wait
        }

        // Claim.
        switch s.claim {
        case .none, .skippedEmpty:
            if c?.claimOnChain == true { return .confirmClaim }
            if h < w.claimClose { return .claim }
            if h > w.claimClose { return .fail(.claimNotSubmitted) }
            return .wait
        case .submitted(let at, let resubmits):
            if let c {
                if c.claimOnChain { return .confirmClaim }
                if h > w.claimClose { return .fail(.claimNotIncluded) }
                if h > at, h < w.claimClose, resubmits < maxResubmissions { return .resubmitClaim }
                return .wait
            }
            // Without the chain's view the outcome is unknown; give up only once it cannot matter.
            return h > w.proofClose ? .fail(.claimNotIncluded) : .wait
        case .confirmed:
            break
        }

        // Proof.
        guard h >= w.proofOpen else { return .wait }
        switch s.proof {
        case .none:
            if h > w.proofClose { return .fail(.proofWindowMissed) }
            guard let c else { return .wait }
            if !c.claimOnChain { return h >= w.proofClose ? .fail(.proofWindowMissed) : .wait }
            return .prove
        case .notRequired:
            return h > w.proofClose ? .settle(.proofNotRequired) : .wait
        case .submitted(let at, let resubmits):
            if let c {
                if c.proofValidated { return .confirmProof }
                if c.proofInvalid { return .fail(.proofInvalid) }
                if !c.claimOnChain, h >= w.proofClose { return .fail(.proofUnconfirmed) }
                if c.claimOnChain, h > at, h < w.proofClose, resubmits < maxResubmissions { return .resubmitProof }
            }
            return h > w.proofClose ? .fail(.proofNotIncluded) : .wait
        case .confirmed:
            return h > w.proofClose ? .settle(.proven) : .wait
        }
    }
}
