import PocketProtocol

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

    public init(lastID: StreamID? = nil, root: Bytes? = nil, count: UInt64? = nil, sum: UInt64? = nil, epoch: Int64? = nil, sealedHeight: Int64? = nil, outcome: String? = nil) {
        self.lastID = lastID
        self.root = root
        self.count = count
        self.sum = sum
        self.epoch = epoch
        self.sealedHeight = sealedHeight
        self.outcome = outcome
    }

    public static let lastIDField = "last_id"

    public init(fields: [FieldValue]) {
        var r = SealRecord()
        for f in fields {
            let text = String(decoding: f.value, as: UTF8.self)
            switch String(decoding: f.field, as: UTF8.self) {
            case Self.lastIDField: r.lastID = StreamID(text)
            case "root": r.root = f.value.count == 48 ? f.value : nil
            case "count": r.count = UInt64(text)
            case "sum": r.sum = UInt64(text)
            case "epoch": r.epoch = Int64(text)
            case "sealed_height": r.sealedHeight = Int64(text)
            case "outcome": r.outcome = text
            default: break
            }
        }
        self = r
    }

    /// The fields the owner writes after `sealStream` (not `last_id`).
    public static func rootFields(root: Bytes, count: UInt64, sum: UInt64, epoch: Int64, height: Int64) -> [FieldValue] {
        [FieldValue("root", root), FieldValue("count", Array(String(count).utf8)), FieldValue("sum", Array(String(sum).utf8)),
         FieldValue("epoch", Array(String(epoch).utf8)), FieldValue("sealed_height", Array(String(height).utf8))]
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

    public init() {}

    public init(fields: [FieldValue]) {
        var map: [String: [UInt8]] = [:]
        for f in fields { map[String(decoding: f.field, as: UTF8.self)] = f.value }
        func text(_ k: String) -> String? { map[k].map { String(decoding: $0, as: UTF8.self) } }
        func intent(_ prefix: String) -> SubmissionIntent? {
            guard let tx = map["\(prefix)_tx"], !tx.isEmpty, let hash = text("\(prefix)_hash"),
                  let height = text("\(prefix)_height").flatMap({ Int64($0) }) else { return nil }
            return SubmissionIntent(txBytes: tx, txHash: hash, height: height, resubmits: text("\(prefix)_resubmits").flatMap { Int($0) } ?? 0)
        }
        claim = intent("claim")
        claimConfirmedHeight = text("claim_confirmed").flatMap { Int64($0) }
        emptyClaim = text("claim_empty") == "1"
        proofRequirement = text("proof_requirement")
        proof = intent("proof")
        proofConfirmedHeight = text("proof_confirmed").flatMap { Int64($0) }
    }

    public static func intentFields(_ kind: String, _ intent: SubmissionIntent) -> [FieldValue] {
        [FieldValue("\(kind)_tx", intent.txBytes), FieldValue("\(kind)_hash", Array(intent.txHash.utf8)),
         FieldValue("\(kind)_height", Array(String(intent.height).utf8)), FieldValue("\(kind)_resubmits", Array(String(intent.resubmits).utf8))]
    }

    public static func field(_ name: String, _ value: String) -> FieldValue { FieldValue(name, Array(value.utf8)) }
}
