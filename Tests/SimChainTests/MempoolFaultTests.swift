import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import Testing

@Suite struct MempoolFaultTests {
    @Test func byDefaultEveryTransactionLandsInTheNextBlock() throws {
        let ledger = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            try await chain.submit([work.claim()])
            await chain.run(untilHeight: 12)
            return await chain.ledger
        }
        #expect(ledger.transactions.map(\.status) == [.included(height: 12)])
        #expect(ledger.transactions[0].broadcastHeight == 11 && ledger.transactions[0].messageKinds == [.claim])
    }

    @Test func droppedTransactionsAnswerCodeZeroAndNeverLand() throws {
        let (results, ledger, rules) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            await chain.dropTransactions(count: 1, filter: .proofs)
            await chain.dropTransactions(count: 1, filter: .claims)
            let dropped = try await chain.submit([work.claim()], TxBuilder(memo: "first"))
            let kept = try await chain.submit([work.claim()], TxBuilder(memo: "second"))
            await chain.run(untilHeight: 13)
            return ([dropped, kept], await chain.ledger, await chain.mempoolFaultRules)
        }
        #expect(results.map(\.code) == [0, 0])
        #expect(ledger.transactions.map(\.status) == [.dropped, .included(height: 12)])
        #expect(ledger.claimsAccepted.map(\.txHash) == [results[1].txHash])
        // The proof-only rule is still armed.
        #expect(rules.map(\.filter) == [.proofs])
    }

    @Test func delayedTransactionsLandLater() throws {
        let ledger = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            await chain.delayTransactions(byBlocks: 2)
            try await chain.submit([work.claim()])
            await chain.run(untilHeight: 14)
            return await chain.ledger
        }
        #expect(ledger.transactions.map(\.status) == [.included(height: 14)])
        #expect(ledger.claimsAccepted.map(\.height) == [14])
    }

    @Test func neverIncludedTransactionsBlockDuplicatesUntilTheyExpire() throws {
        let (again, pendingAt13, ledger, pendingAfter) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            await chain.neverIncludeTransactions()
            let bytes = try await TxBuilder(ttl: .seconds(25)).build([work.claim()], on: chain)
            _ = try await chain.broadcast(txBytes: bytes)
            await chain.run(untilHeight: 13)
            let again = try await chain.broadcast(txBytes: bytes)
            let pending = await chain.mempoolHashes
            await chain.run(untilHeight: 14)
            return (again, pending, await chain.ledger, await chain.mempoolHashes)
        }
        #expect(again.code == 19)
        #expect(pendingAt13 == [ledger.transactions[0].hash])
        // Broadcast after block 11 (t = 100 s) with a 25 s TTL: block 14 (t = 130 s) evicts it.
        #expect(ledger.transactions.map(\.status) == [.expired(height: 14)])
        #expect(pendingAfter.isEmpty && ledger.claimsAccepted.isEmpty)
    }

    /// Reordering shuffles each block with the chain's own entropy stream, so
    /// the order is a function of the seed alone.
    @Test func reorderingShufflesWithTheChainStream() throws {
        let seed: UInt64 = 5
        let (arrival, included) = try Fixture.run(seed: seed) { chain, kernel in
            await chain.run(untilHeight: 11)
            await chain.setReorderWithinBlock(true)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            var arrival: [String] = []
            for i in 0..<6 { arrival.append(try await chain.submit([work.claim()], TxBuilder(memo: "tx-\(i)")).txHash) }
            await chain.run(untilHeight: 12)
            return (arrival, await chain.ledger.claimsAccepted.map(\.txHash))
        }
        var rng = Xoshiro256StarStar(seed: seed, component: "chain.mempool")
        #expect(included == arrival.shuffled(using: &rng))
        #expect(included != arrival)
    }

    @Test func aStalledChainSkipsSlotsThenResumes() throws {
        let (blocks, ledger) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 11)
            await chain.stall(blocks: 3)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            try await chain.submit([work.claim()])
            await chain.run(untilHeight: 13)
            return (await chain.allBlocks, await chain.ledger)
        }
        #expect(blocks.map(\.height) == Array(1...13))
        #expect(blocks[10].time == Fixture.at(100))
        #expect(blocks[11].time == Fixture.at(140))
        #expect(blocks[12].time == Fixture.at(150))
        #expect(ledger.claimsAccepted.map(\.height) == [12])
    }

    @Test func probabilisticDropsFollowTheSeed() throws {
        func statuses(seed: UInt64) throws -> [TxStatus] {
            try Fixture.run(seed: seed) { chain, kernel in
                await chain.run(untilHeight: 11)
                await chain.setDropProbability(0.5)
                let work = try await SessionWork.make(on: chain, kernel: kernel)
                for i in 0..<8 { try await chain.submit([work.claim()], TxBuilder(memo: "p-\(i)")) }
                await chain.run(untilHeight: 12)
                return await chain.ledger.transactions.map(\.status)
            }
        }
        let first = try statuses(seed: 3)
        #expect(first == (try statuses(seed: 3)))
        var rng = Xoshiro256StarStar(seed: 3, component: "chain.mempool")
        let expected: [TxStatus] = (0..<8).map { _ in Double(rng.next() >> 11) * 0x1p-53 < 0.5 ? .dropped : .included(height: 12) }
        #expect(first == expected)
    }
}
