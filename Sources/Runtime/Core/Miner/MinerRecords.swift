import PocketProtocol

/// Which of a session's two submissions a record field, a batch or a
/// re-broadcast is about. The raw value prefixes the submission record's
/// fields (`claim_tx`, `proof_hash`, …).
public enum SubmissionKind: String, Sendable, Hashable, CaseIterable {
    case claim
    case proof
}

/// The seal record of a session (`RedisKeys.seal`, a hash). `last_id` is
/// written by `sealStream`; the owner then adds the frozen root with a fenced
/// HSET. `outcome` is the cleanup tombstone: once present the session is
/// being removed and a new owner only finishes the removal.
public struct SealRecord: Sendable, Hashable {
    public var lastID: StreamID?
    public var root: Bytes?
    public var count: UInt64?
    public var sum: UInt64?
    public var epoch: Int64?
    public var sealedHeight: Int64?
    public var outcome: String?

    /// The hash's field names, declared once for the writers and the parser.
    public enum Field {
        /// Written by the `sealStream` script itself (`RedisScripts`), never by a plain HSET.
        public static let lastID = "last_id"
        public static let root = "root"
        public static let count = "count"
        public static let sum = "sum"
        public static let epoch = "epoch"
        public static let sealedHeight = "sealed_height"
        public static let outcome = "outcome"
    }

    public init(lastID: StreamID? = nil, root: Bytes? = nil, count: UInt64? = nil, sum: UInt64? = nil, epoch: Int64? = nil, sealedHeight: Int64? = nil, outcome: String? = nil) {
        self.lastID = lastID
        self.root = root
        self.count = count
        self.sum = sum
        self.epoch = epoch
        self.sealedHeight = sealedHeight
        self.outcome = outcome
    }

    public init(fields: [FieldValue]) {
        var r = SealRecord()
        for f in fields {
            let text = String(decoding: f.value, as: UTF8.self)
            switch String(decoding: f.field, as: UTF8.self) {
            case Field.lastID: r.lastID = StreamID(text)
            case Field.root: r.root = f.value.count == 48 ? f.value : nil
            case Field.count: r.count = UInt64(text)
            case Field.sum: r.sum = UInt64(text)
            case Field.epoch: r.epoch = Int64(text)
            case Field.sealedHeight: r.sealedHeight = Int64(text)
            case Field.outcome: r.outcome = text
            default: break
            }
        }
        self = r
    }
}

/// A change the owner makes to a seal record. Its hash fields and its effect
/// on the in-memory copy are written side by side, so what the owner holds is
/// what a new owner would read back (`MinerRecordTests` checks the pair).
public enum SealChange: Sendable, Hashable {
    /// The frozen tree, after `sealStream` set `last_id`.
    case root(Bytes, count: UInt64, sum: UInt64, epoch: Int64, height: Int64)
    /// The cleanup tombstone (`SettleOutcome` or `SessionFailure` raw value).
    case outcome(String)

    public var fields: [FieldValue] {
        switch self {
        case .root(let root, let count, let sum, let epoch, let height):
            return [FieldValue(SealRecord.Field.root, root), .text(SealRecord.Field.count, String(count)),
                    .text(SealRecord.Field.sum, String(sum)), .text(SealRecord.Field.epoch, String(epoch)),
                    .text(SealRecord.Field.sealedHeight, String(height))]
        case .outcome(let outcome):
            return [.text(SealRecord.Field.outcome, outcome)]
        }
    }

    public func apply(to r: inout SealRecord) {
        switch self {
        case .root(let root, let count, let sum, let epoch, let height):
            (r.root, r.count, r.sum, r.epoch, r.sealedHeight) = (root, count, sum, epoch, height)
        case .outcome(let outcome):
            r.outcome = outcome
        }
    }
}

/// A signed transaction recorded before it is broadcast (the intent). A new
/// owner never builds a different one for the same session: it can only
/// re-broadcast these bytes, through the reconciler.
public struct SubmissionIntent: Sendable, Hashable {
    public var txBytes: Bytes
    public var txHash: String
    /// The observed block height when it was first broadcast.
    public var height: Int64
    public var resubmits: Int

    public init(txBytes: Bytes, txHash: String, height: Int64, resubmits: Int = 0) {
        self.txBytes = txBytes
        self.txHash = txHash
        self.height = height
        self.resubmits = resubmits
    }
}

/// The submission record of a session (`RedisKeys.submission`, a hash):
/// claim and proof intents, the proof requirement decision, confirmations.
public struct SubmissionRecord: Sendable, Hashable {
    public var claim: SubmissionIntent?
    public var claimConfirmedHeight: Int64?
    public var emptyClaim: Bool = false
    public var proofRequirement: String?
    public var proof: SubmissionIntent?
    public var proofConfirmedHeight: Int64?

    /// The hash's field names, declared once for the writers and the parser.
    public enum Field {
        public static func tx(_ k: SubmissionKind) -> String { "\(k.rawValue)_tx" }
        public static func hash(_ k: SubmissionKind) -> String { "\(k.rawValue)_hash" }
        public static func height(_ k: SubmissionKind) -> String { "\(k.rawValue)_height" }
        public static func resubmits(_ k: SubmissionKind) -> String { "\(k.rawValue)_resubmits" }
        public static func confirmed(_ k: SubmissionKind) -> String { "\(k.rawValue)_confirmed" }
        public static let claimEmpty = "claim_empty"
        public static let proofRequirement = "proof_requirement"
    }

    public init() {}

    public init(fields: [FieldValue]) {
        var map: [String: [UInt8]] = [:]
        for f in fields { map[String(decoding: f.field, as: UTF8.self)] = f.value }
        func text(_ k: String) -> String? { map[k].map { String(decoding: $0, as: UTF8.self) } }
        for kind in SubmissionKind.allCases {
            if let tx = map[Field.tx(kind)], !tx.isEmpty, let hash = text(Field.hash(kind)),
               let height = text(Field.height(kind)).flatMap({ Int64($0) }) {
                self[intent: kind] = SubmissionIntent(txBytes: tx, txHash: hash, height: height,
                                                      resubmits: text(Field.resubmits(kind)).flatMap { Int($0) } ?? 0)
            }
            self[confirmedHeight: kind] = text(Field.confirmed(kind)).flatMap { Int64($0) }
        }
        emptyClaim = text(Field.claimEmpty) == "1"
        proofRequirement = text(Field.proofRequirement)
    }

    public subscript(intent kind: SubmissionKind) -> SubmissionIntent? {
        get { kind == .claim ? claim : proof }
        set { if kind == .claim { claim = newValue } else { proof = newValue } }
    }

    public subscript(confirmedHeight kind: SubmissionKind) -> Int64? {
        get { kind == .claim ? claimConfirmedHeight : proofConfirmedHeight }
        set { if kind == .claim { claimConfirmedHeight = newValue } else { proofConfirmedHeight = newValue } }
    }
}

/// A change the owner makes to a submission record; like `SealChange`, the
/// hash fields and the in-memory effect come from one place.
public enum SubmissionChange: Sendable, Hashable {
    /// A signed tx recorded before its broadcast (a first one or a replacement).
    case intent(SubmissionKind, SubmissionIntent)
    /// The re-broadcast count, written before each re-broadcast.
    case resubmits(SubmissionKind, Int)
    /// Seen on chain at this height.
    case confirmed(SubmissionKind, height: Int64)
    /// Sealed with zero relays: no claim will ever be made.
    case emptyClaim
    /// The proof requirement decision (`ProofRequirement.description`).
    case proofRequirement(String)

    public var fields: [FieldValue] {
        typealias F = SubmissionRecord.Field
        switch self {
        case .intent(let k, let intent):
            return [FieldValue(F.tx(k), intent.txBytes), .text(F.hash(k), intent.txHash), .text(F.height(k), String(intent.height)),
                    .text(F.resubmits(k), String(intent.resubmits))]
        case .resubmits(let k, let n): return [.text(F.resubmits(k), String(n))]
        case .confirmed(let k, let height): return [.text(F.confirmed(k), String(height))]
        case .emptyClaim: return [.text(F.claimEmpty, "1")]
        case .proofRequirement(let r): return [.text(F.proofRequirement, r)]
        }
    }

    public func apply(to r: inout SubmissionRecord) {
        switch self {
        case .intent(let k, let intent): r[intent: k] = intent
        case .resubmits(let k, let n): r[intent: k]?.resubmits = n
        case .confirmed(let k, let height): r[confirmedHeight: k] = height
        case .emptyClaim: r.emptyClaim = true
        case .proofRequirement(let requirement): r.proofRequirement = requirement
        }
    }
}

extension FieldValue {
    static func text(_ field: String, _ value: String) -> FieldValue { FieldValue(field, Array(value.utf8)) }
}
