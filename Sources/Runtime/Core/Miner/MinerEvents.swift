/// The miner's telemetry events (component `miner`). Every state transition
/// emits one; the simulator's trace and reports are built from them, so the
/// names and field keys are part of the miner's contract.
///
/// Common fields: `supplier`, `session`, `session_end`, `epoch`, `height`,
/// counts (`relays`, `sum`, `entries`, `sessions`), `tx` (hash), `reason`.
public enum MinerEvent {
    public static let component = "miner"

    // Instance and ownership
    public static let instanceStarted = "instance.started"
    public static let instanceStopped = "instance.stopped"
    public static let leaseAcquired = "lease.acquired"
    /// The lease went to another owner (`reason`: taken | reacquired | fenced | renew_failed).
    public static let leaseLost = "lease.lost"
    /// Given up voluntarily (`reason`: rebalance | shutdown).
    public static let leaseReleased = "lease.released"
    public static let ownershipError = "ownership.error"

    // Worker
    public static let workerRebuilt = "worker.rebuilt"
    public static let workerStopped = "worker.stopped"
    public static let workerError = "worker.error"
    public static let entriesReclaimed = "entries.reclaimed"
    /// An entry that will never be in a claim, deleted from the stream (`reason`).
    public static let entryDiscarded = "entry.discarded"
    /// Entries delivered to another consumer filled in from the stream.
    public static let gapFilled = "entries.gap_filled"

    // Session lifecycle
    public static let sessionSealed = "session.sealed"
    public static let sessionRootMismatch = "session.root_mismatch"
    public static let claimBroadcast = "claim.broadcast"
    public static let claimSkipped = "claim.skipped"
    public static let claimConfirmed = "claim.confirmed"
    public static let claimError = "claim.error"
    public static let proofBroadcast = "proof.broadcast"
    public static let proofNotRequired = "proof.not_required"
    public static let proofConfirmed = "proof.confirmed"
    public static let proofError = "proof.error"
    public static let reconcileResubmit = "reconcile.resubmit"
    public static let sessionSettled = "session.settled"
    /// Windows closed without a successful claim/proof (`reason`).
    public static let sessionFailed = "session.failed"
    public static let sessionCleaned = "session.cleaned"
}

/// Why an entry was discarded (field `reason` of `entry.discarded`).
public enum DiscardReason: String, Error, Sendable, Hashable, CaseIterable {
    /// No `data` field.
    case missingData = "missing_data"
    /// `data` is not a `MinedRelayMessage`.
    case undecodable
    /// Published on this supplier's stream for another supplier.
    case wrongSupplier = "wrong_supplier"
    /// Missing session id / heights, empty relay or zero compute units.
    case incomplete
    /// `relay_hash` is not sha256 of `relay_bytes`.
    case hashMismatch = "hash_mismatch"
    /// After its session's seal id: never in the claimed tree.
    case late
    /// For a session already settled and cleaned up.
    case settled
}

/// Why a session ended without a successful claim or proof (field `reason` of `session.failed`).
public enum SessionFailure: String, Sendable, Hashable {
    /// The claim window closed before the session was sealed (no owner at the time).
    case claimWindowMissed = "claim_window_missed"
    /// Sealed, but no claim tx was submitted while it could still land.
    case claimNotSubmitted = "claim_not_submitted"
    /// A claim tx was submitted but the claim never appeared on chain.
    case claimNotIncluded = "claim_not_included"
    /// `sum ≠ count × compute_units_per_relay` at session start: the chain would reject the claim.
    case computeUnitsMismatch = "compute_units_mismatch"
    /// A proof was required but none was submitted while it could still land.
    case proofNotSubmitted = "proof_not_submitted"
    /// The proof window passed without the requirement being evaluated (no owner or no chain access then).
    case proofWindowMissed = "proof_window_missed"
    /// A proof tx was submitted but never validated on chain.
    case proofNotIncluded = "proof_not_included"
    /// The claim left the chain (settled or expired) before the proof's validation was observed.
    case proofUnconfirmed = "proof_unconfirmed"
    /// The chain validated the proof as INVALID.
    case proofInvalid = "proof_invalid"
    /// The stored claim's root differs from the sealed tree (cannot be proven).
    case rootMismatch = "root_mismatch"
}

extension SubmissionKind {
    /// The event of a failed step of this kind (building, broadcasting, re-broadcasting).
    var errorEvent: String { self == .claim ? MinerEvent.claimError : MinerEvent.proofError }
}
