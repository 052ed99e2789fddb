import PocketProtocol

/// smst.json: roots after every operation, closest proofs field by field,
/// compaction, the exact gob bytes, and the chain's verdict on every genuine
/// and tampered proof.
///
/// Where Go's ProveClosest panics (tries after certain deletes), this
/// implementation returns a valid proof instead; the checker requires that
/// proof to verify against the root, and Go's bogus "imported trie" bytes
/// to be rejected exactly as Go rejects them.
public struct SMSTChecker: VectorFileChecker {
    public init() {}
    public var format: String { "smst" }

    public func matches(_ document: JSONValue) -> Bool {
        document.has("cases") && document.has("spec") && (document["spec"]?.has("gob_type_prefix") ?? false)
    }

    public func check(_ document: JSONValue) -> [CaseOutcome] {
        var out: [CaseOutcome] = []
        if let prefix = try? document.value("spec").bytes("gob_type_prefix") {
            out.append(.expectHex("spec.gob_type_prefix", GobClosestProofCodec.typePrefix, prefix))
        }
        for (i, item) in ((try? document.array("cases")) ?? []).enumerated() {
            let name = (try? item.string("name")).map { "cases[\(i)] \($0)" } ?? "cases[\(i)]"
            out += checkCase(name, item)
        }
        if out.isEmpty { out.append(.fail("smst", "no cases found")) }
        return out
    }

    private func checkCase(_ name: String, _ item: JSONValue) -> [CaseOutcome] {
        var out: [CaseOutcome] = []
        do {
            let trie = SparseMerkleSumTrie()
            let ops = try item.array("ops")
            let intermediate = try item.optionalArray("intermediate_roots")?.map { try Hex.decode($0.stringValue ?? "") }
            var keys: [Bytes] = []
            for (k, op) in ops.enumerated() {
                let key = try op.bytes("key")
                keys.append(key)
                switch try op.string("op") {
                case "update":
                    trie.update(key: key, value: try op.bytes("value"), weight: try op.uint64("weight"))
                case "delete":
                    let before = trie.root
                    let expectError = try op.optionalString("expect_error") != nil
                    do {
                        try trie.delete(key: key)
                        if expectError { out.append(.fail("\(name).ops[\(k)]", "delete succeeded but Go fails with key not found")) }
                    } catch {
                        if expectError {
                            out.append(.expectHex("\(name).ops[\(k)] failed delete leaves root unchanged", trie.root, before))
                        } else {
                            out.append(.fail("\(name).ops[\(k)]", "delete failed: \(error)"))
                        }
                    }
                case let other:
                    out.append(.fail("\(name).ops[\(k)]", "unknown op \(other)"))
                }
                if let intermediate, k < intermediate.count {
                    out.append(.expectHex("\(name).intermediate_roots[\(k)]", trie.root, intermediate[k]))
                }
            }
            out.append(.expectHex("\(name).root", trie.root, try item.bytes("root")))
            out.append(.expectHex("\(name).root_digest", Array(trie.root.prefix(32)), try item.bytes("root_digest")))
            out.append(.expect("\(name).sum", trie.sum, try item.uint64("sum")))
            out.append(.expect("\(name).count", trie.count, try item.uint64("count")))
            out.append(.expect("\(name).num_leaves", trie.count, try item.uint64("num_leaves")))
            for (j, proof) in ((try item.optionalArray("proofs")) ?? []).enumerated() {
                out += checkProof("\(name).proofs[\(j)]", proof, trie: trie, keys: keys)
            }
        } catch {
            out.append(.fail(name, "\(error)"))
        }
        return out
    }

    private func checkProof(_ name: String, _ item: JSONValue, trie: SparseMerkleSumTrie, keys: [Bytes]) -> [CaseOutcome] {
        var out: [CaseOutcome] = []
        do {
            let path = try item.bytes("path")
            let root = trie.root
            let proof = try trie.proveClosest(path: path)
            let bytes = GobClosestProofCodec.encode(proof.compacted())
            if item.has("prove_closest_panic") {
                // Go panics here; we must produce a proof the chain accepts.
                out.append(.expect("\(name) (Go panics) our proof verifies", SMSTProofVerifier.accepts(proofBytes: bytes, root: root), true))
                if let imported = item["imported_trie_result"] {
                    out.append(.expect("\(name).imported_trie_result.verify",
                                       SMSTProofVerifier.accepts(proofBytes: try imported.bytes("proof_bytes"), root: root),
                                       try imported.bool("verify")))
                }
                return out
            }
            let closestKeyIndex = try item.int("closest_key_op_index")
            if closestKeyIndex >= 0 {
                let key = try item.bytes("closest_key")
                out.append(.expectHex("\(name).closest_key", keys[closestKeyIndex], key))
                out.append(.expectHex("\(name).closest_key path", Hash.sha256(key), proof.closestPath))
            }
            let expected = try item.value("closest_proof")
            out.append(.expect("\(name).flipped_bits", proof.flippedBits, try expected.array("flipped_bits").map { v -> Int in
                guard case .number(_, let text) = v, let n = Int(text) else { throw VectorFormatError(path: "flipped_bits", problem: "expected ints") }
                return n
            }))
            out.append(.expect("\(name).depth", proof.depth, try expected.int("depth")))
            out.append(.expectHex("\(name).closest_path", proof.closestPath, try expected.bytes("closest_path")))
            out.append(.expectHex("\(name).closest_value_hash", proof.closestValueHash ?? [], try expected.bytes("closest_value_hash")))
            out.append(.expect("\(name).side_nodes", proof.closestProof.sideNodes.map(\.hex), try expected.array("side_nodes").map { $0.stringValue ?? "" }))
            out.append(.expectHex("\(name).sibling_data", proof.closestProof.siblingData ?? [], try expected.bytes("sibling_data")))
            let compact = proof.compacted()
            let expectedCompact = try item.value("compact_closest_proof")
            out.append(.expect("\(name).compact.flipped_bits", compact.flippedBits.map(\.hex), try expectedCompact.array("flipped_bits").map { $0.stringValue ?? "" }))
            out.append(.expectHex("\(name).compact.depth", compact.depth, try expectedCompact.bytes("depth")))
            out.append(.expectHex("\(name).compact.bit_mask", compact.closestProof.bitMask, try expectedCompact.bytes("bit_mask")))
            out.append(.expect("\(name).compact.num_side_nodes", compact.closestProof.numSideNodes, try expectedCompact.int("num_side_nodes")))
            out.append(.expect("\(name).compact.side_nodes", compact.closestProof.sideNodes.map(\.hex), try expectedCompact.array("side_nodes").map { $0.stringValue ?? "" }))
            let goBytes = try item.bytes("proof_bytes")
            out.append(.expectHex("\(name).proof_bytes", bytes, goBytes))
            if let decoded = try? GobClosestProofCodec.decode(goBytes) {
                out.append(.expect("\(name).gob decode of Go bytes", decoded, compact))
            } else {
                out.append(.fail("\(name).gob decode of Go bytes", "cannot decode"))
            }
            out.append(.expectHex("\(name).value_from_proof", proof.value ?? [], try item.bytes("value_from_proof")))
            out.append(.expect("\(name).weight_from_proof", proof.weight ?? 0, try item.uint64("weight_from_proof")))
            out.append(.expect("\(name).verify", SMSTProofVerifier.accepts(proofBytes: goBytes, root: root), try item.bool("verify")))
            for (k, t) in ((try item.optionalArray("tampered")) ?? []).enumerated() {
                let what = (try? t.string("what")) ?? "\(k)"
                out.append(.expect("\(name).tampered[\(k)] \(what)",
                                   SMSTProofVerifier.accepts(proofBytes: try t.bytes("proof_bytes"), root: try t.bytes("root")),
                                   try t.bool("verify")))
            }
        } catch {
            out.append(.fail(name, "\(error)"))
        }
        return out
    }
}
