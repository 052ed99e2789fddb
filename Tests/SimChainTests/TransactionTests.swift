import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import Testing

/// CheckTx (broadcast and simulate) on real signed SIGN_MODE_DIRECT transactions.
@Suite struct TransactionTests {
    /// Broadcasts one claim tx per builder at height 11 and returns the results and the ledger.
    static func broadcast(_ builders: [TxBuilder], _ genesis: ChainGenesis = Fixture.genesis()) throws -> ([BroadcastResult], ChainLedger) {
        try Fixture.run(genesis) { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            var results: [BroadcastResult] = []
            for builder in builders {
                results.append(try await chain.broadcast(txBytes: try await builder.build([work.claim()], on: chain)))
            }
            await chain.run(untilHeight: 12)
            return (results, await chain.ledger)
        }
    }

    @Test func aSignatureByAnotherKeyIsRejected() throws {
        let (results, ledger) = try Self.broadcast([TxBuilder(signingKey: Keys.stranger)])
        #expect(results[0].code == 4)
        #expect(results[0].log == "signature verification failed; please verify account number (4) and chain-id (pocket-sim)")
        #expect(ledger.broadcastRejections.map(\.code) == [4])
        #expect(ledger.transactions.isEmpty && ledger.claimsAccepted.isEmpty)
    }

    @Test func wrongChainIDOrAccountNumberBreaksTheSignature() throws {
        let (results, _) = try Self.broadcast([TxBuilder(chainID: "pocket"), TxBuilder(accountNumber: 5)])
        #expect(results.map(\.code) == [4, 4])
    }

    /// The signer info carries supplier 2's key for a message signed for supplier 1.
    @Test func aSignerWhoIsNotTheMessageSupplierIsRejected() throws {
        let (results, _) = try Self.broadcast([TxBuilder(key: Keys.supplier2)])
        #expect(results[0].code == 8)
        #expect(results[0].log == "pubKey does not match signer address \(Keys.supplier.publicKey.address()) with signer index: 0")
    }

    @Test func unorderedAndOrderedSequenceRules() throws {
        let (results, _) = try Self.broadcast([
            TxBuilder(sequence: 1),
            TxBuilder(ttl: nil),
            TxBuilder(ttl: .seconds(601)),
            TxBuilder(unordered: false, sequence: 0, memo: "ordered-0"),
            TxBuilder(unordered: false, sequence: 0, memo: "ordered-again"),
            TxBuilder(unordered: false, sequence: 1, memo: "ordered-1"),
        ])
        #expect(results.map(\.code) == [3, 18, 18, 0, 32, 0])
        #expect(results[1].log == "unordered transaction must have timeout_timestamp set")
        #expect(results[4].log == "account sequence mismatch, expected 1, got 0")
    }

    @Test func duplicatesAndUnknownMessagesAreRefused() throws {
        let (codes, logs) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            let bytes = try await TxBuilder().build([work.claim()], on: chain)
            let first = try await chain.broadcast(txBytes: bytes)
            let again = try await chain.broadcast(txBytes: bytes)
            let unknown = try await chain.broadcast(txBytes: try await TxBuilder().build([.other(work.header)], on: chain))
            let garbage = try await chain.broadcast(txBytes: [0xff, 0x01])
            await chain.run(untilHeight: 12)
            // Included unordered txs are remembered until their timeout.
            let replay = try await chain.broadcast(txBytes: bytes)
            return ([first, again, unknown, garbage, replay].map(\.code), [again.log, unknown.log, replay.log])
        }
        #expect(codes == [0, 19, 2, 2, 19])
        #expect(logs[0] == "tx already exists in cache")
        #expect(logs[1] == "unable to resolve type URL /pocket.session.SessionHeader: tx parse error")
    }

    @Test func feesGasAndFunds() throws {
        let genesis = Fixture.genesis(minimumGasPrice: 0.01, supplierBalance: 10_000)
        let (results, ledger) = try Self.broadcast([
            TxBuilder(fee: 4_999, gasLimit: 500_000, memo: "cheap"),
            TxBuilder(fee: 10_001, gasLimit: 1_000_000, memo: "rich"),
            TxBuilder(fee: 10, gasLimit: 1_000, memo: "tiny-gas"),
            TxBuilder(fee: 5_000, gasLimit: 500_000, memo: "ok"),
        ], genesis)
        #expect(results.map(\.code) == [13, 5, 11, 0])
        #expect(results[0].log == "insufficient fees; got: 4999upokt required: 5000upokt")
        #expect(ledger.claimsAccepted.count == 1)
        #expect(ledger.transactions.map(\.status) == [.included(height: 12)])
    }

    /// Enough gas for CheckTx but not for the messages: included, fee charged, claim rejected.
    @Test func runningOutOfGasInTheBlockFailsTheTransaction() throws {
        let (gas, ledger, balance) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            let simulated = try await chain.simulate(txBytes: try await TxBuilder(gasLimit: 0).build([work.claim()], on: chain))
            try await chain.submit([work.claim()], TxBuilder(fee: 7, gasLimit: 20_000))
            await chain.run(untilHeight: 12)
            return (simulated, await chain.ledger, try await chain.balance(address: work.supplierAddress))
        }
        #expect(gas > 26_000 && gas < 40_000)
        #expect(ledger.claimsRejected.count == 1)
        if case .outOfGas(let limit, _) = ledger.claimsRejected[0].reason { #expect(limit == 20_000) } else {
            Issue.record("expected out of gas, got \(ledger.claimsRejected[0].reason)")
        }
        #expect(balance == Fixture.supplierBalance - 7)
    }

    @Test func simulationChecksTheSignatureButNotTheFee() throws {
        let (gas, size, refused) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            let bytes = try await TxBuilder(gasLimit: 0).build([work.claim()], on: chain)
            let gas = try await chain.simulate(txBytes: bytes)
            let forged = try await TxBuilder(signingKey: Keys.stranger, gasLimit: 0).build([work.claim()], on: chain)
            var refused: ChainError?
            do throws(ChainError) { _ = try await chain.simulate(txBytes: forged) } catch { refused = error }
            return (gas, bytes.count, refused)
        }
        #expect(gas == 1_000 + 10 * UInt64(size) + 25_000)
        #expect(refused == .invalidResponse(
            "simulation failed with code 4: signature verification failed; please verify account number (4) and chain-id (pocket-sim)"))
    }
}
