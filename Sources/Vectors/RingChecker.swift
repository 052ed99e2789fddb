import PocketProtocol

/// ring.json: hash-to-scalar (with the left-align quirk), hash-to-curve,
/// deterministic re-signing from the recorded nonce stream, decoding, ring
/// construction, and the relay miner's accept/reject decision for every
/// tampered signature, exactly as Go decides it.
public struct RingChecker: VectorFileChecker {
    public init() {}
    public var format: String { "ring" }

    public func matches(_ document: JSONValue) -> Bool {
        document.has("hash_to_scalar") && document.has("hash_to_curve") && document.has("cases")
    }

    public func check(_ document: JSONValue) -> [CaseOutcome] {
        var out: [CaseOutcome] = []
        if let placeholder = document["placeholder_ring_key"] {
            do {
                let key = PrivateKey.fromSecret(try placeholder.string("secret"))
                out.append(.expectHex("placeholder.private_key", key.bytes, try placeholder.bytes("private_key")))
                out.append(.expectHex("placeholder.pubkey", key.publicKey.compressed, try placeholder.bytes("pubkey")))
                out.append(.expect("placeholder.address", RingMembership.placeholderAddress, try placeholder.string("address")))
            } catch { out.append(.fail("placeholder_ring_key", "\(error)")) }
        }
        for (i, item) in ((try? document.array("hash_to_scalar")) ?? []).enumerated() {
            do {
                let scalar = try RingHashes.hashToScalar(try item.bytes("input"))
                out.append(.expectHex("hash_to_scalar[\(i)]", scalar, try item.bytes("scalar")))
            } catch { out.append(.fail("hash_to_scalar[\(i)]", "\(error)")) }
        }
        for (i, item) in ((try? document.array("hash_to_curve")) ?? []).enumerated() {
            out += hashToCurve("hash_to_curve[\(i)]", item)
        }
        for (i, item) in ((try? document.array("cases")) ?? []).enumerated() {
            out += signatureCase("cases[\(i)]", item, checkConstruction: true)
        }
        for (i, item) in ((try? document.array("library_edge_cases")) ?? []).enumerated() {
            out += signatureCase("library_edge_cases[\(i)]", item, checkConstruction: false)
        }
        if out.isEmpty { out.append(.fail("ring", "no cases found")) }
        return out
    }

    private func hashToCurve(_ name: String, _ item: JSONValue) -> [CaseOutcome] {
        do {
            let key = try PublicKey(bytes: try item.bytes("pubkey"))
            var out: [CaseOutcome] = []
            out.append(.expectHex("\(name).point", RingHashes.hashToCurve(key)?.compressed ?? [], try item.bytes("point")))
            if item.has("rehashes") {
                out.append(.expect("\(name).rehashes", RingHashes.hashToCurveRehashes(key) ?? -1, try item.int("rehashes")))
            }
            return out
        } catch { return [.fail(name, "\(error)")] }
    }

    private func signatureCase(_ base: String, _ item: JSONValue, checkConstruction: Bool) -> [CaseOutcome] {
        let name = (try? item.string("name")).map { "\(base) \($0)" } ?? base
        var out: [CaseOutcome] = []
        do {
            let members = try item.array("ring")
            let ring = try members.map { m in try PublicKey(bytes: try m.bytes("pubkey")) }
            for (k, m) in members.enumerated() {
                out.append(.expect("\(name).ring[\(k)].address", ring[k].address(), try m.string("address")))
            }
            if checkConstruction {
                let roles = try members.map { try $0.string("role") }
                let addresses = try members.map { try $0.string("address") }
                if let app = zip(roles, addresses).first(where: { $0.0 == "application" })?.1 {
                    let gateways = zip(roles, addresses).filter { $0.0 == "gateway" }.map(\.1)
                    let expected = RingMembership.expectedAddresses(application: app, delegatedGateways: gateways, pendingUndelegations: [:], sessionEndHeight: 0)
                    out.append(.expect("\(name).ring_construction", expected, addresses))
                }
            }
            let key = try PrivateKey(bytes: try item.bytes("signer_private_key"))
            if let secret = try item.optionalString("signer_key_secret") {
                out.append(.expectHex("\(name).signer_key_secret", PrivateKey.fromSecret(secret).bytes, key.bytes))
            }
            let message = try item.bytes("message")
            if let unsigned = try item.optionalBytes("relay_request_unsigned") {
                out.append(.expectHex("\(name).message", Hash.sha256(unsigned), message))
            }
            for (k, h) in ((try? item.array("hash_to_curve")) ?? []).enumerated() {
                out += hashToCurve("\(name).hash_to_curve[\(k)]", h)
            }
            let stream = try item.array("rng_stream").map { v -> Bytes in
                guard let s = v.stringValue else { throw VectorFormatError(path: "rng_stream", problem: "expected hex strings") }
                return try Hex.decode(s)
            }
            var rng = ByteStreamRNG(stream.flatMap { $0 })
            let signed = try RingSignature.sign(message: message, ring: ring, signerIndex: try item.int("signer_index"), privateKey: key, using: &rng)
            out.append(.expectHex("\(name).key_image", signed.keyImage.compressed, try item.bytes("key_image")))
            let expectedSignature = try item.bytes("signature")
            out.append(.expectHex("\(name).signature", signed.serialized(), expectedSignature))
            if let decoded = item["decoded"] {
                let parsed = try RingSignature(serialized: expectedSignature)
                out.append(.expect("\(name).decoded.ring_size", parsed.ringSize, try decoded.int("ring_size")))
                out.append(.expectHex("\(name).decoded.c0", parsed.c0, try decoded.bytes("c0")))
                out.append(.expectHex("\(name).decoded.key_image", parsed.keyImage.compressed, try decoded.bytes("key_image")))
                let s = try decoded.array("s").map { try Hex.decode($0.stringValue ?? "") }
                out.append(.expect("\(name).decoded.s", parsed.responses, s))
                let pubs = try decoded.array("pubkeys").map { try Hex.decode($0.stringValue ?? "") }
                out.append(.expect("\(name).decoded.pubkeys", parsed.ring.map(\.compressed), pubs))
            }
            out += acceptance(name, item, message: message, signature: expectedSignature, expectedRing: Set(ring))
            for (k, t) in ((try? item.array("tampered")) ?? []).enumerated() {
                let what = (try? t.string("what")) ?? "\(k)"
                do {
                    let expected = Set(try t.array("expected_ring").map { try PublicKey(bytes: try Hex.decode($0.stringValue ?? "")) })
                    out += acceptance("\(name).tampered[\(k)] \(what)", t, message: try t.bytes("message"), signature: try t.bytes("signature"), expectedRing: expected)
                } catch { out.append(.fail("\(name).tampered[\(k)]", "\(error)")) }
            }
        } catch {
            out.append(.fail(name, "\(error)"))
        }
        return out
    }

    /// deserialize_ok, ring_membership_ok, verify and accepted, each as Go reports them.
    private func acceptance(_ name: String, _ item: JSONValue, message: Bytes, signature: Bytes, expectedRing: Set<PublicKey>) -> [CaseOutcome] {
        do {
            let decoded = try? RingSignature(serialized: signature)
            let membership = decoded?.membersBelong(to: expectedRing) ?? false
            let verify = decoded?.verify(message: message) ?? false
            let accepted: Bool
            if case .success = RingMembership.accepts(signature: signature, message: message, expected: expectedRing) { accepted = true } else { accepted = false }
            return [
                .expect("\(name).deserialize_ok", decoded != nil, try item.bool("deserialize_ok")),
                .expect("\(name).ring_membership_ok", membership, try item.bool("ring_membership_ok")),
                .expect("\(name).verify", verify, try item.bool("verify")),
                .expect("\(name).accepted", accepted, try item.bool("accepted")),
            ]
        } catch { return [.fail(name, "\(error)")] }
    }
}
