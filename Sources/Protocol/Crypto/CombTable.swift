/// A fixed-base comb (Lim–Lee) for one public point B: 8 teeth spaced 32
/// bits apart, so k·B for a 256-bit k costs 32 doublings and at most 32
/// mixed additions, against ~129 doublings and ~43 additions for a wNAF
/// multiplication. In a two-point combination the doublings are shared.
///
/// Worth it only for points that recur: a ring's members, their
/// hash-to-curve points and a signer's key image are the same for every
/// relay of a session, and G is the same for all. The table is 255 affine
/// points (16 KiB) and costs about four multiplications to build, which is
/// why `RingPointCache` builds it on a point's second use, not its first.
///
/// Variable-time, public points and scalars only (see `FieldElement`).
struct CombTable: Sendable {
    static let teeth = 8
    static let spacing = 32

    /// Entry v − 1 holds Σ_{i: bit i of v} 2^(32·i)·B, for v in 1…255.
    let points: [AffinePoint]

    static let generator = CombTable(base: .generator)

    init(base: AffinePoint) {
        // The teeth 2^(32·i)·B, brought to affine together.
        var teethJacobian = [JacobianPoint(base)]
        for _ in 1..<Self.teeth {
            var t = teethJacobian[teethJacobian.count - 1]
            for _ in 0..<Self.spacing { t = t.doubled }
            teethJacobian.append(t)
        }
        // Each multiplier is positive and below 2^225 < N, so no sum is infinity.
        let teeth = JacobianPoint.normalize(teethJacobian).map { $0! }
        var sums = [JacobianPoint](repeating: .infinity, count: 1 << Self.teeth)
        for v in 1..<(1 << Self.teeth) {
            let top = Int.bitWidth - 1 - v.leadingZeroBitCount
            let rest = v ^ (1 << top)
            sums[v] = rest == 0 ? JacobianPoint(teeth[top]) : sums[rest].adding(teeth[top])
        }
        points = JacobianPoint.normalize(Array(sums[1...])).map { $0! }
    }

    /// a·A + b·B for scalars below 2^256 (big-endian 32 bytes); infinity
    /// when the two cancel.
    static func combination(_ a: Bytes, _ tableA: CombTable, _ b: Bytes, _ tableB: CombTable) -> JacobianPoint {
        let la = limbs(a), lb = limbs(b)
        var acc = JacobianPoint.infinity
        for column in stride(from: spacing - 1, through: 0, by: -1) {
            acc = acc.doubled
            let va = tooth(la, column), vb = tooth(lb, column)
            if va != 0 { acc = acc.adding(tableA.points[va - 1]) }
            if vb != 0 { acc = acc.adding(tableB.points[vb - 1]) }
        }
        return acc
    }

    /// Bits column, column + 32, …, column + 224 of the scalar, as the index v.
    @inline(__always)
    private static func tooth(_ l: (UInt64, UInt64, UInt64, UInt64), _ column: Int) -> Int {
        let c = UInt64(column)
        let w0 = l.0 >> c, w1 = l.1 >> c, w2 = l.2 >> c, w3 = l.3 >> c
        var v = w0 & 1 | (w0 >> 31) & 2
        v |= (w1 & 1) << 2 | (w1 >> 29) & 8
        v |= (w2 & 1) << 4 | (w2 >> 27) & 32
        v |= (w3 & 1) << 6 | (w3 >> 25) & 128
        return Int(v)
    }

    /// Little-endian 64-bit limbs of 32 big-endian bytes.
    private static func limbs(_ k: Bytes) -> (UInt64, UInt64, UInt64, UInt64) {
        precondition(k.count == 32, "scalars are 32 bytes")
        return k.withUnsafeBytes { raw in
            func word(_ i: Int) -> UInt64 { UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24 - 8 * i, as: UInt64.self)) }
            return (word(0), word(1), word(2), word(3))
        }
    }
}
