/// An element of the secp256k1 base field, integers mod
/// p = 2^256 − 2^32 − 977, as four little-endian 64-bit limbs.
///
/// Values are kept below 2^256 but not necessarily below p ("weakly
/// reduced"); `normalized` gives the canonical representative. Arithmetic is
/// variable-time: this type serves verification of public data only (ring
/// signature checks, point decompression) and never touches a secret.
struct FieldElement {
    var n0: UInt64, n1: UInt64, n2: UInt64, n3: UInt64

    /// 2^256 mod p = 2^32 + 977: what a carry out of the top limb is worth.
    static let k: UInt64 = 0x1_0000_03D1
    static let zero = FieldElement(0, 0, 0, 0)
    static let one = FieldElement(1, 0, 0, 0)
    static let seven = FieldElement(7, 0, 0, 0)
    /// p itself, little-endian limbs.
    static let p = FieldElement(0xFFFF_FFFE_FFFF_FC2F, .max, .max, .max)

    init(_ n0: UInt64, _ n1: UInt64, _ n2: UInt64, _ n3: UInt64) {
        (self.n0, self.n1, self.n2, self.n3) = (n0, n1, n2, n3)
    }

    /// 32 big-endian bytes; nil when the value is not below p.
    init?(bigEndian bytes: UnsafeRawBufferPointer) {
        func word(_ i: Int) -> UInt64 { UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 24 - 8 * i, as: UInt64.self)) }
        self.init(word(0), word(1), word(2), word(3))
        if isAtLeastP { return nil }
    }

    /// Any 32 big-endian bytes, reduced mod p.
    init(reducing bytes: UnsafeRawBufferPointer) {
        func word(_ i: Int) -> UInt64 { UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 24 - 8 * i, as: UInt64.self)) }
        self = FieldElement(word(0), word(1), word(2), word(3)).normalized
    }

    /// Writes the canonical 32 big-endian bytes.
    func store(bigEndian p: UnsafeMutableRawPointer) {
        let v = normalized
        p.storeBytes(of: v.n3.bigEndian, as: UInt64.self)
        p.storeBytes(of: v.n2.bigEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: v.n1.bigEndian, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: v.n0.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    private var isAtLeastP: Bool {
        n3 == .max && n2 == .max && n1 == .max && n0 >= Self.p.n0
    }

    /// The representative in [0, p).
    var normalized: FieldElement {
        // v ≥ p means v − p = v + k − 2^256 (the carry out is dropped).
        guard isAtLeastP else { return self }
        var r = self
        _ = r.addWord(Self.k)
        return r
    }

    var isZero: Bool {
        let v = normalized
        return v.n0 | v.n1 | v.n2 | v.n3 == 0
    }

    /// Parity of the canonical value (the SEC1 compressed prefix bit).
    var isOdd: Bool { normalized.n0 & 1 == 1 }

    static func == (a: FieldElement, b: FieldElement) -> Bool { (a - b).isZero }

    // MARK: Addition

    /// Adds a word; returns the carry out of the top limb (the value wrapped).
    private mutating func addWord(_ w: UInt64) -> Bool {
        var c: Bool
        (n0, c) = n0.addingReportingOverflow(w)
        guard c else { return false }
        (n1, c) = n1.addingReportingOverflow(1)
        guard c else { return false }
        (n2, c) = n2.addingReportingOverflow(1)
        guard c else { return false }
        (n3, c) = n3.addingReportingOverflow(1)
        return c
    }

    /// Subtracts a word; returns the borrow out of the top limb.
    private mutating func subtractWord(_ w: UInt64) -> Bool {
        var b: Bool
        (n0, b) = n0.subtractingReportingOverflow(w)
        guard b else { return false }
        (n1, b) = n1.subtractingReportingOverflow(1)
        guard b else { return false }
        (n2, b) = n2.subtractingReportingOverflow(1)
        guard b else { return false }
        (n3, b) = n3.subtractingReportingOverflow(1)
        return b
    }

    /// A carry out of 2^256 is worth k (2^256 ≡ k mod p): fold until none is
    /// left. The first fold is unconditional (adding 0 or k) so the common
    /// path has no data-dependent branch; a second is rare.
    @inline(__always)
    private mutating func foldCarry(_ carry: Bool) {
        var c = addWord(carry ? Self.k : 0)
        while c { c = addWord(Self.k) }
    }

    /// A borrow past zero added 2^256 ≡ k: take k back until none is left.
    @inline(__always)
    private mutating func foldBorrow(_ borrow: Bool) {
        var b = subtractWord(borrow ? Self.k : 0)
        while b { b = subtractWord(Self.k) }
    }

    @inline(__always)
    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        var r = a
        var c: UInt64
        (r.n0, c) = add3(a.n0, b.n0, 0)
        (r.n1, c) = add3(a.n1, b.n1, c)
        (r.n2, c) = add3(a.n2, b.n2, c)
        (r.n3, c) = add3(a.n3, b.n3, c)
        r.foldCarry(c != 0)
        return r
    }

    @inline(__always)
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        var r = a
        var borrow: UInt64
        (r.n0, borrow) = sub3(a.n0, b.n0, 0)
        (r.n1, borrow) = sub3(a.n1, b.n1, borrow)
        (r.n2, borrow) = sub3(a.n2, b.n2, borrow)
        (r.n3, borrow) = sub3(a.n3, b.n3, borrow)
        r.foldBorrow(borrow != 0)
        return r
    }

    /// a − b − borrow as (low word, borrow out 0 or 1).
    @inline(__always)
    private static func sub3(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
        let t = UInt128(a) &- UInt128(b) &- UInt128(borrow)
        return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t >> 127))
    }

    var negated: FieldElement { .zero - self }

    // MARK: Multiplication

    /// a·b + acc + carry as (low word, carry = high word); never overflows 128 bits.
    @inline(__always)
    private static func mac(_ acc: UInt64, _ a: UInt64, _ b: UInt64, _ carry: inout UInt64) -> UInt64 {
        let t = UInt128(a) &* UInt128(b) &+ UInt128(acc) &+ UInt128(carry)
        carry = UInt64(truncatingIfNeeded: t >> 64)
        return UInt64(truncatingIfNeeded: t)
    }

    /// Reduces the 512-bit value t0…t7 (little-endian): high half times k folded into the low half.
    @inline(__always)
    private static func reduce(_ t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64,
                               _ t4: UInt64, _ t5: UInt64, _ t6: UInt64, _ t7: UInt64) -> FieldElement {
        var c: UInt64 = 0
        var r = FieldElement(mac(t0, t4, k, &c), 0, 0, 0)
        r.n1 = mac(t1, t5, k, &c)
        r.n2 = mac(t2, t6, k, &c)
        r.n3 = mac(t3, t7, k, &c)
        // c < 2^34: c·2^256 ≡ c·k < 2^67.
        var c2: UInt64 = 0
        r.n0 = mac(r.n0, c, k, &c2)
        var carry: Bool
        (r.n1, carry) = r.n1.addingReportingOverflow(c2)
        if carry {
            (r.n2, carry) = r.n2.addingReportingOverflow(1)
            if carry { (r.n3, carry) = r.n3.addingReportingOverflow(1) }
        }
        r.foldCarry(carry)
        return r
    }

    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        var c: UInt64 = 0
        let t0 = mac(0, a.n0, b.n0, &c)
        var t1 = mac(0, a.n0, b.n1, &c)
        var t2 = mac(0, a.n0, b.n2, &c)
        var t3 = mac(0, a.n0, b.n3, &c)
        var t4 = c
        c = 0
        t1 = mac(t1, a.n1, b.n0, &c)
        t2 = mac(t2, a.n1, b.n1, &c)
        t3 = mac(t3, a.n1, b.n2, &c)
        t4 = mac(t4, a.n1, b.n3, &c)
        var t5 = c
        c = 0
        t2 = mac(t2, a.n2, b.n0, &c)
        t3 = mac(t3, a.n2, b.n1, &c)
        t4 = mac(t4, a.n2, b.n2, &c)
        t5 = mac(t5, a.n2, b.n3, &c)
        var t6 = c
        c = 0
        t3 = mac(t3, a.n3, b.n0, &c)
        t4 = mac(t4, a.n3, b.n1, &c)
        t5 = mac(t5, a.n3, b.n2, &c)
        t6 = mac(t6, a.n3, b.n3, &c)
        return reduce(t0, t1, t2, t3, t4, t5, t6, c)
    }

    /// self² with the six cross products computed once and doubled.
    var squared: FieldElement {
        // Cross products a_i·a_j (i < j) into x1…x6.
        var c: UInt64 = 0
        let x1 = Self.mac(0, n0, n1, &c)
        let x2 = Self.mac(0, n0, n2, &c)
        var x3 = Self.mac(0, n0, n3, &c)
        var x4 = c
        c = 0
        x3 = Self.mac(x3, n1, n2, &c)
        x4 = Self.mac(x4, n1, n3, &c)
        var x5 = c
        c = 0
        x5 = Self.mac(x5, n2, n3, &c)
        let x6 = c
        // Double them (x7 takes the bit shifted out).
        let x7 = x6 >> 63
        let d6 = x6 << 1 | x5 >> 63, d5 = x5 << 1 | x4 >> 63, d4 = x4 << 1 | x3 >> 63
        let d3 = x3 << 1 | x2 >> 63, d2 = x2 << 1 | x1 >> 63, d1 = x1 << 1
        // Add the squares a_i² on the diagonal.
        c = 0
        let t0 = Self.mac(0, n0, n0, &c)
        var hi = c
        var t1: UInt64, t2: UInt64, t3: UInt64, t4: UInt64, t5: UInt64, t6: UInt64, t7: UInt64
        var carry: UInt64 = 0
        (t1, carry) = Self.add3(d1, hi, 0)
        c = 0
        t2 = Self.mac(d2, n1, n1, &c)
        (t2, hi) = Self.add3(t2, carry, 0)
        (t3, carry) = Self.add3(d3, c, hi)
        c = 0
        t4 = Self.mac(d4, n2, n2, &c)
        (t4, hi) = Self.add3(t4, carry, 0)
        (t5, carry) = Self.add3(d5, c, hi)
        c = 0
        t6 = Self.mac(d6, n3, n3, &c)
        (t6, hi) = Self.add3(t6, carry, 0)
        (t7, _) = Self.add3(x7, c, hi)
        return Self.reduce(t0, t1, t2, t3, t4, t5, t6, t7)
    }

    /// a + b + c as (low word, carry word).
    @inline(__always)
    private static func add3(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> (UInt64, UInt64) {
        let t = UInt128(a) &+ UInt128(b) &+ UInt128(c)
        return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t >> 64))
    }

    // MARK: Exponentiation

    /// self^(2^n): n squarings.
    private func squared(times n: Int) -> FieldElement {
        var r = self
        for _ in 0..<n { r = r.squared }
        return r
    }

    /// self^(2^k − 1) for the k the addition chains below need, from x2 = self^3 up.
    private var onesPowers: (x2: FieldElement, x3: FieldElement, x22: FieldElement, x223: FieldElement) {
        let x2 = squared * self
        let x3 = x2.squared * self
        let x6 = x3.squared(times: 3) * x3
        let x9 = x6.squared(times: 3) * x3
        let x11 = x9.squared(times: 2) * x2
        let x22 = x11.squared(times: 11) * x11
        let x44 = x22.squared(times: 22) * x22
        let x88 = x44.squared(times: 44) * x44
        let x176 = x88.squared(times: 88) * x88
        let x220 = x176.squared(times: 44) * x44
        let x223 = x220.squared(times: 3) * x3
        return (x2, x3, x22, x223)
    }

    /// self^(p−2) = self⁻¹ (zero for zero). p − 2 in binary: 223 ones, 0,
    /// 22 ones, 0000101101.
    var inverse: FieldElement {
        let x = onesPowers
        var t = x.x223.squared(times: 23) * x.x22
        t = t.squared(times: 5) * self
        t = t.squared(times: 3) * x.x2
        return t.squared(times: 2) * self
    }

    /// A square root, if self is a square: self^((p+1)/4) (p ≡ 3 mod 4).
    /// (p + 1)/4 in binary: 223 ones, 0, 22 ones, 000011, 00.
    var squareRoot: FieldElement? {
        let x = onesPowers
        var t = x.x223.squared(times: 23) * x.x22
        t = t.squared(times: 6) * x.x2
        let r = t.squared(times: 2)
        return r.squared == self ? r : nil
    }
}
