/// What happened in a finished run, laid out in time: blocks, the sessions
/// that carried traffic and their windows, which miner replica held which
/// supplier's lease when, node up/down spans, faults, and every claim and
/// proof per (supplier, session) with its fate on chain. A plain value built
/// from the world after the run (`SimWorld.timeline()`), read by the HTML
/// report and by tests. Actors are named as in the scenario, never by address.
///
/// Times are virtual nanoseconds since the start of the run (block 1 is
/// committed at 0); heights are block heights.
public struct RunTimeline: Sendable, Equatable {
    public var scenario: String
    public var description: String
    public var seed: UInt64
    public var blockTimeNanoseconds: Int64
    public var finalHeight: Int64
    /// When the nodes were shut down (half a block after the last block).
    public var shutdownNanoseconds: Int64
    /// When the simulation stopped.
    public var endNanoseconds: Int64
    /// Supplier names in scenario order.
    public var suppliers: [String]
    public var blocks: [Block]
    /// Block slots skipped by a chain stall.
    public var skippedSlots: [Int64]
    public var sessions: [Session]
    public var nodes: [Node]
    public var leases: [LeaseTenure]
    public var faults: [Fault]
    /// One per (supplier, session) that had traffic or any claim/proof activity,
    /// ordered by session end, supplier (scenario order), application.
    public var claims: [SessionClaim]

    public init(
        scenario: String, description: String = "", seed: UInt64, blockTimeNanoseconds: Int64, finalHeight: Int64,
        shutdownNanoseconds: Int64, endNanoseconds: Int64, suppliers: [String], blocks: [Block] = [], skippedSlots: [Int64] = [],
        sessions: [Session] = [], nodes: [Node] = [], leases: [LeaseTenure] = [], faults: [Fault] = [], claims: [SessionClaim] = []
    ) {
        self.scenario = scenario
        self.description = description
        self.seed = seed
        self.blockTimeNanoseconds = blockTimeNanoseconds
        self.finalHeight = finalHeight
        self.shutdownNanoseconds = shutdownNanoseconds
        self.endNanoseconds = endNanoseconds
        self.suppliers = suppliers
        self.blocks = blocks
        self.skippedSlots = skippedSlots
        self.sessions = sessions
        self.nodes = nodes
        self.leases = leases
        self.faults = faults
        self.claims = claims
    }

    // MARK: Blocks and sessions

    public struct Block: Sendable, Equatable {
        public var height: Int64
        public var nanoseconds: Int64
        /// Transactions included.
        public var transactions: Int

        public init(height: Int64, nanoseconds: Int64, transactions: Int) {
            self.height = height
            self.nanoseconds = nanoseconds
            self.transactions = transactions
        }
    }

    /// A session (one slot of the session grid) in which relays were served or
    /// claims made, with its windows as heights (inclusive bounds).
    public struct Session: Sendable, Equatable {
        public var number: Int64
        public var start: Int64
        public var end: Int64
        public var graceEnd: Int64
        public var claimOpen: Int64
        public var claimClose: Int64
        public var proofOpen: Int64
        public var proofClose: Int64
        /// Acknowledged minable relays (unique) in the session, over all suppliers.
        public var relays: Int

        public init(number: Int64, start: Int64, end: Int64, graceEnd: Int64, claimOpen: Int64, claimClose: Int64,
                    proofOpen: Int64, proofClose: Int64, relays: Int) {
            self.number = number
            self.start = start
            self.end = end
            self.graceEnd = graceEnd
            self.claimOpen = claimOpen
            self.claimClose = claimClose
            self.proofOpen = proofOpen
            self.proofClose = proofClose
            self.relays = relays
        }
    }

    // MARK: Nodes and leases

    public enum NodeKind: String, Sendable, Equatable {
        case relayer, miner
    }

    /// How a span of a node or a lease ended.
    public enum SpanEnd: Sendable, Equatable, CustomStringConvertible {
        /// The lease went to another owner (`reason`: taken, reacquired, fenced, renew_failed).
        case lost(String)
        /// Given up voluntarily (`reason`: rebalance, shutdown).
        case released(String)
        /// The process crashed.
        case crashed
        /// The process was stopped gracefully by the fault timeline.
        case stopped
        /// Still up (held) when the run ended.
        case runEnd

        public var description: String {
            switch self {
            case .lost(let r): return r.isEmpty ? "lost" : "lost (\(r))"
            case .released(let r): return r.isEmpty ? "released" : "released (\(r))"
            case .crashed: return "crash"
            case .stopped: return "stopped"
            case .runEnd: return "run end"
            }
        }
    }

    /// One node process: its up spans (the gaps between them are downtime).
    public struct Node: Sendable, Equatable {
        public var name: String
        public var kind: NodeKind
        public var spans: [NodeSpan]

        public init(name: String, kind: NodeKind, spans: [NodeSpan]) {
            self.name = name
            self.kind = kind
            self.spans = spans
        }
    }

    public struct NodeSpan: Sendable, Equatable {
        public var generation: Int
        public var from: Int64
        public var to: Int64
        public var end: SpanEnd

        public init(generation: Int, from: Int64, to: Int64, end: SpanEnd) {
            self.generation = generation
            self.from = from
            self.to = to
            self.end = end
        }
    }

    /// One supplier lease held by one miner process (instance) under one epoch.
    public struct LeaseTenure: Sendable, Equatable {
        /// Miner node name (e.g. `miner-1`).
        public var miner: String
        /// The process instance id (`miner-1.2` = second start of miner-1).
        public var instance: String
        public var supplier: String
        public var epoch: UInt64
        public var from: Int64
        public var to: Int64
        public var end: SpanEnd

        public init(miner: String, instance: String, supplier: String, epoch: UInt64, from: Int64, to: Int64, end: SpanEnd) {
            self.miner = miner
            self.instance = instance
            self.supplier = supplier
            self.epoch = epoch
            self.from = from
            self.to = to
            self.end = end
        }
    }

    // MARK: Faults

    /// A fault from the timeline: applied at `applied`, cleared at `cleared`
    /// (nil: never cleared, or an instantaneous fault).
    public struct Fault: Sendable, Equatable {
        public var kind: String
        public var target: String
        public var detail: String
        public var applied: Int64
        public var cleared: Int64?

        public init(kind: String, target: String, detail: String, applied: Int64, cleared: Int64?) {
            self.kind = kind
            self.target = target
            self.detail = detail
            self.applied = applied
            self.cleared = cleared
        }
    }

    // MARK: Claims and proofs

    /// One broadcast of a claim or proof transaction.
    public struct Broadcast: Sendable, Equatable {
        public var nanoseconds: Int64
        /// The latest height the miner had seen when it broadcast.
        public var height: Int64
        public var tx: String
        /// A reconciler re-broadcast of the same bytes.
        public var resubmit: Bool
        /// CheckTx accepted it (code 0).
        public var admitted: Bool
        /// CheckTx's log when refused.
        public var log: String

        public init(nanoseconds: Int64, height: Int64, tx: String, resubmit: Bool, admitted: Bool, log: String = "") {
            self.nanoseconds = nanoseconds
            self.height = height
            self.tx = tx
            self.resubmit = resubmit
            self.admitted = admitted
            self.log = log
        }
    }

    public enum ClaimOutcome: Sendable, Equatable, CustomStringConvertible {
        case accepted
        /// Refused by the chain (CheckTx or in a block), with the reason.
        case rejected(String)
        /// Broadcast but never made it into a block (dropped, expired, never included, pending).
        case notIncluded(String)
        /// Never broadcast (the miner's reason when it gave one).
        case notSubmitted(String)
        /// The claim window was still open when the run ended.
        case open

        public var description: String {
            switch self {
            case .accepted: return "accepted"
            case .rejected(let r): return "rejected: \(r)"
            case .notIncluded(let r): return "not included: \(r)"
            case .notSubmitted(let r): return r.isEmpty ? "not submitted" : "not submitted: \(r)"
            case .open: return "window open at run end"
            }
        }
    }

    public struct Claim: Sendable, Equatable {
        public var broadcasts: [Broadcast]
        /// Height of the block that included the (last accepted, else rejected) claim.
        public var includedHeight: Int64?
        public var outcome: ClaimOutcome
        /// Leaves in the accepted claim.
        public var relays: UInt64?
        public var computeUnits: UInt64?
        /// An accepted claim replaced an earlier one.
        public var replaced: Bool

        public init(broadcasts: [Broadcast] = [], includedHeight: Int64? = nil, outcome: ClaimOutcome, relays: UInt64? = nil,
                    computeUnits: UInt64? = nil, replaced: Bool = false) {
            self.broadcasts = broadcasts
            self.includedHeight = includedHeight
            self.outcome = outcome
            self.relays = relays
            self.computeUnits = computeUnits
            self.replaced = replaced
        }
    }

    public enum ProofOutcome: Sendable, Equatable, CustomStringConvertible {
        /// No claim, so no proof question.
        case none
        case notRequired
        /// Accepted into a block, validated VALIDATED in the EndBlocker.
        case validated
        /// Accepted into a block, validated INVALID.
        case invalid(String)
        /// Accepted into a block, not validated by the end of the run.
        case accepted
        case rejected(String)
        case notIncluded(String)
        /// Required (or undecided) and never broadcast.
        case notSubmitted(String)
        /// The proof window was still open when the run ended.
        case open

        public var description: String {
            switch self {
            case .none: return "—"
            case .notRequired: return "not required"
            case .validated: return "validated"
            case .invalid(let r): return "invalid: \(r)"
            case .accepted: return "accepted (not yet validated)"
            case .rejected(let r): return "rejected: \(r)"
            case .notIncluded(let r): return "not included: \(r)"
            case .notSubmitted(let r): return r.isEmpty ? "not submitted" : "not submitted: \(r)"
            case .open: return "window open at run end"
            }
        }
    }

    public struct Proof: Sendable, Equatable {
        /// The requirement as decided (`not_required`, `probabilistic`, `threshold`, …), when known.
        public var requirement: String?
        public var broadcasts: [Broadcast]
        public var includedHeight: Int64?
        public var validationHeight: Int64?
        public var outcome: ProofOutcome

        public init(requirement: String? = nil, broadcasts: [Broadcast] = [], includedHeight: Int64? = nil,
                    validationHeight: Int64? = nil, outcome: ProofOutcome) {
            self.requirement = requirement
            self.broadcasts = broadcasts
            self.includedHeight = includedHeight
            self.validationHeight = validationHeight
            self.outcome = outcome
        }
    }

    public enum SettlementOutcome: Sendable, Equatable, CustomStringConvertible {
        case settled
        /// Expired unpaid (`PROOF_MISSING`, `PROOF_INVALID`); the supplier was slashed.
        case expired(String)

        public var description: String {
            switch self {
            case .settled: return "settled"
            case .expired(let r): return "expired (\(r))"
            }
        }
    }

    public struct Settlement: Sendable, Equatable {
        public var height: Int64
        public var outcome: SettlementOutcome
        public var claimedUPOKT: UInt64
        public var slashedUPOKT: UInt64

        public init(height: Int64, outcome: SettlementOutcome, claimedUPOKT: UInt64, slashedUPOKT: UInt64) {
            self.height = height
            self.outcome = outcome
            self.claimedUPOKT = claimedUPOKT
            self.slashedUPOKT = slashedUPOKT
        }
    }

    /// Everything about one supplier's claim and proof for one session.
    public struct SessionClaim: Sendable, Equatable {
        public var supplier: String
        /// Application name (nil when it cannot be told).
        public var application: String?
        public var service: String?
        public var sessionID: String
        public var sessionStart: Int64
        public var sessionEnd: Int64
        /// Unique relays the relayers acknowledged minable for this supplier and session.
        public var relaysAcknowledged: Int
        public var claim: Claim
        public var proof: Proof
        public var settlement: Settlement?

        public init(supplier: String, application: String?, service: String?, sessionID: String, sessionStart: Int64, sessionEnd: Int64,
                    relaysAcknowledged: Int, claim: Claim, proof: Proof, settlement: Settlement?) {
            self.supplier = supplier
            self.application = application
            self.service = service
            self.sessionID = sessionID
            self.sessionStart = sessionStart
            self.sessionEnd = sessionEnd
            self.relaysAcknowledged = relaysAcknowledged
            self.claim = claim
            self.proof = proof
            self.settlement = settlement
        }
    }
}

extension RunTimeline {
    /// Commit time of `height`; heights not produced are extrapolated from the
    /// last block (or block 1 at 0) at the block time.
    public func nanoseconds(atHeight height: Int64) -> Int64 {
        if let last = blocks.last, height > last.height {
            return last.nanoseconds + (height - last.height) * blockTimeNanoseconds
        }
        if let b = block(height) { return b.nanoseconds }
        if let first = blocks.first, height < first.height {
            return first.nanoseconds - (first.height - height) * blockTimeNanoseconds
        }
        return (height - 1) * blockTimeNanoseconds
    }

    public func block(_ height: Int64) -> Block? {
        guard let first = blocks.first else { return nil }
        let i = Int(height - first.height)
        if i >= 0, i < blocks.count, blocks[i].height == height { return blocks[i] }
        return blocks.first { $0.height == height }
    }

    /// The latest block committed at or before `nanoseconds` (0 before block 1).
    public func height(at nanoseconds: Int64) -> Int64 {
        var lo = 0, hi = blocks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if blocks[mid].nanoseconds <= nanoseconds { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? 0 : blocks[lo - 1].height
    }

    public func leases(ofMiner miner: String) -> [LeaseTenure] { leases.filter { $0.miner == miner } }

    public func leases(ofSupplier supplier: String) -> [LeaseTenure] { leases.filter { $0.supplier == supplier } }

    public var miners: [Node] { nodes.filter { $0.kind == .miner } }

    public var relayers: [Node] { nodes.filter { $0.kind == .relayer } }
}
