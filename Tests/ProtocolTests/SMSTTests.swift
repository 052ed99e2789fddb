import Testing
@testable import PocketProtocol

/// The canonical-shape recursion over a leaf set (docs/protocol.md#smst): an independent definition of the root.
func referenceRoot(_ leaves: [(path: Bytes, data: Bytes)], depth: Int = 0) -> Bytes {
    if leaves.isEmpty { return SMSTHashing.placeholder }
    if leaves.count == 1 { return SMSTHashing.leafDigest(path: leaves[0].path, data: leaves[0].data) }
    let left = leaves.filter { SMSTHashing.bit($0.path, depth) == 0 }
    let right = leaves.filter { SMSTHashing.bit($0.path, depth) == 1 }
    return SMSTHashing.innerDigest(left: referenceRoot(left, depth: depth + 1), right: referenceRoot(right, depth: depth + 1))
}

@Suite struct SMSTTests {
    /// Known-answer A.7 (docs/protocol.md#known-answer-values): the single-leaf tree and its closest-proof gob bytes.
    @Test func appendixSingleLeafProofBytes() throws {
        let trie = SparseMerkleSumTrie()
        let value = Array("only-relay".utf8)
        trie.update(key: Hash.sha256(value), value: value, weight: 7)
        #expect(trie.root.hex == "edffd05ab0291c8bea25ac488c4b409e17525c097ebf1643bd18fd59797c831900000000000000070000000000000001")
        let proof = try trie.proveClosest(path: Hash.sha256(Array("some-path".utf8)))
        #expect(proof.depth == 0 && proof.closestProof.sideNodes.isEmpty)
        let bytes = GobClosestProofCodec.encode(proof.compacted())
        // A.7, single-leaf tree: the value message after the 286-byte type prefix.
        #expect(Array(bytes.prefix(286)) == GobClosestProofCodec.typePrefix)
        #expect(Array(bytes.dropFirst(286)).hex == "68ff800120a2b462870e854954f81c9f2264a2543246d42377193398932c9b16e1acca9f3402010001202f5de155cd704d34d3c1ac18bc1b56b92314e6c80658d84723aa0e8e7040ed1c011a6f6e6c792d72656c617900000000000000070000000000000001010000")
        try SMSTProofVerifier.verify(proofBytes: bytes, root: trie.root)
    }

    @Test(arguments: [1, 2, 3, 17, 200, 2_000])
    func rootMatchesReferenceAndEveryClosestProofVerifies(size: Int) throws {
        var rng = SeededRNG(seed: UInt64(size))
        let trie = SparseMerkleSumTrie()
        var leaves: [Bytes: Bytes] = [:]
        for _ in 0..<size {
            let key = rng.bytes(32)
            let value = rng.bytes(Int.random(in: 1...64, using: &rng))
            let weight = UInt64.random(in: 1...1000, using: &rng)
            trie.update(key: key, value: value, weight: weight)
            leaves[Hash.sha256(key)] = SMSTHashing.leafData(value: value, weight: weight)
        }
        let sorted = leaves.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { ($0, leaves[$0]!) }
        #expect(trie.root == referenceRoot(sorted.map { (path: $0.0, data: $0.1) }))
        #expect(trie.count == UInt64(size))
        var otherRoot = trie.root
        otherRoot[0] ^= 1
        for _ in 0..<min(size, 50) {
            let bytes = GobClosestProofCodec.encode(try trie.proveClosest(path: rng.bytes(32)).compacted())
            try SMSTProofVerifier.verify(proofBytes: bytes, root: trie.root)
            #expect(!SMSTProofVerifier.accepts(proofBytes: bytes, root: otherRoot))
        }
    }

    /// A 10^5-leaf trie (the size the relay miner's largest sessions reach).
    @Test func hundredThousandLeavesProveAndVerify() throws {
        var rng = SeededRNG(seed: 100_000)
        let trie = SparseMerkleSumTrie()
        for i in 0..<100_000 {
            trie.update(key: rng.bytes(32), value: Array("relay-\(i)".utf8), weight: 3)
        }
        #expect(trie.count == 100_000)
        #expect(trie.sum == 300_000)
        for _ in 0..<20 {
            let proof = try trie.proveClosest(path: rng.bytes(32))
            #expect(proof.weight == 3)
            try SMSTProofVerifier.verify(proofBytes: GobClosestProofCodec.encode(proof.compacted()), root: trie.root)
        }
    }

    @Test func rootIsIndependentOfInsertionOrderAndOverwritesCollapse() {
        var rng = SeededRNG(seed: 77)
        let items = (0..<300).map { _ in (rng.bytes(32), rng.bytes(10)) }
        let a = SparseMerkleSumTrie(), b = SparseMerkleSumTrie()
        for (k, v) in items { a.update(key: k, value: v, weight: 2) }
        for (k, v) in items.reversed() { b.update(key: k, value: v, weight: 2) }
        #expect(a.root == b.root)
        for (k, v) in items.prefix(50) { a.update(key: k, value: v, weight: 2) }  // identical relays: one leaf each
        #expect(a.root == b.root)
        #expect(a.count == 300)
    }

    @Test func deleteRestoresThePreviousRootAndMissingKeyIsAnError() throws {
        var rng = SeededRNG(seed: 8)
        let trie = SparseMerkleSumTrie()
        for _ in 0..<40 { trie.update(key: rng.bytes(32), value: rng.bytes(5), weight: 1) }
        let before = trie.root
        let key = rng.bytes(32)
        trie.update(key: key, value: [1, 2, 3], weight: 9)
        try trie.delete(key: key)
        #expect(trie.root == before)
        #expect(throws: SMSTError.keyNotFound) { try trie.delete(key: key) }
        #expect(trie.root == before)
    }

    @Test func commitAndReopenThroughAStoreKeepsTheTrie() throws {
        var rng = SeededRNG(seed: 21)
        let trie = SparseMerkleSumTrie()
        for _ in 0..<500 { trie.update(key: rng.bytes(32), value: rng.bytes(20), weight: 4) }
        let store = MemoryNodeStore()
        let first = try trie.commit(to: store)
        #expect(first.written.count == store.count)
        #expect(first.deleted.isEmpty)
        let reopened = try SparseMerkleSumTrie.open(root: trie.root, store: store)
        #expect(reopened.root == trie.root)
        let path = rng.bytes(32)
        #expect(try reopened.proveClosest(path: path) == (try trie.proveClosest(path: path)))
        // A second commit after more updates writes the new nodes and drops replaced ones.
        trie.update(key: rng.bytes(32), value: [9], weight: 4)
        let second = try trie.commit(to: store)
        #expect(!second.written.isEmpty && !second.deleted.isEmpty)
        #expect(try SparseMerkleSumTrie.open(root: trie.root, store: store).root == trie.root)
    }

    /// Random, truncated and mutated proof bytes yield typed errors, never a crash.
    @Test func gobDecoderSurvivesHostileBytes() throws {
        var rng = SeededRNG(seed: 404)
        let trie = SparseMerkleSumTrie()
        for _ in 0..<64 { trie.update(key: rng.bytes(32), value: rng.bytes(40), weight: 1) }
        let good = GobClosestProofCodec.encode(try trie.proveClosest(path: rng.bytes(32)).compacted())
        for cut in 0..<good.count {
            _ = try? GobClosestProofCodec.decode(Array(good[..<cut]))
        }
        var rejected = 0
        for _ in 0..<5_000 {
            var m = good
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: GobClosestProofCodec.typePrefix.count..<m.count, using: &rng)
                m[i] = UInt8.random(in: 0...255, using: &rng)
            }
            if !SMSTProofVerifier.accepts(proofBytes: m, root: trie.root) { rejected += 1 }
        }
        #expect(rejected >= 4_900)
        for _ in 0..<2_000 {
            _ = try? GobClosestProofCodec.decode(GobClosestProofCodec.typePrefix + rng.bytes(Int.random(in: 0...200, using: &rng)))
        }
        // An announced 2^60-byte field is refused before any allocation.
        let huge = GobClosestProofCodec.typePrefix + [0x0c, 0xff, 0x80, 0x01, 0xf8, 0x10, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: SMSTProofError.self) { try GobClosestProofCodec.decode(huge) }
        #expect(throws: SMSTProofError.self) { try GobClosestProofCodec.decode([1, 2, 3]) }
    }

    @Test func oversizedFieldsAreRejectedByValidation() throws {
        let trie = SparseMerkleSumTrie()
        trie.update(key: [1], value: [2], weight: 1)
        var compact = try trie.proveClosest(path: [UInt8](repeating: 0, count: 32)).compacted()
        compact.depth = [1, 0, 0]
        #expect(throws: SMSTProofError.invalidDepth("3 bytes")) { try compact.decompacted() }
        compact.depth = [0]
        compact.closestProof.numSideNodes = 257
        #expect(throws: SMSTProofError.invalidNumSideNodes(257)) { try compact.decompacted() }
        #expect(throws: SMSTError.invalidPathLength(31)) { try trie.proveClosest(path: [UInt8](repeating: 0, count: 31)) }
    }
}
