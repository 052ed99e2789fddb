import PocketProtocol

/// ecdsa.json: cosmos-sdk secp256k1 signatures. Signing must reproduce the
/// RFC 6979 signatures byte for byte; verification must accept and reject
/// exactly what the SDK does (high S, DER, wrong lengths, r/s = 0, …).
public struct ECDSAChecker: VectorFileChecker {
    public init() {}
    public var format: String { "ecdsa" }

    public func matches(_ document: JSONValue) -> Bool {
        document.has("cases") && document.has("verify_only")
    }

    public func check(_ document: JSONValue) -> [CaseOutcome] {
        var out: [CaseOutcome] = []
        for (i, item) in ((try? document.array("cases")) ?? []).enumerated() {
            let name = (try? item.string("name")).map { "cases[\(i)] \($0)" } ?? "cases[\(i)]"
            do {
                let priv = try PrivateKey(bytes: try item.bytes("private_key"))
                if let secret = try item.optionalString("key_secret") {
                    out.append(.expectHex("\(name).key_secret", PrivateKey.fromSecret(secret).bytes, priv.bytes))
                }
                out.append(.expectHex("\(name).pubkey", priv.publicKey.compressed, try item.bytes("pubkey")))
                let message = try item.bytes("message")
                out.append(.expectHex("\(name).digest", Hash.sha256(message), try item.bytes("digest")))
                out.append(.expectHex("\(name).signature", SupplierSignature.sign(message, with: priv), try item.bytes("signature")))
                out.append(verifyCase("\(name).verify", item))
                for (j, variant) in try item.array("variants").enumerated() {
                    let what = (try? variant.string("what")) ?? "\(j)"
                    out.append(verifyCase("\(name).variants[\(j)] \(what)", variant))
                }
            } catch {
                out.append(.fail(name, "\(error)"))
            }
        }
        for (i, item) in ((try? document.array("verify_only")) ?? []).enumerated() {
            let what = (try? item.string("name")) ?? ""
            out.append(verifyCase("verify_only[\(i)] \(what)", item))
        }
        if out.isEmpty { out.append(.fail("ecdsa", "no cases found")) }
        return out
    }

    private func verifyCase(_ name: String, _ item: JSONValue) -> CaseOutcome {
        do {
            let expected = try item.bool("verify")
            let actual: Bool
            if let pub = try? PublicKey(bytes: try item.bytes("pubkey")) {
                actual = SupplierSignature.verify(try item.bytes("signature"), message: try item.bytes("message"), publicKey: pub)
            } else {
                actual = false
            }
            return .expect(name, actual, expected)
        } catch {
            return .fail(name, "\(error)")
        }
    }
}
