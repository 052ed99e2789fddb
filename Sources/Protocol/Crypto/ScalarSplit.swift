/// A scalar k < N split as k ≡ k1 + k2·λ (mod N) with |k1|, |k2| < 2^128.
///
/// The split is the standard GLV lattice reduction for secp256k1:
/// c1 = round(k·g1 / 2^384), c2 = round(k·g2 / 2^384),
/// k1 = k − c1·a1 − c2·a2, k2 = c1·(−b1) − c2·a1, where a1 + b1·λ ≡ 0 and
/// a2 + a1·λ ≡ 0 (mod N). Any c1, c2 keep k1 + k2·λ ≡ k; the rounded ones
/// keep both halves below 2^128. k1 and k2 are computed as exact integers in
/// wrapping 192-bit arithmetic (their true values are that small).
struct ScalarSplit {
    let low: (magnitude: UInt128, isNegative: Bool)
    let high: (magnitude: UInt128, isNegative: Bool)

    /// `scalar`: 32 big-endian bytes below N.
    init(_ scalar: Bytes) {
        precondition(scalar.count == 32)
        let k: [UInt64] = (0..<4).map { i in (0..<8).reduce(0) { $0 << 8 | UInt64(scalar[24 - 8 * i + $1]) } }
        let c1 = Self.mulShift384(k, Self.g1)
        let c2 = Self.mulShift384(k, Self.g2)
        let k1 = Wide192(k).subtracting(Wide192(c1).times(Self.a1)).subtracting(Wide192(c2).times(Self.a2))
        let k2 = Wide192(c1).times(Self.minusB1).subtracting(Wide192(c2).times(Self.a1))
        low = k1.signedMagnitude
        high = k2.signedMagnitude
    }

    static let g1: [UInt64] = [0xE893_209A_45DB_B031, 0x3DAA_8A14_71E8_CA7F, 0xE86C_90E4_9284_EB15, 0x3086_D221_A7D4_6BCD]
    static let g2: [UInt64] = [0x1571_B4AE_8AC4_7F71, 0x2212_08AC_9DF5_06C6, 0x6F54_7FA9_0ABF_E4C4, 0xE443_7ED6_010E_8828]
    static let a1: [UInt64] = [0xE86C_90E4_9284_EB15, 0x3086_D221_A7D4_6BCD]
    static let minusB1: [UInt64] = [0x6F54_7FA9_0ABF_E4C3, 0xE443_7ED6_010E_8828]
    static let a2: [UInt64] = [0x57C1_108D_9D44_CFD8, 0x14CA_50F7_A8E2_F3F6, 0x1]

    /// round(a·b / 2^384) for 256-bit a, b (little-endian limbs); fits in 128 bits.
    static func mulShift384(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var t = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let v = UInt128(a[i]) &* UInt128(b[j]) &+ UInt128(t[i + j]) &+ UInt128(carry)
                t[i + j] = UInt64(truncatingIfNeeded: v)
                carry = UInt64(truncatingIfNeeded: v >> 64)
            }
            t[i + 4] = carry
        }
        // Add 2^383 (half of the divisor) to round, then keep bits 384…511.
        let rounded = UInt128(t[5]) &+ (1 << 63)
        let high = (UInt128(t[7]) << 64 | UInt128(t[6])) &+ (rounded >> 64)
        return [UInt64(truncatingIfNeeded: high), UInt64(truncatingIfNeeded: high >> 64)]
    }
}

/// Both halves of a split scalar in width-w NAF: the input of `PublicMultiplication`.
struct SplitNAF {
    let window: Int
    let low: NAF
    let high: NAF

    init(_ split: ScalarSplit, window: Int) {
        self.window = window
        low = NAF(split.low, window: window)
        high = NAF(split.high, window: window)
    }
}

/// Integers mod 2^192 (three little-endian limbs): enough for the exact
/// small results of the split, whatever the size of the intermediates.
private struct Wide192 {
    var l: (UInt64, UInt64, UInt64)

    init(_ limbs: [UInt64]) {
        l = (limbs.count > 0 ? limbs[0] : 0, limbs.count > 1 ? limbs[1] : 0, limbs.count > 2 ? limbs[2] : 0)
    }

    private init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64) { l = (l0, l1, l2) }

    func subtracting(_ b: Wide192) -> Wide192 {
        let t0 = UInt128(l.0) &- UInt128(b.l.0)
        let t1 = UInt128(l.1) &- UInt128(b.l.1) &- (t0 >> 127)
        let t2 = l.2 &- b.l.2 &- UInt64(truncatingIfNeeded: t1 >> 127)
        return Wide192(UInt64(truncatingIfNeeded: t0), UInt64(truncatingIfNeeded: t1), t2)
    }

    /// self·m mod 2^192 for m given as little-endian limbs.
    func times(_ m: [UInt64]) -> Wide192 {
        let a = [l.0, l.1, l.2]
        var r: [UInt64] = [0, 0, 0]
        for i in 0..<3 {
            var carry: UInt64 = 0
            for j in 0..<(3 - i) where j < m.count || carry != 0 {
                let mj = j < m.count ? m[j] : 0
                let v = UInt128(a[i]) &* UInt128(mj) &+ UInt128(r[i + j]) &+ UInt128(carry)
                r[i + j] = UInt64(truncatingIfNeeded: v)
                carry = UInt64(truncatingIfNeeded: v >> 64)
            }
        }
        return Wide192(r[0], r[1], r[2])
    }

    /// The value read as a signed 192-bit integer: magnitude (below 2^128 here) and sign.
    var signedMagnitude: (magnitude: UInt128, isNegative: Bool) {
        if l.2 >> 63 == 0 { return (UInt128(l.1) << 64 | UInt128(l.0), false) }
        let negated = Wide192(0, 0, 0).subtracting(self)
        return (UInt128(negated.l.1) << 64 | UInt128(negated.l.0), true)
    }
}

/// A non-negative integer's width-w non-adjacent form: digits d_i, each zero
/// or odd with |d_i| < 2^(w−1), such that Σ d_i·2^i is the integer; with the
/// sign of the value it stands for.
struct NAF {
    /// 130 digits, least significant first (inputs are below 2^128; one digit of carry).
    let digits: [Int16]
    /// Index of the highest non-zero digit (−1 for zero).
    let top: Int
    /// The digits stand for the negated value.
    let isNegative: Bool

    init(_ value: (magnitude: UInt128, isNegative: Bool), window w: Int) {
        precondition((2...10).contains(w))
        var digits = [Int16](repeating: 0, count: 130)
        var top = -1
        // `rest` holds the bits not yet consumed (bit 0 is column i); `carry`
        // is what the last digit pushed into column i.
        var rest = value.magnitude
        var carry = 0
        var i = 0
        while rest != 0 || carry != 0 {
            if Int(truncatingIfNeeded: rest & 1) == carry {
                // Even columns are zero digits: skip zeros (no carry) or ones (carry passes on).
                let run = carry == 0 ? rest.trailingZeroBitCount : (~rest).trailingZeroBitCount
                rest >>= UInt128(run)
                i += run
                continue
            }
            var word = Int(truncatingIfNeeded: rest & ((1 << UInt128(w)) - 1)) + carry
            carry = (word >> (w - 1)) & 1
            word -= carry << w
            digits[i] = Int16(word)
            top = i
            rest >>= UInt128(w)
            i += w
        }
        self.digits = digits
        self.top = top
        isNegative = value.isNegative
    }
}
