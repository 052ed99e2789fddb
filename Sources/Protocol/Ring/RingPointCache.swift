import CSecp256k1
import Foundation

/// Memo of the per-key work of ring signatures. A ring's members (an
/// application and its gateways) and a signer's key image are the same for
/// every relay of a session, so their decompression, their hash-to-curve
/// points and the odd-multiple tables of all of them are computed once, not
/// per signature. Results never depend on whether an entry was cached; the
/// cache only saves time. It holds public points only and empties itself
/// when full.
final class RingPointCache: @unchecked Sendable {
    /// Bounds memory to roughly 40 MiB: a member's wNAF tables count 1
    /// (~1 KiB), a comb table 16.
    static let shared = RingPointCache(capacity: 32_768)

    /// What verification needs of one ring member.
    struct Member {
        let point: AffinePoint
        let tables: PointTables
        /// Tables of H_p(P) (nil when P has no hash-to-curve point).
        let hashTables: PointTables?
        let hashPoint: AffinePoint?
        /// Combs of P and H_p(P), built on the member's second use.
        var combs: (point: CombTable, hash: CombTable)?
        var uses = 1
    }

    /// What verification needs of a key image.
    struct Image {
        let point: AffinePoint
        let tables: PointTables
        var comb: CombTable?
        var uses = 1
    }

    /// A point earns its comb table (16 KiB, ~4 multiplications to build)
    /// on this use: honest keys recur on every relay of a session, a
    /// one-off key from a garbage request never pays for one.
    static let combAfterUses = 2

    private let lock = NSLock()
    private let capacity: Int
    private var points: [Bytes: AffinePoint] = [:]
    private var members: [Bytes: Member] = [:]
    private var images: [Bytes: Image] = [:]
    /// Comb tables held (each 16 KiB); they count ×16 against the capacity.
    private var combCount = 0
    private var hashPoints: [Bytes: AffinePoint] = [:]
    /// Signer public key → (H_p point for libsecp256k1, key image). The key
    /// image is public (every signature carries it) and fixed per key.
    private var signers: [Bytes: (hj: secp256k1_pubkey, image: PublicKey)] = [:]

    init(capacity: Int) { self.capacity = capacity }

    /// A decompressed point (nil when the bytes are not a valid compressed point).
    func point(_ compressed: Bytes) -> AffinePoint? {
        if let hit = lock.withLock({ points[compressed] }) { return hit }
        guard let p = AffinePoint(compressed: compressed) else { return nil }
        store { points[compressed] = p }
        return p
    }

    /// `RingHashes.hashToCurvePoint` of a compressed key.
    func hashToCurve(_ compressed: Bytes) -> AffinePoint? {
        if let hit = lock.withLock({ hashPoints[compressed] }) { return hit }
        guard let hp = RingHashes.hashToCurvePoint(compressed) else { return nil }
        store { hashPoints[compressed] = hp }
        return hp
    }

    func member(_ compressed: Bytes) -> Member? {
        if var hit = lock.withLock({ members[compressed] }) {
            guard hit.combs == nil, let hp = hit.hashPoint else { return hit }
            hit.uses += 1
            if hit.uses >= Self.combAfterUses {
                hit.combs = (CombTable(base: hit.point), CombTable(base: hp))
                store(combs: 2) { members[compressed] = hit }
            } else {
                lock.withLock { members[compressed] = hit }
            }
            return hit
        }
        guard let p = point(compressed) else { return nil }
        let hp = hashToCurve(compressed)
        let built = OddMultiples.tables(for: [p] + (hp.map { [$0] } ?? []), window: PublicMultiplication.window).map(PointTables.init)
        let m = Member(point: p, tables: built[0], hashTables: hp == nil ? nil : built[1], hashPoint: hp)
        store { members[compressed] = m }
        return m
    }

    /// Tables of a key image.
    func image(_ compressed: Bytes) -> Image? {
        if var hit = lock.withLock({ images[compressed] }) {
            guard hit.comb == nil else { return hit }
            hit.uses += 1
            if hit.uses >= Self.combAfterUses {
                hit.comb = CombTable(base: hit.point)
                store(combs: 1) { images[compressed] = hit }
            } else {
                lock.withLock { images[compressed] = hit }
            }
            return hit
        }
        guard let p = point(compressed) else { return nil }
        let image = Image(point: p, tables: PointTables(OddMultiples.tables(for: [p], window: PublicMultiplication.window)[0]))
        store { images[compressed] = image }
        return image
    }

    /// The signer's H_p(P) and key image x·H_p(P), computed once per key.
    func signer(publicKey: PublicKey, privateKey: PrivateKey) -> (hj: secp256k1_pubkey, image: PublicKey)? {
        if let hit = lock.withLock({ signers[publicKey.compressed] }) { return hit }
        guard let hjPoint = hashToCurve(publicKey.compressed),
              let hj = CurveOps.parseCompressed(hjPoint.compressed[...]),
              let image = CurveOps.mul(hj, privateKey.bytes) else { return nil }
        let entry = (hj: hj, image: PublicKey(raw: image))
        store { signers[publicKey.compressed] = entry }
        return entry
    }

    private func store(combs: Int = 0, _ body: () -> Void) {
        lock.withLock {
            if points.count + members.count + images.count + hashPoints.count + signers.count + 16 * (combCount + combs) >= capacity {
                points.removeAll(keepingCapacity: true)
                members.removeAll(keepingCapacity: true)
                images.removeAll(keepingCapacity: true)
                hashPoints.removeAll(keepingCapacity: true)
                signers.removeAll(keepingCapacity: true)
                combCount = 0
            }
            combCount += combs
            body()
        }
    }
}
