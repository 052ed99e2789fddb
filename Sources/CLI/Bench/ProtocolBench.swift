import ArgumentParser
import Foundation
import PocketProtocol

/// `bench protocol`: the cryptographic and trie hot paths of relaying and mining.
struct ProtocolBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocol",
        abstract: "Ring verify, supplier sign, relay hashing, SMST throughput, root and proof time."
    )

    @Option(help: "Largest SMST size to measure (10^4, 10^5 and 10^6 by default).")
    var maxLeaves = 1_000_000

    @Option(help: "Iterations for the per-operation benchmarks.")
    var iterations = 2_000

    func run() throws {
        #if DEBUG
        print("warning: debug build; use `swift build -c release` for meaningful numbers")
        #endif
        var rng = BenchRNG(state: 42)
        var rows: [[String]] = [["benchmark", "per op", "ops/s", "cpu per op"]]
        func add(_ m: Measurement) {
            rows.append([m.name, Bench.format(m.perOperationMicroseconds, decimals: 2) + " µs", Bench.format(m.operationsPerSecond, decimals: 0),
                         Bench.format(lastCPUSeconds / Double(m.iterations + 3) * 1e6, decimals: 2) + " µs"])
        }
        // Thread CPU time next to wall time: on a shared, loaded machine the
        // wall clock also counts time spent descheduled.
        var lastCPUSeconds = 0.0
        func measure(_ name: String, iterations: Int, _ body: () throws -> Void) rethrows -> Measurement {
            let start = CPUClock.seconds
            let m = try Bench.measure(name, iterations: iterations, body)
            lastCPUSeconds = CPUClock.seconds - start
            return m
        }
        for size in [2, 4, 8] {
            let keys = (0..<size).map { PrivateKey.fromSecret("bench-ring-\($0)") }
            let message = rng.bytes(32)
            let sig = try RingSignature.sign(message: message, ring: keys.map(\.publicKey), signerIndex: 0, privateKey: keys[0], using: &rng)
            let bytes = sig.serialized()
            let expected = Set(keys.map(\.publicKey))
            add(try measure("ring verify (size \(size), decode+membership+verify)", iterations: iterations / size) {
                guard case .success = RingMembership.accepts(signature: bytes, message: message, expected: expected) else {
                    throw ValidationError("ring signature failed to verify")
                }
            })
        }
        let member = PrivateKey.fromSecret("bench-ring-0").publicKey
        add(measure("  ring hash-to-curve (SHA3-256 + sqrt)", iterations: iterations * 5) { _ = RingHashes.hashToCurve(member) })
        let preimage = rng.bytes(98)
        add(try measure("  ring challenge hash (SHA3-512 -> scalar)", iterations: iterations * 50) { _ = try RingHashes.hashToScalar(preimage) })
        let supplier = PrivateKey.fromSecret("bench-supplier")
        let hash = rng.bytes(32)
        add(measure("supplier sign (64-byte R||S)", iterations: iterations * 5) { _ = SupplierSignature.sign(hash, with: supplier) })
        let relay = rng.bytes(700)
        let target = [UInt8](repeating: 0xff, count: 32)
        add(measure("relay hash (700 B) + difficulty check", iterations: iterations * 50) {
            let h = Hash.sha256(relay)
            precondition(h.lexicographicallyPrecedes(target))
        })
        for (i, row) in rows.enumerated() {
            print(Bench.row(row, widths: [52, 14, 12, 12]))
            if i == 0 { print(String(repeating: "-", count: 96)) }
        }
        print("")
        let smstWidths = [12, 24, 12, 12, 16, 30]
        print(Bench.row(["SMST leaves", "updates/s (incl. root)", "insert/op", "root", "cpu updates/s", "closest proof + gob + verify"], widths: smstWidths))
        print(String(repeating: "-", count: 116))
        var size = 10_000
        while size <= maxLeaves {
            let keys = (0..<size).map { _ in rng.bytes(32) }
            let value = rng.bytes(700)
            let trie = SparseMerkleSumTrie()
            var rootSeconds = 0.0, insertSeconds = 0.0
            let cpuStart = CPUClock.seconds
            let total = Bench.seconds {
                insertSeconds = Bench.seconds { for k in keys { trie.update(key: k, value: value, weight: 1) } }
                rootSeconds = Bench.seconds { _ = trie.root }
            }
            let cpu = CPUClock.seconds - cpuStart
            let paths = (0..<200).map { _ in rng.bytes(32) }
            let root = trie.root
            let proof = try Bench.measure("proof", iterations: paths.count, warmup: 0) {
                var it = paths.makeIterator()
                for _ in 0..<1 {
                    let p = try trie.proveClosest(path: it.next() ?? paths[0])
                    try SMSTProofVerifier.verify(proofBytes: GobClosestProofCodec.encode(p.compacted()), root: root)
                }
            }
            print(Bench.row([String(size), Bench.format(Double(size) / total, decimals: 0),
                             Bench.format(insertSeconds / Double(size) * 1e6, decimals: 2) + " µs", Bench.format(rootSeconds * 1000, decimals: 1) + " ms",
                             Bench.format(Double(size) / cpu, decimals: 0), Bench.format(proof.perOperationMicroseconds, decimals: 1) + " µs"],
                            widths: smstWidths))
            size *= 10
        }
    }
}

/// The calling thread's CPU time (CLI layer: clocks are fine here).
enum CPUClock {
    static var seconds: Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
