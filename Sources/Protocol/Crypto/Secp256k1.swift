import CPocketMath
import CSecp256k1

/// The process-wide libsecp256k1 context. Every call we make takes a const
/// context, which the library documents as thread-safe, so one shared,
/// randomized (side-channel blinded) context serves all tasks.
final class Secp256k1Context: @unchecked Sendable {
    static let shared = Secp256k1Context()
    let raw: OpaquePointer

    private init() {
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("libsecp256k1: cannot create context")
        }
        // A fixed blinding seed: blinding protects against timing side channels;
        // determinism of outputs does not depend on it.
        var seed = [UInt8](repeating: 0x5a, count: 32)
        _ = secp256k1_context_randomize(ctx, &seed)
        raw = ctx
    }
}

/// secp256k1 group-order arithmetic helpers shared by keys, ECDSA and ring signatures.
public enum Secp256k1Order {
    /// N, the group order, big-endian.
    public static let n: Bytes = try! Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")

    /// Reduces a big-endian integer of up to 64 bytes modulo N (never fails for ≤ 64 bytes).
    public static func reduce(_ bytes: Bytes) -> Bytes {
        precondition(bytes.count <= 64, "reduce takes at most 64 bytes")
        var out = Bytes(repeating: 0, count: 32)
        bytes.withUnsafeBufferPointer { input in
            _ = pocket_scalar_reduce(input.baseAddress, input.count, &out)
        }
        return out
    }

    public static func isZero(_ scalar: Bytes) -> Bool { scalar.allSatisfy { $0 == 0 } }

    public static func overflows(_ scalar: Bytes) -> Bool {
        precondition(scalar.count == 32)
        return scalar.withUnsafeBufferPointer { pocket_scalar_overflows($0.baseAddress) } == 1
    }
}
