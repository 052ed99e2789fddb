import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import Testing

/// A miner's whole claim/proof round trip through the port: a real signed
/// `MsgCreateClaim` for a session's SMST of ring-signed relays, then a
/// `MsgSubmitProof` with the closest proof at the path the chain's seed
/// block chooses. The chain validates the proof by the real rules in the
/// EndBlocker of the block that delivers it (the claim then shows
/// VALIDATED: proofs themselves are dropped once validated) and settles the
/// claim when the proof window closes (the claim is gone, the stake whole).
/// Run on both implementations; in the live run every call, simulation and
/// broadcast included, goes through `LiveChainQueries` to the stand-in.
@Suite(.timeLimit(.minutes(2)))
struct ClaimProofLifecycleTests {
    @Test func aClaimAndItsProofAreIncludedValidatedAndSettled() async throws {
        try await Contract.holds { c in
            var t = Transcript()
            let supplier = Keys.supplier.publicKey.address()
            let grid = ContractGenesis.grid
            let end = grid.sessionEnd(1)
            let builder = TxBuilder()
            await c.produceBlocks(through: grid.earliestClaimCommit(end) - 1)

            // Claim: simulated, broadcast, included.
            let work = try await SessionWork.make(on: c.port, height: 1)
            let claimTx = try await builder.build([work.claimMessage()], on: c.port)
            t.note("claim gas", try await c.port.simulate(txBytes: claimTx))
            let claimed = try await c.port.broadcast(txBytes: claimTx)
            t.note("claim broadcast", claimed)
            #expect(claimed.accepted, "\(c.implementation): \(claimed.log)")
            await c.produceBlock()
            let pending = try await t.call("claims after claim") { () async throws(ChainError) in
                try await c.port.claims(supplierOperatorAddress: supplier)
            }.get()
            #expect(pending.map(\.proofValidationStatus) == [.pendingValidation] && pending.first?.rootHash == Data(work.tree.root))

            // Proof: built once the seed block (proof window open − 1) exists.
            await c.produceBlocks(through: grid.proofSeedBlockHeight(end))
            let proofTx = try await builder.build([work.proofMessage(on: c.port)], on: c.port)
            let proofGas = try await c.port.simulate(txBytes: proofTx)
            t.note("proof gas", proofGas)
            #expect(proofGas < builder.gasLimit)
            let proved = try await c.port.broadcast(txBytes: proofTx)
            t.note("proof broadcast", proved)
            #expect(proved.accepted, "\(c.implementation): \(proved.log)")
            await c.produceBlock()

            // Validated in that block's EndBlocker: the claim carries the verdict.
            let validated = try await t.call("claims after proof") { () async throws(ChainError) in
                try await c.port.claims(supplierOperatorAddress: supplier)
            }.get()
            #expect(validated.map(\.proofValidationStatus) == [.validated], "\(c.implementation)")
            #expect(validated.first?.sessionHeader == work.header)
            let ledger = await c.chain.ledger
            #expect(ledger.proofValidations.map(\.status) == [.validated] && ledger.proofValidations.first?.failure == nil)
            if let queries = c.queries {
                // The live client also finds both transactions in the tx index, by hash.
                let claimIncluded = try await queries.includedTx(hash: claimed.txHash)
                let proofIncluded = try await queries.includedTx(hash: proved.txHash)
                #expect(claimIncluded.succeeded && claimIncluded.height == grid.earliestClaimCommit(end))
                #expect(proofIncluded.succeeded && proofIncluded.height == grid.earliestProofCommit(end))
            }

            // Settled when the proof window closes: the claim leaves the store, nothing is slashed.
            await c.produceBlocks(through: grid.proofWindowClose(end))
            #expect(try await t.call("claims after settlement") { () async throws(ChainError) in
                try await c.port.claims(supplierOperatorAddress: supplier)
            }.get().isEmpty)
            let settlement = try #require(await c.chain.ledger.settlement(supplier: supplier, sessionID: work.header.sessionID))
            #expect(settlement.outcome == .settled(.probabilistic) && settlement.relayCount == 4 && settlement.slashedUPOKT == 0)
            let staked = try await t.call("supplier after settlement") { () async throws(ChainError) in
                try await c.port.supplier(operatorAddress: supplier)
            }.get()
            #expect(staked.stake.amount == String(ContractGenesis.supplierStake))
            let balance = try await t.call("balance after settlement") { () async throws(ChainError) in
                try await c.port.balance(address: supplier)
            }.get()
            #expect(balance == ContractGenesis.supplierBalance - 2 * builder.fee - ContractGenesis.proofParams.proofSubmissionFeeUPOKT,
                    "\(c.implementation): \(balance)")
            return t
        }
    }
}
