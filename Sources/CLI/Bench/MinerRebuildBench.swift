import ArgumentParser
import Foundation
import PocketProtocol
import RelayRuntime
import SimKernel
import SimRedis

/// `bench miner-rebuild`: how fast a new owner rebuilds a supplier's open
/// sessions by replaying the retained relay stream (XRANGE chunks → decode →
/// SMST insert) from the simulator's Redis model, next to what the
/// alternative design — SMST nodes kept in Redis, as the Go miner does —
/// writes per relay and reads back on resume. Reported, never asserted: it
/// is the measurement behind "replay the stream" in docs/runtime-design.md.
struct MinerRebuildBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "miner-rebuild",
        abstract: "Relays/s rebuilt from the retained stream (model Redis), vs. nodes-in-Redis write amplification and resume."
    )

    @Option(parsing: .upToNextOption, help: "Stream sizes (relays) to measure.")
    var relays: [Int] = [10_000, 100_000]

    @Option(help: "Sessions the relays are spread over.")
    var sessions = 2

    @Option(help: "Bytes of each (synthetic) dehydrated relay; real ones are ≈ 700 B.")
    var relayBytes = 700

    @Option(help: "XRANGE COUNT per chunk.")
    var chunk = 1000

    @Flag(help: "Skip the nodes-in-Redis comparison (slow for large sizes).")
    var skipNodesInRedis = false

    func run() throws {
        #if DEBUG
        print("warning: debug build; use `swift build -c release` for meaningful numbers")
        #endif
        print(Bench.row(["relays", "replay (XRANGE+decode+insert)", "XRANGE only", "decode+insert only", "roots"],
                        widths: [8, 32, 18, 20, 8]))
        print(String(repeating: "-", count: 94))
        var alternative: [[String]] = []
        for n in relays {
            let result = try measure(n)
            print(Bench.row([String(n), rate(n, result.replay), rate(n, result.scan), rate(n, result.insert), String(result.roots)],
                            widths: [8, 32, 18, 20, 8]))
            if let nodes = result.nodes {
                alternative.append([String(n), Bench.format(nodes.writesPerRelay, decimals: 1), String(nodes.storedNodes),
                                    rate(n, nodes.resume)])
            }
        }
        if !alternative.isEmpty {
            print("")
            print("nodes in Redis (the Go miner's design), same relays:")
            print(Bench.row(["relays", "node writes/relay", "nodes stored", "resume (HGETALL+open)"], widths: [8, 20, 14, 24]))
            print(String(repeating: "-", count: 72))
            for row in alternative { print(Bench.row(row, widths: [8, 20, 14, 24])) }
            print("(the retained-stream design writes 0 nodes per relay: the relayer's XADD is the only durable write)")
        }
    }

    private func rate(_ n: Int, _ seconds: Double) -> String {
        Bench.format(Double(n) / seconds, decimals: 0) + "/s (" + Bench.format(seconds * 1000, decimals: 0) + " ms)"
    }

    struct NodesResult {
        let writesPerRelay: Double
        let storedNodes: Int
        let resume: Double
    }

    struct Result {
        let replay: Double
        let scan: Double
        let insert: Double
        let roots: Int
        let nodes: NodesResult?
    }

    private func measure(_ n: Int) throws -> Result {
        let kernel = SimKernel(seed: 1)
        let supplier = PrivateKey.fromSecret("bench-miner-supplier").publicKey.address()
        let keys = RedisKeys()
        let stream = keys.relayStream(supplier: supplier)
        let sessionCount = max(1, sessions)
        let bytesPerRelay = relayBytes
        let chunkSize = chunk
        let model = try kernel.run { () -> RedisModel in
            let model = RedisModel(clock: kernel.clock)
            var rng = BenchRNG(state: UInt64(n))
            for i in 0..<n {
                var relay = rng.bytes(bytesPerRelay)
                relay[0] = UInt8(truncatingIfNeeded: i)
                var m = Pocket_Relayminer_MinedRelayMessage()
                m.relayBytes = Data(relay)
                m.relayHash = Data(Hash.sha256(relay))
                m.computeUnitsPerRelay = 3
                m.sessionID = String(repeating: String(i % sessionCount), count: 64)
                m.sessionStartHeight = 1
                m.sessionEndHeight = 10
                m.supplierOperatorAddress = supplier
                m.serviceID = "anvil"
                m.applicationAddress = "pokt1bench"
                let reply = model.execute(.xadd(key: stream, fields: [FieldValue(RedisKeys.relayField, try CanonicalCodec.encode(m))]))
                if case .error(let e) = reply { throw ValidationError("XADD failed: \(e)") }
            }
            return model
        }
        // 1. The miner's replay path, end to end.
        var roots = 0
        let replay = try Bench.seconds {
            roots = try kernel.run {
                let client = RedisModelClient(model: model, name: "miner")
                return try await StreamReplay.rebuild(client, keys: keys, supplier: supplier, chunk: chunkSize).roots.count
            }
        }
        // 2. Its two halves: reading the stream, and decode + SMST insert of entries already in memory.
        var entries: [StreamEntry] = []
        let scan = try Bench.seconds {
            entries = try kernel.run {
                let client = RedisModelClient(model: model, name: "miner")
                var all: [StreamEntry] = []
                all.reserveCapacity(n)
                try await StreamReplay.scan(client, stream: stream, chunk: chunkSize) { all.append(contentsOf: $0) }
                return all
            }
        }
        var trees: [String: SparseMerkleSumTrie] = [:]
        let insert = Bench.seconds {
            for entry in entries {
                guard case .success(let relay) = MinedRelayEntry.decode(entry, supplier: supplier) else { continue }
                let tree = trees[relay.session.sessionID] ?? SparseMerkleSumTrie()
                trees[relay.session.sessionID] = tree
                tree.update(key: relay.relayHash, value: relay.relayBytes, weight: relay.computeUnits)
            }
            for tree in trees.values { _ = tree.root }
        }
        guard !skipNodesInRedis else { return Result(replay: replay, scan: scan, insert: insert, roots: roots, nodes: nil) }

        // 3. The alternative: commit the trie's nodes after every relay (what a
        //    per-relay durable node store costs), then resume from the stored nodes.
        var writes = 0
        let store = MemoryNodeStore()
        var finalRoots: [Bytes] = []
        var alternativeTrees: [String: SparseMerkleSumTrie] = [:]
        for entry in entries {
            guard case .success(let relay) = MinedRelayEntry.decode(entry, supplier: supplier) else { continue }
            let tree = alternativeTrees[relay.session.sessionID] ?? SparseMerkleSumTrie()
            alternativeTrees[relay.session.sessionID] = tree
            tree.update(key: relay.relayHash, value: relay.relayBytes, weight: relay.computeUnits)
            writes += try tree.commit(to: store).written.count
        }
        for id in alternativeTrees.keys.sorted() { finalRoots.append(alternativeTrees[id]!.root) }
        let nodes = store.nodes.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { FieldValue($0, store.nodes[$0]!) }
        let hashKey = "\(keys.prefix):smst:{\(supplier)}:nodes"
        try kernel.run {
            let client = RedisModelClient(model: model, name: "loader")
            var start = 0
            while start < nodes.count {
                _ = try await client.hset(hashKey, Array(nodes[start..<min(nodes.count, start + 1000)]))
                start += 1000
            }
        }
        let rootsToOpen = finalRoots
        let resume = try Bench.seconds {
            try kernel.run {
                let client = RedisModelClient(model: model, name: "miner")
                let loaded = MemoryNodeStore()
                for f in try await client.hgetAll(hashKey) { loaded.set(f.field, f.value) }
                for root in rootsToOpen { _ = try SparseMerkleSumTrie.open(root: root, store: loaded).root }
            }
        }
        return Result(replay: replay, scan: scan, insert: insert, roots: roots,
                      nodes: NodesResult(writesPerRelay: Double(writes) / Double(max(1, n)), storedNodes: nodes.count, resume: resume))
    }
}
