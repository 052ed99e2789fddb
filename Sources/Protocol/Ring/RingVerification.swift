/// Everything the challenge chain needs per member: odd-multiple tables of
/// the key image, of each member P_i and of each H_p(P_i), memoized per key
/// (`RingPointCache`).
struct RingTables {
    let image: RingPointCache.Image
    let members: [RingPointCache.Member]

    /// Throws `invalidPoint` for a key that does not decode and
    /// `hashToCurveFailed` when a member has no hash-to-curve point.
    init(imageKey: Bytes, memberKeys: [Bytes], cache: RingPointCache = .shared) throws(RingSignatureError) {
        guard let image = cache.image(imageKey) else { throw .invalidPoint(field: "key image") }
        var members: [RingPointCache.Member] = []
        members.reserveCapacity(memberKeys.count)
        for (i, key) in memberKeys.enumerated() {
            guard let m = cache.member(key) else { throw .invalidPoint(field: "ring member \(i)") }
            guard m.hashTables != nil else { throw .hashToCurveFailed }
            members.append(m)
        }
        self.image = image
        self.members = members
    }

    /// L = c·P_k + s·G and R = c·I + s·H_p(P_k), compressed; nil when a
    /// scalar is zero, not below N or not 32 bytes, or a point is at infinity
    /// (the cases libsecp256k1's tweak/combine calls reject). Combs when the
    /// cache has them for every base, wNAF otherwise: the same points.
    func commitments(member k: Int, c: Bytes, s: Bytes) -> (l: Bytes, r: Bytes)? {
        guard Self.isValidScalar(c), Self.isValidScalar(s) else { return nil }
        let member = members[k]
        let l: JacobianPoint, r: JacobianPoint
        if let combs = member.combs, let imageComb = image.comb {
            l = CombTable.combination(c, combs.point, s, .generator)
            r = CombTable.combination(c, imageComb, s, combs.hash)
        } else {
            let sSplit = ScalarSplit(s)
            let cDigits = SplitNAF(ScalarSplit(c), window: PublicMultiplication.window)
            l = PublicMultiplication.combination(cDigits, member.tables, SplitNAF(sSplit, window: PublicMultiplication.generatorWindow),
                                                 PublicMultiplication.generatorTables)
            r = PublicMultiplication.combination(cDigits, image.tables, SplitNAF(sSplit, window: PublicMultiplication.window), member.hashTables!)
        }
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
        guard !ring.isEmpty, responses.count == ring.count,
              let tables = try? RingTables(imageKey: keyImage.compressed, memberKeys: ring.map(\.compressed)) else { return false }
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
