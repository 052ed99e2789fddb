import ArgumentParser
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
        var rows: [[String]] = [["benchmark", "per op", "ops/s"]]
        func add(_ m: Measurement) {
            rows.append([m.name, Bench.format(m.perOperationMicroseconds, decimals: 2) + " µs", Bench.format(m.operationsPerSecond, decimals: 0)])
        }
        for size in [2, 4, 8] {
            let keys = (0..<size).map { PrivateKey.fromSecret("bench-ring-\($0)") }
            let message = rng.bytes(32)
            let sig = try RingSignature.sign(message: message, ring: keys.map(\.publicKey), signerIndex: 0, privateKey: keys[0], using: &rng)
            let bytes = sig.serialized()
            let expected = Set(keys.map(\.publicKey))
            add(try Bench.measure("ring verify (size \(size), decode+membership+verify)", iterations: iterations / size) {
                guard case .success = RingMembership.accepts(signature: bytes, message: message, expected: expected) else {
                    throw ValidationError("ring signature failed to verify")
                }
            })
        }
        let supplier = PrivateKey.fromSecret("bench-supplier")
        let hash = rng.bytes(32)
        add(Bench.measure("supplier sign (64-byte R||S)", iterations: iterations * 5) { _ = SupplierSignature.sign(hash, with: supplier) })
        let relay = rng.bytes(700)
        let target = [UInt8](repeating: 0xff, count: 32)
        add(Bench.measure("relay hash (700 B) + difficulty check", iterations: iterations * 50) {
            let h = Hash.sha256(relay)
            precondition(h.lexicographicallyPrecedes(target))
        })
        for (i, row) in rows.enumerated() {
            print(Bench.row(row, widths: [52, 14, 12]))
            if i == 0 { print(String(repeating: "-", count: 82)) }
        }
        print("")
        print(Bench.row(["SMST leaves", "updates/s (incl. root)", "root", "closest proof + gob + verify"], widths: [12, 24, 12, 30]))
        print(String(repeating: "-", count: 82))
        var size = 10_000
        while size <= maxLeaves {
            let keys = (0..<size).map { _ in rng.bytes(32) }
            let value = rng.bytes(700)
            let trie = SparseMerkleSumTrie()
            var rootSeconds = 0.0
            let total = Bench.seconds {
                for k in keys { trie.update(key: k, value: value, weight: 1) }
                rootSeconds = Bench.seconds { _ = trie.root }
            }
            let paths = (0..<200).map { _ in rng.bytes(32) }
            let root = trie.root
            let proof = try Bench.measure("proof", iterations: paths.count, warmup: 0) {
                var it = paths.makeIterator()
                for _ in 0..<1 {
                    let p = try trie.proveClosest(path: it.next() ?? paths[0])
                    try SMSTProofVerifier.verify(proofBytes: GobClosestProofCodec.encode(p.compacted()), root: root)
                }
            }
            print(Bench.row([String(size), Bench.format(Double(size) / total, decimals: 0), Bench.format(rootSeconds * 1000, decimals: 1) + " ms",
                             Bench.format(proof.perOperationMicroseconds, decimals: 1) + " µs"], widths: [12, 24, 12, 30]))
            size *= 10
        }
    }
}
