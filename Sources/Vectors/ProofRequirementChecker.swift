import BigInt
import PocketProtocol

/// proof_requirement.json: Go math/rand streams, the Varint-seeded sample,
/// and for each claim the hash, claimed uPOKT, sample and requirement.
public struct ProofRequirementChecker: VectorFileChecker {
    public init() {}
    public var format: String { "proof_requirement" }

    public func matches(_ document: JSONValue) -> Bool {
        document.has("go_math_rand") && document.has("claims")
    }

    private func bits(_ d: Double) -> String {
        let s = String(d.bitPattern, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    public func check(_ document: JSONValue) -> [CaseOutcome] {
        var out: [CaseOutcome] = []
        for (i, item) in ((try? document.array("go_math_rand")) ?? []).enumerated() {
            let name = "go_math_rand[\(i)]"
            do {
                let seed = try item.int64("seed")
                var src = GoRandSource(seed: seed)
                let expected = try item.array("first_int63_values").map { v -> Int64 in
                    guard let s = v.stringValue, let n = Int64(s) else { throw VectorFormatError(path: "first_int63_values", problem: "expected decimal strings") }
                    return n
                }
                let actual = expected.map { _ in src.int63() }
                out.append(.expect("\(name) seed \(seed) int63", actual, expected))
                var fresh = GoRandSource(seed: seed)
                out.append(.expect("\(name) seed \(seed) float64 bits", bits(fresh.float64()), try item.string("first_float64_bits")))
            } catch { out.append(.fail(name, "\(error)")) }
        }
        for (i, item) in ((try? document.array("seeded_float64")) ?? []).enumerated() {
            let name = "seeded_float64[\(i)]"
            do {
                let input = try item.bytes("input")
                let digest = Hash.sha256(input)
                out.append(.expectHex("\(name).sha256", digest, try item.bytes("sha256")))
                let (seed, read) = goVarint(digest)
                out.append(.expect("\(name).varint_seed", seed, try item.int64("varint_seed")))
                out.append(.expect("\(name).varint_bytes_read", read, try item.int("varint_bytes_read")))
                out.append(.expect("\(name).float64 bits", bits(seededFloat64(input)), try item.string("float64_bits")))
            } catch { out.append(.fail(name, "\(error)")) }
        }
        for (i, item) in ((try? document.array("claims")) ?? []).enumerated() {
            let name = "claims[\(i)] \((try? item.string("name")) ?? "")"
            do {
                let claimBytes = try item.bytes("claim_bytes")
                let claimHash = Hash.sha256(claimBytes)
                out.append(.expectHex("\(name).claim_hash", claimHash, try item.bytes("claim_hash")))
                if let encoded = ClaimEncodingCheck.encode(try item.value("claim")) {
                    out.append(.expectHex("\(name).claim_bytes", encoded, claimBytes))
                }
                let root = try Hex.decode(try item.value("claim").string("root_hash"))
                out.append(.expect("\(name).num_claimed_compute_units", ClaimAmount.computeUnits(root: root), try item.uint64("num_claimed_compute_units")))
                out.append(.expect("\(name).num_relays", ClaimAmount.relayCount(root: root), try item.uint64("num_relays")))
                let claimed = ClaimAmount.claimedUPOKT(
                    computeUnits: ClaimAmount.computeUnits(root: root),
                    targetHash: try item.bytes("relay_difficulty_target_hash"),
                    computeUnitsToTokensMultiplier: try item.uint64("compute_units_to_tokens_multiplier"),
                    computeUnitCostGranularity: try item.uint64("compute_unit_cost_granularity"))
                out.append(.expect("\(name).claimed_upokt", claimed.description, try item.string("claimed_upokt")))
                let seedHash = try item.bytes("seed_block_hash")
                out.append(.expectHex("\(name).sample_input", claimHash + seedHash, try item.bytes("sample_input")))
                let sampleDigest = Hash.sha256(claimHash + seedHash)
                out.append(.expectHex("\(name).sample_sha256", sampleDigest, try item.bytes("sample_sha256")))
                let (seed, read) = goVarint(sampleDigest)
                out.append(.expect("\(name).varint_seed", seed, try item.int64("varint_seed")))
                out.append(.expect("\(name).varint_bytes_read", read, try item.int("varint_bytes_read")))
                let sample = ProofRequirement.sample(claimHash: claimHash, seedBlockHash: seedHash)
                out.append(.expect("\(name).sample_value_bits", bits(sample), try item.string("sample_value_bits")))
                guard let threshold = BigUInt(try item.string("proof_requirement_threshold_upokt")),
                      let probability = Double(try item.string("proof_request_probability")) else {
                    throw VectorFormatError(path: "threshold/probability", problem: "not numbers")
                }
                out.append(.expect("\(name).required_by_threshold", claimed >= threshold, try item.bool("required_by_threshold")))
                out.append(.expect("\(name).required_by_probability", sample <= probability, try item.bool("required_by_probability")))
                let requirement = ProofRequirement.evaluate(claimedUPOKT: claimed, thresholdUPOKT: threshold, claimHash: claimHash, seedBlockHash: seedHash, probability: probability)
                out.append(.expect("\(name).requirement", requirement.description, try item.string("requirement")))
                out.append(.expect("\(name).proof_required", requirement.isRequired, try item.bool("proof_required")))
            } catch { out.append(.fail(name, "\(error)")) }
        }
        if out.isEmpty { out.append(.fail("proof_requirement", "no cases found")) }
        return out
    }
}

/// Re-encodes a vector's claim fields as protobuf once the wire types exist.
enum ClaimEncodingCheck {
    static func encode(_ claim: JSONValue) -> Bytes? { nil }
}
