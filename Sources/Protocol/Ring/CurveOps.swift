import CSecp256k1

/// The signer's constant-time point and scalar operations (they touch the
/// secret key or nonce), built from libsecp256k1 calls. Public steps use
/// `PublicMultiplication` instead. libsecp256k1 has no point at infinity and rejects
/// zero scalars; every such case surfaces as `nil`, which signing treats as
/// "draw again" and verification as "invalid".
enum CurveOps {
    static var ctx: OpaquePointer { Secp256k1Context.shared.raw }

    /// k·G.
    static func baseMul(_ k: Bytes) -> secp256k1_pubkey? {
        var p = secp256k1_pubkey()
        let ok = k.withUnsafeBufferPointer { secp256k1_ec_pubkey_create(ctx, &p, $0.baseAddress!) }
        return ok == 1 ? p : nil
    }

    /// k·P.
    static func mul(_ point: secp256k1_pubkey, _ k: Bytes) -> secp256k1_pubkey? {
        var p = point
        let ok = k.withUnsafeBufferPointer { secp256k1_ec_pubkey_tweak_mul(ctx, &p, $0.baseAddress!) }
        return ok == 1 ? p : nil
    }

    static func compressed(_ p: secp256k1_pubkey) -> Bytes {
        var point = p
        var out = Bytes(repeating: 0, count: 33)
        var len = 33
        _ = secp256k1_ec_pubkey_serialize(ctx, &out, &len, &point, UInt32(SECP256K1_EC_COMPRESSED))
        return out
    }

    /// Parses exactly 33 compressed bytes (what the ring wire format carries).
    static func parseCompressed(_ bytes: ArraySlice<UInt8>) -> secp256k1_pubkey? {
        guard bytes.count == 33, bytes.first == 0x02 || bytes.first == 0x03 else { return nil }
        var p = secp256k1_pubkey()
        let ok = Array(bytes).withUnsafeBufferPointer { secp256k1_ec_pubkey_parse(ctx, &p, $0.baseAddress!, 33) }
        return ok == 1 ? p : nil
    }

    /// a·b mod N (nil if either is zero).
    static func scalarMul(_ a: Bytes, _ b: Bytes) -> Bytes? {
        var out = a
        let ok = b.withUnsafeBufferPointer { secp256k1_ec_seckey_tweak_mul(ctx, &out, $0.baseAddress!) }
        return ok == 1 ? out : nil
    }

    /// a + b mod N (nil if a is zero or the sum is zero).
    static func scalarAdd(_ a: Bytes, _ b: Bytes) -> Bytes? {
        var out = a
        let ok = b.withUnsafeBufferPointer { secp256k1_ec_seckey_tweak_add(ctx, &out, $0.baseAddress!) }
        return ok == 1 ? out : nil
    }

    /// −a mod N (nil for zero).
    static func scalarNegate(_ a: Bytes) -> Bytes? {
        var out = a
        return secp256k1_ec_seckey_negate(ctx, &out) == 1 ? out : nil
    }
}
