/// The decompressed points of a ring signature.
struct RingPoints {
    let image: AffinePoint
    let members: [AffinePoint]
}

/// Everything the challenge chain needs per member, computed once per
/// signature: odd-multiple tables of the key image, each member P_i and each
/// H_p(P_i), normalized together with a single field inversion.
struct RingTables {
    let image: PointTables
    let members: [PointTables]
    let hashes: [PointTables]

    /// Throws `hashToCurveFailed` when a member has no hash-to-curve point.
    init(_ points: RingPoints) throws(RingSignatureError) {
        var hashPoints: [AffinePoint] = []
        hashPoints.reserveCapacity(points.members.count)
        for member in points.members {
            guard let hp = RingHashes.hashToCurvePoint(member.compressed) else { throw .hashToCurveFailed }
            hashPoints.append(hp)
        }
        let n = points.members.count
        let all = OddMultiples.tables(for: [points.image] + points.members + hashPoints, window: PublicMultiplication.window)
            .map(PointTables.init)
        image = all[0]
        members = Array(all[1...n])
        hashes = Array(all[(n + 1)...])
    }

    /// L = c·P_k + s·G and R = c·I + s·H_p(P_k), compressed; nil when a
    /// scalar is zero, not below N or not 32 bytes, or a point is at infinity
    /// (the cases libsecp256k1's tweak/combine calls reject).
    func commitments(member k: Int, c: Bytes, s: Bytes) -> (l: Bytes, r: Bytes)? {
        guard Self.isValidScalar(c), Self.isValidScalar(s) else { return nil }
        let sSplit = ScalarSplit(s)
        let cDigits = SplitNAF(ScalarSplit(c), window: PublicMultiplication.window)
        let l = PublicMultiplication.combination(cDigits, members[k], SplitNAF(sSplit, window: PublicMultiplication.generatorWindow),
                                                 PublicMultiplication.generatorTables)
        let r = PublicMultiplication.combination(cDigits, image, SplitNAF(sSplit, window: PublicMultiplication.window), hashes[k])
        let affine = JacobianPoint.normalize([l, r])
        guard let la = affine[0], let ra = affine[1] else { return nil }
        return (la.compressed, ra.compressed)
    }

    private static func isValidScalar(_ k: Bytes) -> Bool {
        k.count == 32 && !Secp256k1Order.isZero(k) && !Secp256k1Order.overflows(k)
    }
}

extension RingSignature {
    /// Recomputes the challenge chain around the ring; valid iff it closes on c0.
    public func verify(message: Bytes) -> Bool {
        guard let image = AffinePoint(compressed: keyImage.compressed) else { return false }
        var members: [AffinePoint] = []
        members.reserveCapacity(ring.count)
        for key in ring {
            guard let p = AffinePoint(compressed: key.compressed) else { return false }
            members.append(p)
        }
        return verify(message: message, points: RingPoints(image: image, members: members))
    }

    /// `verify(message:)` with the points already decompressed.
    func verify(message: Bytes, points: RingPoints) -> Bool {
        guard !ring.isEmpty, responses.count == ring.count, let tables = try? RingTables(points) else { return false }
        var c = c0
        for (k, s) in responses.enumerated() {
            guard let commitments = tables.commitments(member: k, c: c, s: s),
                  let next = try? RingHashes.challenge(message: message, l: commitments.l, r: commitments.r)
            else { return false }
            c = next
        }
        return c == c0
    }
}
