import PocketProtocol

/// address.json: RIPEMD160(SHA256(pubkey)) address bytes and their bech32
/// forms; bech32 decoding rules (case, checksum, foreign prefixes).
public struct AddressChecker: VectorFileChecker {
    public init() {}
    public var format: String { "address" }

    public func matches(_ document: JSONValue) -> Bool {
        document.has("addresses") && document.has("bech32_decode")
    }

    public func check(_ document: JSONValue) -> [CaseOutcome] {
        var out: [CaseOutcome] = []
        for (i, item) in ((try? document.array("addresses")) ?? []).enumerated() {
            let name = "addresses[\(i)]"
            do {
                let priv = try PrivateKey(bytes: try item.bytes("private_key"))
                let pub = priv.publicKey
                out.append(.expectHex("\(name).pubkey", pub.compressed, try item.bytes("pubkey")))
                if let secret = try item.optionalString("key_secret") {
                    out.append(.expectHex("\(name).key_secret", PrivateKey.fromSecret(secret).bytes, priv.bytes))
                }
                out.append(.expectHex("\(name).sha256_pubkey", Hash.sha256(pub.compressed), try item.bytes("sha256_pubkey")))
                out.append(.expectHex("\(name).address_bytes", pub.addressBytes, try item.bytes("address_bytes")))
                out.append(.expect("\(name).account_address", pub.address(), try item.string("account_address")))
                out.append(.expect("\(name).valoper_address", pub.address(prefix: Bech32.validatorOperatorPrefix), try item.string("valoper_address")))
                out.append(.expect("\(name).valcons_address", pub.address(prefix: Bech32.validatorConsensusPrefix), try item.string("valcons_address")))
            } catch {
                out.append(.fail(name, "\(error)"))
            }
        }
        for (i, item) in ((try? document.array("bech32_decode")) ?? []).enumerated() {
            let name = "bech32_decode[\(i)]"
            do {
                let input = try item.string("input")
                let valid = try item.bool("valid")
                do {
                    let (hrp, data) = try Bech32.decode(input)
                    if valid {
                        out.append(.expect("\(name).hrp", hrp, try item.string("hrp")))
                        out.append(.expectHex("\(name).bytes", data, try item.bytes("bytes")))
                    } else {
                        out.append(.fail(name, "decoded \(input) but Go rejects it: \(try item.optionalString("error") ?? "")"))
                    }
                } catch {
                    out.append(valid ? .fail(name, "rejected valid \(input): \(error)") : .pass(name))
                }
            } catch {
                out.append(.fail(name, "\(error)"))
            }
        }
        if out.isEmpty { out.append(.fail("address", "no cases found")) }
        return out
    }
}
