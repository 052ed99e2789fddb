import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import Testing

/// Proofs and settlement by the real rules. Session 1 ends at 10: claim in
/// block 12, seed block 15, proof window [16, 20], settlement at the end of 20.
@Suite struct ProofTests {
    struct Outcome: Sendable {
        let ledger: ChainLedger
        let work: SessionWork
        let claimsAfterProof: [Pocket_Proof_Claim]
        let claimsAfterSettlement: [Pocket_Proof_Claim]
        let balance: UInt64
        let stake: UInt64?
    }

    /// Claims `work`'s root at 12, submits `proof` (built at seed block 15) at 16, settles at 20.
    static func lifecycle(
        _ genesis: ChainGenesis = Fixture.genesis(), app: PrivateKey = Keys.app, signer: PrivateKey = Keys.gateway,
        claimRoot: (@Sendable (SessionWork) -> Bytes)? = nil,
        proof: (@Sendable (SessionWork, FakeChain) async throws -> Bytes?)? = nil
    ) throws -> Outcome {
        try Fixture.run(genesis) { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel, app: app, signer: signer)
            try await chain.submit([work.claim(root: claimRoot?(work))])
            await chain.run(untilHeight: 15)
            let bytes: Bytes? = if let proof { try await proof(work, chain) } else { try await work.proofBytes(on: chain) }
            if let bytes { try await chain.submit([work.proof(bytes)]) }
            await chain.run(untilHeight: 16)
            let afterProof = try await chain.claims(supplierOperatorAddress: work.supplierAddress)
            await chain.run(untilHeight: 20)
            return Outcome(ledger: await chain.ledger, work: work, claimsAfterProof: afterProof,
                           claimsAfterSettlement: try await chain.claims(supplierOperatorAddress: work.supplierAddress),
                           balance: try await chain.balance(address: work.supplierAddress),
                           stake: await chain.stake(ofSupplier: work.supplierAddress))
        }
    }

    @Test func aRealProofIsValidatedAndTheClaimSettles() throws {
        let outcome = try Self.lifecycle()
        let ledger = outcome.ledger
        #expect(ledger.claimsAccepted.count == 1 && ledger.claimsRejected.isEmpty && ledger.proofsRejected.isEmpty)
        #expect(ledger.proofsAccepted.map(\.requirement) == [.probabilistic])
        #expect(ledger.proofsAccepted.map(\.height) == [16])
        #expect(ledger.proofValidations.count == 1)
        #expect(ledger.proofValidations[0].status == .validated && ledger.proofValidations[0].failure == nil)
        #expect(ledger.proofValidations[0].height == 16)
        #expect(outcome.claimsAfterProof.map(\.proofValidationStatus) == [.validated])
        #expect(outcome.claimsAfterSettlement.isEmpty)
        let settlement = try #require(ledger.settlement(supplier: outcome.work.supplierAddress, sessionID: outcome.work.header.sessionID))
        #expect(settlement.outcome == .settled(.probabilistic))
        #expect(settlement.height == 20 && settlement.sessionEndHeight == 10)
        #expect(settlement.relayCount == 4 && settlement.computeUnits == 12)
        #expect(settlement.claimedUPOKT == 12 * 42)
        #expect(settlement.proofStatus == .validated && settlement.slashedUPOKT == 0)
        #expect(outcome.balance == Fixture.supplierBalance - 1_000_000)
        #expect(outcome.stake == Fixture.supplierStake)
    }

    /// An application without gateways signs over [app, app]; the chain's ring is {app, placeholder}.
    @Test func relaysSignedByTheApplicationItselfValidate() throws {
        let outcome = try Self.lifecycle(app: Keys.soloApp, signer: Keys.soloApp)
        #expect(outcome.ledger.proofValidations.map(\.status) == [.validated])
        #expect(outcome.ledger.settlements.map(\.outcome) == [.settled(.probabilistic)])
    }

    @Test func aFlippedBitInTheProvenRelayIsInvalidAndSlashed() throws {
        let outcome = try Self.lifecycle(proof: { work, chain in
            var compact = try GobClosestProofCodec.decode(try await work.proofBytes(on: chain))
            var value = compact.closestValueHash!
            let marker = Bytes("eth_blockNumber".utf8)
            let at = (0...(value.count - marker.count)).first { Array(value[$0..<($0 + marker.count)]) == marker }!
            value[at] ^= 0x01
            compact.closestValueHash = value
            return GobClosestProofCodec.encode(compact)
        })
        let ledger = outcome.ledger
        #expect(ledger.proofsAccepted.count == 1)
        #expect(ledger.proofValidations.map(\.status) == [.invalid])
        #expect(ledger.proofValidations[0].failure == .ringSignature("ring signature verification failed"))
        #expect(outcome.claimsAfterProof.map(\.proofValidationStatus) == [.invalid])
        #expect(ledger.settlements.map(\.outcome) == [.expired(.proofInvalid, requirement: .probabilistic)])
        #expect(ledger.settlements[0].slashedUPOKT == 320_000_000)
        #expect(outcome.stake == Fixture.supplierStake - 320_000_000)
        #expect(outcome.claimsAfterSettlement.isEmpty)
    }

    @Test func aProofAtTheWrongPathIsInvalid() throws {
        let outcome = try Self.lifecycle(proof: { work, chain in
            try await work.proofBytes(on: chain, path: Hash.sha256(Bytes("not the session path".utf8)))
        })
        #expect(outcome.ledger.proofValidations.map(\.failure) == [.pathMismatch])
        #expect(outcome.ledger.settlements.map(\.outcome) == [.expired(.proofInvalid, requirement: .probabilistic)])
    }

    /// The claim commits to 4 relays; the proof comes from a tree of 3 of them.
    @Test func aProofAgainstAnotherRootIsInvalid() throws {
        let outcome = try Self.lifecycle(proof: { work, chain in
            try await work.proofBytes(on: chain, tree: SessionWork.tree(Array(work.relays.prefix(3)), weight: Fixture.cupr))
        })
        #expect(outcome.ledger.proofValidations.map(\.failure) == [.closestProof(SMSTProofError.rootMismatch.description)])
        #expect(outcome.ledger.settlements.map(\.outcome) == [.expired(.proofInvalid, requirement: .probabilistic)])
        #expect(outcome.stake == Fixture.supplierStake - 320_000_000)
    }

    @Test func aRequiredProofThatNeverCameIsMissing() throws {
        let outcome = try Self.lifecycle(proof: { _, _ in nil })
        let ledger = outcome.ledger
        #expect(ledger.proofsAccepted.isEmpty && ledger.proofValidations.isEmpty)
        #expect(ledger.settlements.map(\.outcome) == [.expired(.proofMissing, requirement: .probabilistic)])
        #expect(ledger.settlements[0].proofStatus == .pendingValidation)
        #expect(outcome.stake == Fixture.supplierStake - 320_000_000)
        #expect(outcome.balance == Fixture.supplierBalance)
    }

    @Test func aProofForAClaimThatNeedsNoneIsRejected() throws {
        let outcome = try Self.lifecycle(Fixture.genesis(probability: 0))
        let ledger = outcome.ledger
        #expect(ledger.proofsAccepted.isEmpty)
        #expect(ledger.proofsRejected.map(\.reason) == [.proofNotRequired])
        #expect(ledger.proofsRejected[0].height == 16)
        // The submission fee is reverted with the transaction.
        #expect(outcome.balance == Fixture.supplierBalance)
        #expect(ledger.settlements.map(\.outcome) == [.settled(.notRequired)])
        #expect(outcome.stake == Fixture.supplierStake)
    }

    @Test func aClaimWorthTheThresholdRequiresAProof() throws {
        let outcome = try Self.lifecycle(Fixture.genesis(probability: 0, thresholdUPOKT: 12 * 42))
        #expect(outcome.ledger.proofsAccepted.map(\.requirement) == [.threshold])
        #expect(outcome.ledger.settlements.map(\.outcome) == [.settled(.threshold)])
    }

    @Test func proofSubmissionChecks() throws {
        let ledger = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            let unclaimed = try await SessionWork.make(on: chain, kernel: kernel, supplier: Keys.supplier2)
            try await chain.submit([work.claim()])
            await chain.run(untilHeight: 14)
            // Before the window: block 15 < 16 (the proof bytes only need to be well formed).
            let early = GobClosestProofCodec.encode(try work.tree.proveClosest(path: Hash.sha256(Bytes("x".utf8))).compacted())
            try await chain.submit([work.proof(early)], TxBuilder(memo: "early"))
            await chain.run(untilHeight: 15)
            try await chain.submit([unclaimed.proof(try await unclaimed.proofBytes(on: chain))], TxBuilder(key: Keys.supplier2))
            try await chain.submit([work.proof([0x01, 0x02, 0x03])], TxBuilder(memo: "garbage"))
            await chain.run(untilHeight: 20)
            try await chain.submit([work.proof(try await work.proofBytes(on: chain))], TxBuilder(memo: "late"))
            await chain.run(untilHeight: 21)
            return await chain.ledger
        }
        let reasons = ledger.proofsRejected.map(\.reason)
        #expect(reasons.count == 4)
        #expect(reasons[0] == .proofTooEarly(height: 15, earliest: 16))
        #expect(reasons[1] == .claimNotFound)
        var gobError = ""
        do throws(SMSTProofError) { _ = try GobClosestProofCodec.decode([0x01, 0x02, 0x03]) } catch { gobError = error.description }
        #expect(reasons[2] == .malformedProof(gobError))
        #expect(reasons[3] == .proofTooLate(height: 21, windowClose: 20))
        #expect(ledger.proofsAccepted.isEmpty)
    }

    /// Relay-mining difficulty at the session start: with an all-zero target no relay qualifies.
    @Test func aRelayAboveTheDifficultyTargetIsInvalid() throws {
        let outcome = try Self.lifecycle(Fixture.genesis(difficulty: Bytes(repeating: 0, count: 32)))
        #expect(outcome.ledger.claimsAccepted.count == 1)
        #expect(outcome.ledger.proofValidations.map(\.failure) == [.difficultyNotMet])
        #expect(outcome.ledger.settlements.map(\.claimedUPOKT) == [0])
    }

    @Test func theProofFeeNeedsABalanceAboveIt() throws {
        let outcome = try Self.lifecycle(Fixture.genesis(submissionFee: 1_000, supplierBalance: 1_000))
        #expect(outcome.ledger.proofsRejected.map(\.reason) == [.insufficientBalanceForProofFee(balance: 1_000, fee: 1_000)])
        #expect(outcome.ledger.settlements.map(\.outcome) == [.expired(.proofMissing, requirement: .probabilistic)])
    }
}
