import PocketProtocol
import Testing

@testable import RelayRuntime

/// The seal and submission records: the hash layout a new owner reads back
/// is exactly what the typed changes write, and what an owner holds in
/// memory after a change is what parsing the written hash gives.
@Suite struct MinerRecordTests {
    static let root = Bytes(repeating: 9, count: 48)
    static let intent = SubmissionIntent(txBytes: [1, 2, 3], txHash: "ABC", height: 12, resubmits: 1)

    static func names(_ fields: [FieldValue]) -> [String] { fields.map { String(decoding: $0.field, as: UTF8.self) } }

    @Test func recordsRoundTripThroughTheirHashFields() {
        var fields = SealChange.root(Self.root, count: 4, sum: 12, epoch: 3, height: 12).fields
        fields.append(FieldValue(SealRecord.Field.lastID, Array("1767225610001-4".utf8)))
        let seal = SealRecord(fields: fields)
        #expect(seal == SealRecord(lastID: StreamID(milliseconds: 1_767_225_610_001, sequence: 4), root: Self.root, count: 4, sum: 12, epoch: 3, sealedHeight: 12))

        let record = SubmissionRecord(fields: SubmissionChange.intent(.claim, Self.intent).fields + SubmissionChange.intent(.proof, Self.intent).fields
            + SubmissionChange.confirmed(.claim, height: 13).fields + SubmissionChange.proofRequirement("NOT_REQUIRED").fields)
        #expect(record.claim == Self.intent && record.proof == Self.intent)
        #expect(record.claimConfirmedHeight == 13 && record.proofConfirmedHeight == nil)
        #expect(record.proofRequirement == "NOT_REQUIRED" && !record.emptyClaim)
    }

    /// The field names are a contract with records already in Redis (and docs/runtime-design.md's key table).
    @Test func theHashLayoutIsTheDocumentedOne() {
        #expect(Self.names(SealChange.root(Self.root, count: 1, sum: 2, epoch: 3, height: 4).fields) == ["root", "count", "sum", "epoch", "sealed_height"])
        #expect(Self.names(SealChange.outcome("proven").fields) == ["outcome"])
        #expect(Self.names(SubmissionChange.intent(.claim, Self.intent).fields) == ["claim_tx", "claim_hash", "claim_height", "claim_resubmits"])
        #expect(Self.names(SubmissionChange.intent(.proof, Self.intent).fields) == ["proof_tx", "proof_hash", "proof_height", "proof_resubmits"])
        #expect(Self.names(SubmissionChange.resubmits(.proof, 1).fields) == ["proof_resubmits"])
        #expect(Self.names(SubmissionChange.confirmed(.claim, height: 5).fields) == ["claim_confirmed"])
        #expect(Self.names(SubmissionChange.confirmed(.proof, height: 5).fields) == ["proof_confirmed"])
        #expect(Self.names(SubmissionChange.emptyClaim.fields) == ["claim_empty"])
        #expect(Self.names(SubmissionChange.proofRequirement("PROBABILISTIC").fields) == ["proof_requirement"])
    }

    /// For every change, on top of a record already holding a claim intent:
    /// applying it in memory = parsing the hash after HSET of its fields.
    @Test func memoryAfterAChangeIsWhatANewOwnerReadsBack() {
        let base = SubmissionChange.intent(.claim, Self.intent).fields
        let replacement = SubmissionIntent(txBytes: [4, 5], txHash: "DEF", height: 12, resubmits: 1)
        let changes: [SubmissionChange] = [
            .intent(.claim, replacement), .intent(.proof, Self.intent), .resubmits(.claim, 2), .resubmits(.proof, 2),
            .confirmed(.claim, height: 14), .confirmed(.proof, height: 20), .emptyClaim, .proofRequirement("NOT_REQUIRED"),
        ]
        for change in changes {
            var memory = SubmissionRecord(fields: base)
            change.apply(to: &memory)
            // HSET overwrites equal field names: later fields win when parsing.
            #expect(memory == SubmissionRecord(fields: base + change.fields), "\(change)")
        }
        #expect(SubmissionRecord(fields: base + SubmissionChange.resubmits(.claim, 2).fields).claim?.resubmits == 2)

        let sealBase = [FieldValue(SealRecord.Field.lastID, Array("5-1".utf8))]
        for change in [SealChange.root(Self.root, count: 4, sum: 12, epoch: 3, height: 12), .outcome("claim_window_missed")] {
            var memory = SealRecord(fields: sealBase)
            change.apply(to: &memory)
            #expect(memory == SealRecord(fields: sealBase + change.fields), "\(change)")
        }
    }
}
