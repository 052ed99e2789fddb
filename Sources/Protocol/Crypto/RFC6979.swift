import COpenSSL
import CPocketMath
import CSecp256k1

/// RFC 6979 deterministic ECDSA nonces (HMAC-SHA256, §3.2 with the §3.2.h
/// retry step), byte for byte what libsecp256k1's
/// `secp256k1_nonce_function_rfc6979` returns — key ‖ (message mod N) as
/// the seed — but hashed with OpenSSL's SHA-256 (hardware SHA where the CPU
/// has it) instead of libsecp256k1's portable C SHA-256, which was about a
/// fifth of a signature's cost.
enum RFC6979 {
    /// Drop-in for `secp256k1_nonce_function_rfc6979`. With extra data or an
    /// algorithm tag (never passed by this module) it defers to libsecp256k1.
    static let nonceFunction: secp256k1_nonce_function = { nonce32, msg32, key32, algo16, data, counter in
        guard let nonce32, let msg32, let key32 else { return 0 }
        if algo16 != nil || data != nil {
            return secp256k1_nonce_function_rfc6979!(nonce32, msg32, key32, algo16, data, counter)
        }
        RFC6979.nonce(into: nonce32, key: key32, message: msg32, counter: counter)
        return 1
    }

    /// The nonce for attempt `counter` (0 first). Secrets live in one stack
    /// buffer, zeroed before returning.
    static func nonce(into out: UnsafeMutablePointer<UInt8>, key: UnsafePointer<UInt8>, message: UnsafePointer<UInt8>, counter: UInt32) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 130) { buffer in
            let k = buffer.baseAddress!, v = k + 32, seed = k + 64, zero = k + 128, one = k + 129
            seed.update(from: key, count: 32)
            _ = pocket_scalar_reduce(message, 32, seed + 32)
            k.update(repeating: 0x00, count: 32)
            v.update(repeating: 0x01, count: 32)
            zero.initialize(to: 0x00)
            one.initialize(to: 0x01)
            // §3.2 d–g
            hmac(k, (v, 32), (zero, 1), (seed, 64), into: k)
            hmac(k, (v, 32), into: v)
            hmac(k, (v, 32), (one, 1), (seed, 64), into: k)
            hmac(k, (v, 32), into: v)
            // §3.2 h: one 32-byte output per attempt; later attempts first re-key.
            for attempt in 0...counter {
                if attempt > 0 {
                    hmac(k, (v, 32), (zero, 1), into: k)
                    hmac(k, (v, 32), into: v)
                }
                hmac(k, (v, 32), into: v)
            }
            out.update(from: v, count: 32)
            buffer.initialize(repeating: 0)
        }
    }

    /// HMAC-SHA256 with a 32-byte key over the concatenated parts; `out` may alias the key or a part.
    private static func hmac(_ key: UnsafePointer<UInt8>, _ parts: (UnsafeMutablePointer<UInt8>, Int)..., into out: UnsafeMutablePointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 + 32) { buffer in
            let pad = buffer.baseAddress!, inner = pad + 64
            var context = SHA256_CTX()
            // Inner hash over (key ⊕ ipad) ‖ parts.
            for i in 0..<64 { pad[i] = (i < 32 ? key[i] : 0) ^ 0x36 }
            SHA256_Init(&context)
            _ = SHA256_Update(&context, pad, 64)
            for (p, n) in parts { _ = SHA256_Update(&context, p, n) }
            // The outer pad is built before `out` (possibly the key) is written.
            for i in 0..<64 { pad[i] ^= 0x36 ^ 0x5c }
            _ = SHA256_Final(inner, &context)
            SHA256_Init(&context)
            _ = SHA256_Update(&context, pad, 64)
            _ = SHA256_Update(&context, inner, 32)
            _ = SHA256_Final(out, &context)
            buffer.initialize(repeating: 0)
            _ = withUnsafeMutableBytes(of: &context) { $0.initializeMemory(as: UInt8.self, repeating: 0) }
        }
    }
}
