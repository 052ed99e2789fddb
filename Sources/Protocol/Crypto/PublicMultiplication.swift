/// a·P + b·Q for public scalars and points: the ring-signature verification
/// equations L = c·P + s·G and R = c·I + s·H_p(P).
///
/// Each scalar is split with the secp256k1 endomorphism (k = k1 + k2·λ,
/// |k1|, |k2| < 2^128; λ·(x, y) = (β·x, y)), so the four half-scalars share
/// one chain of ~129 doublings (Strauss–Shamir) with an addition per non-zero
/// width-w NAF digit.
///
/// Variable-time by design — only for values that are public anyway
/// (verification inputs, published responses). Anything involving a secret
/// (signing nonces, private keys) goes through libsecp256k1.
enum PublicMultiplication {
    /// Window for tables built per call.
    static let window = 5
    /// Window of the precomputed generator table.
    static let generatorWindow = 10

    /// Odd multiples of G and of λ·G, built once.
    static let generatorTables = PointTables(OddMultiples.tables(for: [.generator], window: generatorWindow)[0])

    /// a·P + b·Q (the point at infinity when they cancel).
    static func combination(_ a: SplitNAF, _ p: PointTables, _ b: SplitNAF, _ q: PointTables) -> JacobianPoint {
        precondition(a.window == p.window && b.window == q.window, "digits and table windows differ")
        var acc = JacobianPoint.infinity
        var i = max(a.low.top, a.high.top, b.low.top, b.high.top)
        while i >= 0 {
            acc = acc.doubled
            acc.add(digit: a.low.digits[i], of: p.base, negated: a.low.isNegative)
            acc.add(digit: a.high.digits[i], of: p.endomorphism, negated: a.high.isNegative)
            acc.add(digit: b.low.digits[i], of: q.base, negated: b.low.isNegative)
            acc.add(digit: b.high.digits[i], of: q.endomorphism, negated: b.high.isNegative)
            i -= 1
        }
        return acc
    }
}

private extension JacobianPoint {
    /// Adds d·T (T the table's base point, d odd or zero); −d·T when `negated`.
    @inline(__always)
    mutating func add(digit d: Int16, of table: OddMultiples, negated: Bool) {
        guard d != 0 else { return }
        let point = table.points[Int(d.magnitude) >> 1]
        self = adding((d < 0) != negated ? point.negated : point)
    }
}

/// The odd multiples P, 3P, …, (2^(w−1) − 1)·P in affine form.
struct OddMultiples {
    let window: Int
    let points: [AffinePoint]

    /// Tables for several points, normalized together with one field inversion.
    static func tables(for bases: [AffinePoint], window: Int) -> [OddMultiples] {
        let size = 1 << (window - 2)
        var jacobian: [JacobianPoint] = []
        jacobian.reserveCapacity(bases.count * size)
        for base in bases {
            let first = JacobianPoint(base)
            let twice = first.doubled
            var current = first
            jacobian.append(current)
            for _ in 1..<size {
                current = current.adding(twice)
                jacobian.append(current)
            }
        }
        // Multiples below the group order of a non-infinity point are never infinity.
        let affine = JacobianPoint.normalize(jacobian).map { $0! }
        return (0..<bases.count).map { OddMultiples(window: window, points: Array(affine[($0 * size)..<(($0 + 1) * size)])) }
    }
}

/// A point's odd multiples and those of its endomorphism image λ·P = (β·x, y).
struct PointTables {
    /// β, a primitive cube root of unity mod p.
    static let beta = FieldElement(0xC139_6C28_7195_01EE, 0x9CF0_4975_12F5_8995, 0x6E64_479E_AC34_34E9, 0x7AE9_6A2B_657C_0710)

    let base: OddMultiples
    let endomorphism: OddMultiples

    var window: Int { base.window }

    init(_ base: OddMultiples) {
        self.base = base
        endomorphism = OddMultiples(window: base.window, points: base.points.map { AffinePoint(x: $0.x * Self.beta, y: $0.y) })
    }
}
