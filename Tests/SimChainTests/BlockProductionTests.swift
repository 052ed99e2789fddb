import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import Testing

@Suite struct BlockProductionTests {
    @Test func blocksFollowTheVirtualClock() throws {
        let (blocks, now, latest) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 5)
            return (await chain.allBlocks, kernel.clock.now, try await chain.latestBlock())
        }
        #expect(blocks.map(\.height) == [1, 2, 3, 4, 5])
        #expect(blocks.map(\.time) == [0, 10, 20, 30, 40].map(Fixture.at))
        #expect(now == Fixture.at(40))
        #expect(latest == blocks[4])
    }

    @Test func queriesBeforeAndBeyondTheTip() throws {
        let (before, beyond, second) = try Fixture.run { chain, _ in
            var before: ChainError?
            do throws(ChainError) { _ = try await chain.latestBlock() } catch { before = error }
            await chain.run(untilHeight: 3)
            var beyond: ChainError?
            do throws(ChainError) { _ = try await chain.block(at: 4) } catch { beyond = error }
            return (before, beyond, try await chain.block(at: 2))
        }
        #expect(before == .notFound("no block produced yet"))
        #expect(beyond == .notFound("block 4 (latest is 3)"))
        #expect(second.height == 2 && second.time == Fixture.at(10))
    }

    /// The hash is sha256 over the documented content and nothing else: the
    /// seed does not matter, the chain id and the previous hash do.
    @Test func blockHashesAreContentAddressed() throws {
        let a = try Fixture.run(seed: 1) { chain, _ in await chain.run(untilHeight: 4); return await chain.allBlocks }
        let b = try Fixture.run(seed: 99) { chain, _ in await chain.run(untilHeight: 4); return await chain.allBlocks }
        let other = try Fixture.run(seed: 1, Fixture.genesis(chainID: "pocket-other")) { chain, _ in
            await chain.run(untilHeight: 4)
            return await chain.allBlocks
        }
        #expect(a == b)
        #expect(Set(a.map(\.hash)).count == 4)
        #expect(zip(a, other).allSatisfy { $0.hash != $1.hash })

        var previous = Bytes(repeating: 0, count: 32)
        for block in a {
            var preimage = ByteOrder.bigEndian32(10) + Bytes("pocket-sim".utf8)
            preimage += ByteOrder.bigEndian64(UInt64(block.height)) + previous
            preimage += ByteOrder.bigEndian64(UInt64(block.time.unixNanoseconds)) + ByteOrder.bigEndian32(0)
            #expect(block.hash == Hash.sha256(preimage))
            #expect(block.hash == FakeChain.blockHash(chainID: "pocket-sim", height: block.height, previousHash: previous,
                                                      time: block.time, txHashes: []))
            previous = block.hash
        }
    }

    @Test func aTransactionChangesItsBlockHashAndEveryLaterOne() throws {
        let empty = try Fixture.run { chain, _ in await chain.run(untilHeight: 3); return await chain.allBlocks }
        let (withTx, txHash) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 1)
            let work = try await SessionWork.make(on: chain, kernel: kernel)
            let result = try await chain.submit([work.claim()])
            await chain.run(untilHeight: 3)
            return (await chain.allBlocks, result.txHash)
        }
        #expect(empty[0] == withTx[0])
        #expect(empty[1].hash != withTx[1].hash)
        #expect(empty[2].hash != withTx[2].hash)
        #expect(withTx[1].hash == FakeChain.blockHash(chainID: "pocket-sim", height: 2, previousHash: withTx[0].hash,
                                                      time: withTx[1].time, txHashes: [try Hex.decode(txHash)]))
    }

    @Test func subscribersSeeEveryNewBlock() throws {
        let seen = try Fixture.run { chain, _ in
            await chain.run(untilHeight: 1)
            let stream = try await chain.subscribeBlocks()
            return await withTaskGroup(of: [Int64].self) { group in
                group.addTask {
                    var heights: [Int64] = []
                    for await block in stream {
                        heights.append(block.height)
                        if heights.count == 3 { break }
                    }
                    return heights
                }
                group.addTask { await chain.run(untilHeight: 4); return [] }
                var all: [Int64] = []
                for await part in group { all += part }
                return all
            }
        }
        #expect(seen == [2, 3, 4])
    }

    @Test func theSameSeedGivesTheSameTrace() throws {
        func trace(seed: UInt64) throws -> (String, UInt64) {
            let kernel = SimKernel(seed: seed)
            let chain = FakeChain(genesis: Fixture.genesis(), kernel: kernel)
            try kernel.run {
                await chain.setReorderWithinBlock(true)
                await chain.run(untilHeight: 11)
                let work = try await SessionWork.make(on: chain, kernel: kernel)
                try await chain.submit([work.claim()])
                await chain.run(untilHeight: 15)
                try await chain.submit([work.proof(try await work.proofBytes(on: chain))])
                await chain.run(untilHeight: 21)
            }
            return (kernel.trace.hashHex, kernel.trace.eventCount)
        }
        let first = try trace(seed: 7)
        #expect(first == (try trace(seed: 7)))
        #expect(first.1 > 21)
    }
}
