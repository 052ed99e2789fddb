/// A secp256k1 point in affine coordinates (never the point at infinity).
/// Variable-time, for public points only (see `FieldElement`).
struct AffinePoint {
    var x: FieldElement
    var y: FieldElement

    /// The curve's generator G.
    static let generator = AffinePoint(
        x: FieldElement(0x59F2_815B_16F8_1798, 0x029B_FCDB_2DCE_28D9, 0x55A0_6295_CE87_0B07, 0x79BE_667E_F9DC_BBAC),
        y: FieldElement(0x9C47_D08F_FB10_D4B8, 0xFD17_B448_A685_5419, 0x5DA4_FBFC_0E11_08A8, 0x483A_DA77_26A3_C465))

    /// The point with this x whose y has the given parity, if x³ + 7 is a square.
    init?(x: FieldElement, odd: Bool) {
        guard let root = (x.squared * x + .seven).squareRoot else { return nil }
        self.x = x
        self.y = root.isOdd == odd ? root : root.negated
    }

    init(x: FieldElement, y: FieldElement) {
        self.x = x
        self.y = y
    }

    /// Decodes 33-byte SEC1 compressed bytes with libsecp256k1's rules:
    /// prefix 02/03, x below p, x³ + 7 a square.
    init?<C: Collection>(compressed bytes: C) where C.Element == UInt8 {
        guard bytes.count == 33, let prefix = bytes.first, prefix == 0x02 || prefix == 0x03 else { return nil }
        let decoded: AffinePoint?? = bytes.withContiguousStorageIfAvailable { buffer in
            FieldElement(bigEndian: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[1...]))
                .flatMap { AffinePoint(x: $0, odd: prefix == 0x03) }
        }
        guard let point = decoded ?? AffinePoint(compressed: Array(bytes)) else { return nil }
        self = point
    }

    var compressed: Bytes {
        Bytes(unsafeUninitializedCapacity: 33) { buffer, count in
            buffer[0] = y.isOdd ? 0x03 : 0x02
            x.store(bigEndian: UnsafeMutableRawPointer(buffer.baseAddress! + 1))
            count = 33
        }
    }

    var negated: AffinePoint { AffinePoint(x: x, y: y.negated) }
}

/// A point in Jacobian coordinates (X/Z², Y/Z³), or the point at infinity.
struct JacobianPoint {
    var x: FieldElement
    var y: FieldElement
    var z: FieldElement
    var isInfinity: Bool

    static let infinity = JacobianPoint(x: .zero, y: .one, z: .zero, isInfinity: true)

    init(x: FieldElement, y: FieldElement, z: FieldElement, isInfinity: Bool = false) {
        self.x = x
        self.y = y
        self.z = z
        self.isInfinity = isInfinity
    }

    init(_ p: AffinePoint) {
        self.init(x: p.x, y: p.y, z: .one)
    }

    /// 2·self (dbl-2009-l, a = 0). secp256k1 has no point of order 2.
    var doubled: JacobianPoint {
        if isInfinity { return self }
        let a = x.squared
        let b = y.squared
        let c = b.squared
        let halfD = (x + b).squared - a - c
        let d = halfD + halfD
        let e = a + a + a
        let x3 = e.squared - d - d
        let c2 = c + c, c4 = c2 + c2
        let yz = y * z
        return JacobianPoint(x: x3, y: e * (d - x3) - (c4 + c4), z: yz + yz)
    }

    /// self + q for affine q (mixed addition; handles equal and opposite points).
    func adding(_ q: AffinePoint) -> JacobianPoint {
        if isInfinity { return JacobianPoint(q) }
        let zz = z.squared
        let u2 = q.x * zz
        let s2 = q.y * z * zz
        return combine(u1: x, s1: y, u2: u2, s2: s2, z: z) { self.doubled }
    }

    /// self + q (general addition; handles equal and opposite points).
    func adding(_ q: JacobianPoint) -> JacobianPoint {
        if isInfinity { return q }
        if q.isInfinity { return self }
        let z1z1 = z.squared
        let z2z2 = q.z.squared
        let u1 = x * z2z2
        let s1 = y * q.z * z2z2
        let u2 = q.x * z1z1
        let s2 = q.y * z * z1z1
        return combine(u1: u1, s1: s1, u2: u2, s2: s2, z: z * q.z) { self.doubled }
    }

    /// The shared tail of both additions (add-1998-cmo-2): u/s are the two
    /// points' x and y brought to a common denominator, `z` their Z product.
    @inline(__always)
    private func combine(u1: FieldElement, s1: FieldElement, u2: FieldElement, s2: FieldElement, z: FieldElement,
                         double: () -> JacobianPoint) -> JacobianPoint {
        let h = u2 - u1
        let r = s2 - s1
        if h.isZero { return r.isZero ? double() : .infinity }
        let hh = h.squared
        let hhh = h * hh
        let v = u1 * hh
        let x3 = r.squared - hhh - v - v
        return JacobianPoint(x: x3, y: r * (v - x3) - s1 * hhh, z: z * h)
    }

    /// Affine forms of many points with one field inversion (Montgomery's
    /// trick); nil entries for points at infinity.
    static func normalize(_ points: [JacobianPoint]) -> [AffinePoint?] {
        var prefix = [FieldElement]()
        prefix.reserveCapacity(points.count)
        var acc = FieldElement.one
        for p in points {
            if !p.isInfinity { acc = acc * p.z }
            prefix.append(acc)
        }
        var inv = acc.inverse
        var out = [AffinePoint?](repeating: nil, count: points.count)
        for i in stride(from: points.count - 1, through: 0, by: -1) where !points[i].isInfinity {
            let zInv = i == 0 ? inv : inv * prefix[i - 1]
            inv = inv * points[i].z
            let zz = zInv.squared
            out[i] = AffinePoint(x: points[i].x * zz, y: points[i].y * zz * zInv)
        }
        return out
    }
}
