import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import Testing

/// MsgCreateClaim by the real rules (docs/protocol.md#claim-and-proof-acceptance). Session 1 is [1, 10]; its
/// claim window is [12, 16]; a tx broadcast after block h lands in block h+1.
@Suite struct ClaimTests {
    @Test func aClaimInsideItsWindowIsAccepted() throws {
        let (work, ledger, claims, balance) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            try await chain.submit([work.claim()], TxBuilder(fee: 5_000))
            await chain.run(untilHeight: 12)
            return (work, await chain.ledger, try await chain.claims(supplierOperatorAddress: work.supplierAddress),
                    try await chain.balance(address: work.supplierAddress))
        }
        #expect(ledger.claimsRejected.isEmpty)
        #expect(ledger.claimsAccepted.count == 1)
        let accepted = ledger.claimsAccepted[0]
        #expect(accepted.supplier == work.supplierAddress)
        #expect(accepted.sessionHeader == work.header)
        #expect(accepted.rootHash == work.tree.root)
        #expect(accepted.relayCount == 4 && accepted.computeUnits == 12)
        #expect(accepted.height == 12)
        #expect(!accepted.replacedEarlierClaim)
        #expect(ledger.transaction(accepted.txHash)?.status == .included(height: 12))
        #expect(claims.count == 1)
        #expect(claims[0].sessionHeader == work.header)
        #expect(Bytes(claims[0].rootHash) == work.tree.root)
        #expect(claims[0].proofValidationStatus == .pendingValidation)
        #expect(balance == Fixture.supplierBalance - 5_000)
    }

    @Test func aClaimBeforeTheEarliestHeightIsRejected() throws {
        let (ledger, claims) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 10)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            try await chain.submit([work.claim()])
            await chain.run(untilHeight: 11)
            return (await chain.ledger, try await chain.claims(supplierOperatorAddress: work.supplierAddress))
        }
        #expect(ledger.claimsAccepted.isEmpty && claims.isEmpty)
        #expect(ledger.claimsRejected.map(\.reason) == [.claimTooEarly(height: 11, earliest: 12)])
        #expect(ledger.claimsRejected[0].height == 11 && !ledger.claimsRejected[0].atBroadcast)
        #expect(ledger.transactions[0].status
            == .failed(height: 11, reason: "message 0: claim at height 11 is before the earliest claim commit height 12"))
    }

    @Test func aClaimAfterTheWindowCloseIsRejected() throws {
        let ledger = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 16)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            try await chain.submit([work.claim()])
            await chain.run(untilHeight: 17)
            return await chain.ledger
        }
        #expect(ledger.claimsAccepted.isEmpty)
        #expect(ledger.claimsRejected.map(\.reason) == [.claimTooLate(height: 17, windowClose: 16)])
    }

    @Test func aClaimWithTheWrongComputeUnitsIsRejected() throws {
        let ledger = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel, weight: 2)
            try await chain.submit([work.claim()])
            await chain.run(untilHeight: 12)
            return await chain.ledger
        }
        #expect(ledger.claimsRejected.map(\.reason) == [.computeUnitsMismatch(sum: 8, count: 4, computeUnitsPerRelay: 3)])
    }

    @Test func aLaterClaimInTheWindowReplacesTheRoot() throws {
        let (ledger, claims, work) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            let smaller = SessionWork.tree(Array(work.relays.prefix(2)), weight: Fixture.cupr)
            try await chain.submit([work.claim(root: smaller.root)])
            await chain.run(untilHeight: 13)
            try await chain.submit([work.claim()])
            await chain.run(untilHeight: 14)
            return (await chain.ledger, try await chain.claims(supplierOperatorAddress: work.supplierAddress), work)
        }
        #expect(ledger.claimsAccepted.map(\.height) == [12, 14])
        #expect(ledger.claimsAccepted.map(\.relayCount) == [2, 4])
        #expect(ledger.claimsAccepted.map(\.replacedEarlierClaim) == [false, true])
        #expect(claims.map { Bytes($0.rootHash) } == [work.tree.root])
    }

    @Test func sessionChecksUseTheOnChainSession() throws {
        let (ledger, sessionID) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            var wrongID = work.header
            wrongID.sessionID = String(repeating: "0", count: 64)
            var wrongEnd = work.header
            wrongEnd.sessionEndBlockHeight = 12
            try await chain.submit([work.claim(header: wrongID)], TxBuilder(memo: "a"))
            try await chain.submit([work.claim(header: wrongEnd)], TxBuilder(memo: "b"))
            // A supplier staked for another service only is not in the session.
            var outsiderClaim = Pocket_Proof_MsgCreateClaim()
            outsiderClaim.supplierOperatorAddress = Keys.otherSupplier.publicKey.address()
            outsiderClaim.sessionHeader = work.header
            outsiderClaim.rootHash = Data(work.tree.root)
            try await chain.submit([.claim(outsiderClaim)], TxBuilder(key: Keys.otherSupplier))
            await chain.run(untilHeight: 12)
            return (await chain.ledger, work.header.sessionID)
        }
        #expect(ledger.claimsRejected.map(\.reason) == [
            .sessionIDMismatch(expected: sessionID, got: String(repeating: "0", count: 64)),
            .sessionEndMismatch(expected: 10, got: 12),
            .supplierNotInSession(Keys.otherSupplier.publicKey.address()),
        ])
    }

    @Test func validateBasicFailuresAreRefusedAtBroadcast() throws {
        let (results, ledger) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            var results: [BroadcastResult] = []
            for root in [Bytes(repeating: 0, count: 48), Bytes(repeating: 1, count: 32)] {
                results.append(try await chain.broadcast(txBytes: try await TxBuilder().build([work.claim(root: root)], on: chain)))
            }
            return (results, await chain.ledger)
        }
        #expect(results.map(\.code) == [1101, 1101])
        #expect(results.map(\.log) == ["message 0: claim root has a relay count of 0", "message 0: root hash must be 48 bytes, got 32"])
        #expect(ledger.claimsRejected.map(\.reason) == [.zeroRelayCount, .invalidRootHashSize(32)])
        #expect(ledger.claimsRejected.allSatisfy { $0.atBroadcast && $0.height == 11 })
        #expect(ledger.transactions.isEmpty && ledger.broadcastRejections.count == 2)
    }

    /// A transaction is atomic: one failing claim reverts the other.
    @Test func oneFailingMessageRevertsTheWholeTransaction() throws {
        let ledger = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            let bad = try await SessionWork.make(on: chain, kernel: kernel, weight: 1)
            try await chain.submit([work.claim(), bad.claim()])
            await chain.run(untilHeight: 12)
            return await chain.ledger
        }
        let mismatch = MessageRejection.computeUnitsMismatch(sum: 4, count: 4, computeUnitsPerRelay: 3)
        #expect(ledger.claimsAccepted.isEmpty)
        #expect(ledger.claimsRejected.map(\.reason) == [.revertedWithTx(messageIndex: 1, reason: mismatch.description), mismatch])
    }
}
