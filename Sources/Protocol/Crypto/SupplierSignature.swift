import CSecp256k1

/// Cosmos-SDK secp256k1 signatures, the form suppliers sign relay responses
/// with and the chain verifies in proofs: ECDSA over sha256(message),
/// deterministic RFC 6979 nonce, 64-byte R‖S with low S.
public enum SupplierSignature {
    /// Signs `message` (hashed once more with sha256 before ECDSA, like the SDK).
    public static func sign(_ message: Bytes, with key: PrivateKey) -> Bytes {
        let digest = Hash.sha256(message)
        var sig = secp256k1_ecdsa_signature()
        let ok = digest.withUnsafeBufferPointer { d in
            key.bytes.withUnsafeBufferPointer { k in
                secp256k1_ecdsa_sign(Secp256k1Context.shared.raw, &sig, d.baseAddress!, k.baseAddress!, RFC6979.nonceFunction, nil)
            }
        }
        precondition(ok == 1, "ECDSA signing with a valid key cannot fail")
        var out = Bytes(repeating: 0, count: 64)
        _ = secp256k1_ecdsa_signature_serialize_compact(Secp256k1Context.shared.raw, &out, &sig)
        return out
    }

    /// The SDK's rule: exactly 64 bytes; r and s are reduced mod N (not
    /// range-checked); a high S is rejected; then ECDSA over sha256(message).
    public static func verify(_ signature: Bytes, message: Bytes, publicKey: PublicKey) -> Bool {
        guard signature.count == 64 else { return false }
        let r = Secp256k1Order.reduce(Array(signature[0..<32]))
        let s = Secp256k1Order.reduce(Array(signature[32..<64]))
        if Secp256k1Order.isZero(r) || Secp256k1Order.isZero(s) { return false }
        var sig = secp256k1_ecdsa_signature()
        let compact = r + s
        guard compact.withUnsafeBufferPointer({ secp256k1_ecdsa_signature_parse_compact(Secp256k1Context.shared.raw, &sig, $0.baseAddress!) }) == 1 else {
            return false
        }
        // libsecp256k1 verification rejects non-normalized (high) S, matching the SDK.
        var pk = publicKey.raw
        let digest = Hash.sha256(message)
        return digest.withUnsafeBufferPointer { secp256k1_ecdsa_verify(Secp256k1Context.shared.raw, &sig, $0.baseAddress!, &pk) } == 1
    }
}
