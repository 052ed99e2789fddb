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
        print(Bench.row(["relays", "miner worker rebuild", "replay (XRANGE+decode+insert)", "XRANGE only", "decode+insert only"],
                        widths: [8, 30, 32, 24, 24]))
        print(String(repeating: "-", count: 126))
        var alternative: [[String]] = []
        for n in relays {
            let result = try measure(n)
            print(Bench.row([String(n), rate(n, result.worker), rate(n, result.replay), rate(n, result.scan), rate(n, result.insert)],
                            widths: [8, 30, 32, 24, 24]))
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
        print("")
        print("miner worker rebuild: a real Miner taking the supplier's lease, from run() to its worker.rebuilt event")
        print("(group create, XRANGE replay with seal/submission lookups, XAUTOCLAIM pass); the other columns are its parts.")
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
        let worker: Double
        let replay: Double
        let scan: Double
        let insert: Double
        let roots: Int
        let nodes: NodesResult?
    }

    private func measure(_ n: Int) throws -> Result {
        let kernel = SimKernel(seed: 1)
        let supplierKey = PrivateKey.fromSecret("bench-miner-supplier")
        let supplier = supplierKey.publicKey.address()
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
        // 0. A real miner: lease, worker, rebuild (timed up to its worker.rebuilt event).
        let worker = try workerRebuild(kernel: kernel, model: model, supplierKey: supplierKey, entries: n)

        // 1. The replay path alone.
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
        guard !skipNodesInRedis else { return Result(worker: worker, replay: replay, scan: scan, insert: insert, roots: roots, nodes: nil) }

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
        return Result(worker: worker, replay: replay, scan: scan, insert: insert, roots: roots,
                      nodes: NodesResult(writesPerRelay: Double(writes) / Double(max(1, n)), storedNodes: nodes.count, resume: resume))
    }

    /// Seconds from starting a `Miner` (no startup settle) until its worker reports `worker.rebuilt`.
    private func workerRebuild(kernel: SimKernel, model: RedisModel, supplierKey: PrivateKey, entries n: Int) throws -> Double {
        let probe = RebuildProbe()
        let clock = ContinuousClock()
        let start = clock.now
        try kernel.run {
            var config = MinerConfig.standard(instanceID: "bench-miner", blockTime: .seconds(30), chainID: "bench")
            config.startupSettle = .zero
            config.rebuildChunk = chunk
            let chain = NoChain()
            let ports = RuntimePorts(redis: RedisModelClient(model: model, name: "bench-miner"), keys: StaticKeys([supplierKey]),
                                     clock: kernel.clock, entropy: kernel.entropy, telemetry: probe)
            let miner = MinerProcess(config: config, ports: ports, chain: chain, component: "bench")
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await miner.run() }
                for await _ in probe.rebuilt {}
                await miner.stop()
            }
        }
        guard let at = probe.rebuiltAt, probe.entries == n else {
            throw ValidationError("the worker did not rebuild \(n) entries (saw \(probe.entries.map(String.init) ?? "none"))")
        }
        let d = start.duration(to: at)
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Notes when the bench miner's worker has rebuilt (wall clock: CLI code, not runtime).
private final class RebuildProbe: TelemetryPort, @unchecked Sendable {
    private let lock = NSLock()
    private var at: ContinuousClock.Instant?
    private var count: Int?
    let rebuilt: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init() { (rebuilt, signal) = AsyncStream<Void>.makeStream() }

    var rebuiltAt: ContinuousClock.Instant? { lock.withLock { at } }
    var entries: Int? { lock.withLock { count } }

    func count(_ metric: MetricDescriptor, _ labels: TelemetryLabels, by amount: Int64) {}
    func observe(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {}
    func gauge(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {}
    func event(_ component: String, _ name: String, level: EventLevel, _ fields: TelemetryLabels) {
        guard name == MinerEvent.workerRebuilt else { return }
        let now = ContinuousClock().now
        lock.withLock {
            at = now
            count = fields.first { $0.0 == "entries" }.flatMap { Int($0.1) }
        }
        signal.finish()
    }
}

/// A chain that is never reachable: the rebuild does not need it.
private struct NoChain: ChainPort {
    private static let down = ChainError.unavailable("bench: no chain")
    func latestBlock() async throws(ChainError) -> ChainBlock { throw Self.down }
    func block(at height: Int64) async throws(ChainError) -> ChainBlock { throw Self.down }
    func subscribeBlocks() async throws(ChainError) -> AsyncStream<ChainBlock> { throw Self.down }
    func sharedParams(atHeight height: Int64) async throws(ChainError) -> SharedParams { throw Self.down }
    func numSuppliersPerSession() async throws(ChainError) -> UInt64 { throw Self.down }
    func proofParams() async throws(ChainError) -> ProofParams { throw Self.down }
    func session(application: String, serviceID: String, height: Int64) async throws(ChainError) -> Pocket_Session_Session { throw Self.down }
    func application(address: String) async throws(ChainError) -> Pocket_Application_Application { throw Self.down }
    func account(address: String) async throws(ChainError) -> ChainAccount { throw Self.down }
    func balance(address: String) async throws(ChainError) -> UInt64 { throw Self.down }
    func supplier(operatorAddress: String) async throws(ChainError) -> Pocket_Shared_Supplier { throw Self.down }
    func service(id: String) async throws(ChainError) -> Pocket_Shared_Service { throw Self.down }
    func computeUnitsPerRelay(serviceID: String, atHeight height: Int64) async throws(ChainError) -> UInt64 { throw Self.down }
    func relayDifficultyTarget(serviceID: String, atHeight height: Int64) async throws(ChainError) -> [UInt8] { throw Self.down }
    func claims(supplierOperatorAddress: String) async throws(ChainError) -> [Pocket_Proof_Claim] { throw Self.down }
    func simulate(txBytes: [UInt8]) async throws(ChainError) -> UInt64 { throw Self.down }
    func broadcast(txBytes: [UInt8]) async throws(ChainError) -> BroadcastResult { throw Self.down }
}

