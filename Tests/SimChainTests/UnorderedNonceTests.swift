import PocketProtocol
import RelayRuntime
import SimChain
import Testing

/// SDK v0.53: at most one unordered transaction per (signer, timeout
/// timestamp) executes, so a re-signed copy of a stuck transaction (same
/// messages and timeout, more gas) can never land twice.
@Suite struct UnorderedNonceTests {
    @Test func aSecondTxWithTheSameSignerAndTimeoutNeverExecutes() throws {
        let (codes, ledger, later) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            let original = try await TxBuilder(gasLimit: 500_000).build([work.claim()], on: chain)
            let replacement = try await TxBuilder(gasLimit: 600_000).build([work.claim()], on: chain)
            #expect(original != replacement)
            let another = try await TxBuilder(gasLimit: 700_000).build([work.claim()], on: chain)
            let a = try await chain.broadcast(txBytes: original)
            let b = try await chain.broadcast(txBytes: replacement)
            await chain.run(untilHeight: 12)
            let third = try await chain.broadcast(txBytes: another)
            return ([a.code, b.code], await chain.ledger, third)
        }
        #expect(codes == [0, 0])
        #expect(ledger.claimsAccepted.count == 1)
        #expect(ledger.transactions.count == 2)
        #expect(ledger.transactions[0].status == .included(height: 12))
        guard case .failed(let height, let reason) = ledger.transactions[1].status else {
            Issue.record("replacement was not refused: \(ledger.transactions[1].status)")
            return
        }
        #expect(height == 12)
        #expect(reason.hasPrefix("unordered tx nonce already used"))
        // Once used, the nonce is refused at CheckTx too (until its timeout).
        #expect(later.code == 18)
        #expect(later.log.hasPrefix("unordered tx nonce already used"))
    }
}
