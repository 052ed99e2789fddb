import BigInt
import CSecp256k1
import Foundation
import Testing
@testable import PocketProtocol

// Differential tests of the variable-time secp256k1 arithmetic used for ring
// verification (FieldElement, JacobianPoint, PublicMultiplication, ScalarSplit)
// and of the RFC 6979 nonce function used for supplier signatures: every
// result is compared with BigInt arithmetic or with libsecp256k1 itself.

fileprivate let P = BigUInt("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", radix: 16)!
fileprivate let N = BigUInt("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", radix: 16)!

fileprivate func big(_ f: FieldElement) -> BigUInt { BigUInt(f.n3) << 192 | BigUInt(f.n2) << 128 | BigUInt(f.n1) << 64 | BigUInt(f.n0) }
fileprivate func fe(_ b: BigUInt) -> FieldElement {
    let w = (0..<4).map { UInt64(truncatingIfNeeded: b >> (64 * $0)) }
    return FieldElement(w[0], w[1], w[2], w[3])
}
fileprivate func bytes32(_ b: BigUInt) -> [UInt8] { let s = Array(b.serialize()); return [UInt8](repeating: 0, count: 32 - s.count) + s }

/// Random 256-bit values biased toward edges: near 0, near p, ≥ p, all-ones limbs.
fileprivate func randomValue(_ r: inout SeededRNG) -> BigUInt {
    let kind = r.next() % 8
    let two256 = BigUInt(1) << 256
    switch kind {
    case 0: return BigUInt(r.next() % 5)
    case 1: return P - 1 - BigUInt(r.next() % 5)
    case 2: return P + BigUInt(r.next() % 0x1000003d1)  // weakly reduced, ≥ p
    case 3: return two256 - 1 - BigUInt(r.next() % 3)
    case 4: return BigUInt(r.next()) << 192 | BigUInt(UInt64.max)
    default: return BigUInt(Data(r.bytes(32)))
    }
}

@Test func fieldArithmeticMatchesBigInt() {
    var r = SeededRNG(seed: 1)
    for _ in 0..<20000 {
        let a = randomValue(&r), b = randomValue(&r)
        let fa = fe(a), fb = fe(b)
        #expect(big((fa * fb).normalized) == (a * b) % P)
        #expect(big((fa * fb)) < BigUInt(1) << 256)
        #expect(big(fa.squared.normalized) == (a * a) % P)
        #expect(big((fa + fb).normalized) == (a + b) % P)
        #expect(big((fa - fb).normalized) == (a + 2 * P - b % P - 0) % P)
        #expect(big(fa.negated.normalized) == (P - a % P) % P)
        #expect(big((fa + fa + fa).normalized) == (a * 3) % P)
        #expect(big(fa.normalized) == a % P)
        #expect(fa.isZero == (a % P == 0))
    }
    for _ in 0..<300 {
        let a = randomValue(&r)
        let fa = fe(a)
        #expect(big(fa.inverse.normalized) == (a % P == 0 ? 0 : (a % P).inverse(P)!))
        let isSquare = (a % P).power((P - 1) / 2, modulus: P) != P - 1
        if let s = fa.squareRoot { #expect((big(s) * big(s)) % P == a % P) } else { #expect(!isSquare) }
    }
}

fileprivate let LAMBDA = BigUInt("5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72", radix: 16)!
@Test func splitAndNafReconstructTheScalar() {
    var r = SeededRNG(seed: 2)
    for w in [2, 3, 4, 5, 6, 7, 8, 9, 10] {
        for i in 0..<3000 {
            var k = BigUInt(Data(r.bytes(32))) % N
            let edges: [BigUInt] = [0, 1, 2, N - 1, N - 2, N / 2, N / 2 + 1, LAMBDA, N - LAMBDA, BigUInt(1) << 128, (BigUInt(1) << 128) - 1, BigUInt(1) << 255]
            if i < edges.count { k = edges[i] }
            let split = SplitNAF(ScalarSplit(bytes32(k)), window: w)
            func value(_ naf: NAF) -> BigInt {
                var sum = BigInt(0)
                for (j, d) in naf.digits.enumerated() where d != 0 {
                    #expect(d % 2 != 0 && abs(Int(d)) < (1 << (w - 1)))
                    sum += BigInt(Int(d)) << j
                }
                #expect(naf.top == (naf.digits.lastIndex { $0 != 0 } ?? -1))
                return naf.isNegative ? -sum : sum
            }
            let k1 = value(split.low), k2 = value(split.high)
            #expect(k1.magnitude < BigUInt(1) << 128 && k2.magnitude < BigUInt(1) << 128)
            let total = (k1 + k2 * BigInt(LAMBDA)) % BigInt(N)
            #expect((total + BigInt(N)) % BigInt(N) == BigInt(k))
        }
    }
}

fileprivate nonisolated(unsafe) let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!

fileprivate func libPoint(_ k: [UInt8]) -> secp256k1_pubkey { var p = secp256k1_pubkey(); precondition(secp256k1_ec_pubkey_create(ctx, &p, k) == 1); return p }
fileprivate func ser(_ p: secp256k1_pubkey) -> [UInt8] { var p = p; var out = [UInt8](repeating: 0, count: 33); var len = 33; _ = secp256k1_ec_pubkey_serialize(ctx, &out, &len, &p, UInt32(SECP256K1_EC_COMPRESSED)); return out }
fileprivate func tmul(_ p: secp256k1_pubkey, _ k: [UInt8]) -> secp256k1_pubkey? { var p = p; return secp256k1_ec_pubkey_tweak_mul(ctx, &p, k) == 1 ? p : nil }
fileprivate func tadd(_ p: secp256k1_pubkey, _ k: [UInt8]) -> secp256k1_pubkey? { var p = p; return secp256k1_ec_pubkey_tweak_add(ctx, &p, k) == 1 ? p : nil }
fileprivate func comb(_ a: secp256k1_pubkey, _ b: secp256k1_pubkey) -> secp256k1_pubkey? {
    var pa = a, pb = b, out = secp256k1_pubkey()
    return withUnsafePointer(to: &pa) { ap in withUnsafePointer(to: &pb) { bp in
        var ptrs: [UnsafePointer<secp256k1_pubkey>?] = [ap, bp]
        return secp256k1_ec_pubkey_combine(ctx, &out, &ptrs, 2) == 1 ? out : nil } }
}
fileprivate func randomScalar(_ r: inout SeededRNG) -> [UInt8] {
    switch r.next() % 6 {
    case 0: return bytes32(BigUInt(1 + r.next() % 20))
    case 1: return bytes32(N - 1 - BigUInt(r.next() % 20))
    default: return bytes32(BigUInt(Data(r.bytes(32))) % (N - 1) + 1)
    }
}

@Test func decompressionMatchesLibsecp() {
    var r = SeededRNG(seed: 3)
    var valid = 0
    for i in 0..<4000 {
        var b = [UInt8(2 + r.next() % 2)] + r.bytes(32)
        if i % 50 == 0 { b = [b[0]] + bytes32(P + BigUInt(r.next() % 1000)).suffix(32) }  // x ≥ p (or wrapped)
        if i % 77 == 0 { b = [UInt8(r.next() % 6)] + b.dropFirst() }
        var p = secp256k1_pubkey()
        let ok = (b[0] == 2 || b[0] == 3) && secp256k1_ec_pubkey_parse(ctx, &p, b, 33) == 1
        let mine = AffinePoint(compressed: b)
        #expect(ok == (mine != nil))
        if ok, let mine {
            valid += 1
            #expect(mine.compressed == b)
            var full = [UInt8](repeating: 0, count: 65); var len = 65
            _ = secp256k1_ec_pubkey_serialize(ctx, &full, &len, &p, UInt32(SECP256K1_EC_UNCOMPRESSED))
            var y = [UInt8](repeating: 0, count: 32); y.withUnsafeMutableBytes { mine.y.store(bigEndian: $0.baseAddress!) }
            #expect(Array(full[33...]) == y)
        }
    }
    #expect(valid > 1500)
}

@Test func combinationsMatchLibsecp() {
    var r = SeededRNG(seed: 4)
    for i in 0..<1500 {
        let pk = libPoint(randomScalar(&r)), qk = libPoint(randomScalar(&r))
        let P = AffinePoint(compressed: ser(pk))!, Q = AffinePoint(compressed: ser(qk))!
        let a = randomScalar(&r), b = randomScalar(&r)
        // L = a·P + b·G
        let tables = OddMultiples.tables(for: [P, Q], window: PublicMultiplication.window).map(PointTables.init)
        let l = PublicMultiplication.combination(SplitNAF(ScalarSplit(a), window: 5), tables[0], SplitNAF(ScalarSplit(b), window: PublicMultiplication.generatorWindow), PublicMultiplication.generatorTables)
        let expectedL = tmul(pk, a).flatMap { tadd($0, b) }
        let rr = PublicMultiplication.combination(SplitNAF(ScalarSplit(a), window: 5), tables[0], SplitNAF(ScalarSplit(b), window: 5), tables[1])
        let expectedR = comb(tmul(pk, a)!, tmul(qk, b)!)
        let n = JacobianPoint.normalize([l, rr])
        #expect(n[0]?.compressed == expectedL.map(ser), "L \(i)")
        #expect(n[1]?.compressed == expectedR.map(ser), "R \(i)")
    }
}

@Test func exceptionalCasesMatch() {
    var r = SeededRNG(seed: 5)
    for _ in 0..<200 {
        let k = randomScalar(&r)
        let pk = libPoint(k)
        let P = AffinePoint(compressed: ser(pk))!
        let t = OddMultiples.tables(for: [P, P, P.negated], window: 5).map(PointTables.init)
        let a = randomScalar(&r)
        let aBig = BigUInt(Data(a))
        // a·P + (n − a)·P = infinity; a·P + a·P = 2a·P; a·P + a·(−P) = infinity.
        let negA = bytes32(N - aBig)
        #expect(PublicMultiplication.combination(SplitNAF(ScalarSplit(a), window: 5), t[0], SplitNAF(ScalarSplit(negA), window: 5), t[1]).isInfinity)
        #expect(PublicMultiplication.combination(SplitNAF(ScalarSplit(a), window: 5), t[0], SplitNAF(ScalarSplit(a), window: 5), t[2]).isInfinity)
        let twoA = bytes32((aBig * 2) % N)
        let d = PublicMultiplication.combination(SplitNAF(ScalarSplit(a), window: 5), t[0], SplitNAF(ScalarSplit(a), window: 5), t[1])
        #expect(JacobianPoint.normalize([d])[0]?.compressed == tmul(pk, twoA).map(ser))
        // k·G + (n − k)·G = infinity against the generator table (same base twice).
        let g = PointTables(OddMultiples.tables(for: [.generator], window: 5)[0])
        #expect(PublicMultiplication.combination(SplitNAF(ScalarSplit(k), window: 5), g, SplitNAF(ScalarSplit(bytes32(N - BigUInt(Data(k)))), window: PublicMultiplication.generatorWindow), PublicMultiplication.generatorTables).isInfinity)
        // a·G + b·G equals (a+b)·G
        let b = randomScalar(&r)
        let sum = (aBig + BigUInt(Data(b))) % N
        let e = PublicMultiplication.combination(SplitNAF(ScalarSplit(a), window: 5), g, SplitNAF(ScalarSplit(b), window: PublicMultiplication.generatorWindow), PublicMultiplication.generatorTables)
        #expect(JacobianPoint.normalize([e])[0]?.compressed == (sum == 0 ? nil : ser(libPoint(bytes32(sum)))))
    }
}

@Test func rfc6979MatchesLibsecpNonces() {
    var r = SeededRNG(seed: 6)
    for i in 0..<3000 {
        var key = randomScalar(&r)
        var msg = r.bytes(32)
        if i % 7 == 0 { msg = bytes32(N + BigUInt(r.next() % 1000)) }  // message ≥ N is reduced
        if i % 11 == 0 { msg = [UInt8](repeating: 0xff, count: 32) }
        if i % 13 == 0 { key = bytes32(N - 1) }
        let counter = UInt32(r.next() % 4)
        var a = [UInt8](repeating: 0, count: 32), b = [UInt8](repeating: 1, count: 32)
        let ra = secp256k1_nonce_function_rfc6979!(&a, msg, key, nil, nil, counter)
        let rb = RFC6979.nonceFunction(&b, msg, key, nil, nil, counter)
        #expect(ra == rb && a == b, "nonce \(i)")
    }
    // Signatures through libsecp256k1 with either nonce function agree.
    for _ in 0..<500 {
        let key = randomScalar(&r), digest = r.bytes(32)
        func sign(_ f: secp256k1_nonce_function) -> [UInt8] {
            var sig = secp256k1_ecdsa_signature(); _ = secp256k1_ecdsa_sign(ctx, &sig, digest, key, f, nil)
            var out = [UInt8](repeating: 0, count: 64); _ = secp256k1_ecdsa_signature_serialize_compact(ctx, &out, &sig); return out
        }
        #expect(sign(secp256k1_nonce_function_rfc6979) == sign(RFC6979.nonceFunction))
    }
}

@Test func combTablesMatchLibsecp() {
    var r = SeededRNG(seed: 7)
    for i in 0..<600 {
        let pk = libPoint(randomScalar(&r)), qk = libPoint(randomScalar(&r))
        let P = AffinePoint(compressed: ser(pk))!, Q = AffinePoint(compressed: ser(qk))!
        var a = randomScalar(&r), b = randomScalar(&r)
        // Scalars with every tooth set, or only the top and bottom column.
        if i % 50 == 1 { a = bytes32(N - 1) }
        if i % 50 == 2 { b = bytes32((BigUInt(1) << 255) + 1) }
        let combP = CombTable(base: P), combQ = CombTable(base: Q)
        let l = CombTable.combination(a, combP, b, .generator)
        let rr = CombTable.combination(a, combP, b, combQ)
        let n = JacobianPoint.normalize([l, rr])
        #expect(n[0]?.compressed == tmul(pk, a).flatMap { tadd($0, b) }.map(ser), "L \(i)")
        #expect(n[1]?.compressed == comb(tmul(pk, a)!, tmul(qk, b)!).map(ser), "R \(i)")
        // Entry v − 1 is (Σ 2^(32·i) over the bits i of v)·P.
        let v = Int(r.next() % 255) + 1
        let multiplier = (0..<8).filter { v >> $0 & 1 == 1 }.reduce(BigUInt(0)) { $0 + (BigUInt(1) << (32 * $1)) }
        #expect(combP.points[v - 1].compressed == tmul(pk, bytes32(multiplier)).map(ser), "entry \(v)")
    }
}

@Test func combExceptionalCasesMatch() {
    var r = SeededRNG(seed: 8)
    for _ in 0..<100 {
        let pk = libPoint(randomScalar(&r))
        let P = AffinePoint(compressed: ser(pk))!
        let t = CombTable(base: P), tNeg = CombTable(base: P.negated)
        let a = randomScalar(&r)
        let aBig = BigUInt(Data(a))
        // a·P + (n − a)·P and a·P + a·(−P) cancel; a·P + a·P doubles.
        #expect(CombTable.combination(a, t, bytes32(N - aBig), t).isInfinity)
        #expect(CombTable.combination(a, t, a, tNeg).isInfinity)
        let d = CombTable.combination(a, t, a, t)
        #expect(JacobianPoint.normalize([d])[0]?.compressed == tmul(pk, bytes32((aBig * 2) % N)).map(ser))
        // A zero scalar contributes nothing.
        let z = CombTable.combination(bytes32(0), t, a, .generator)
        #expect(JacobianPoint.normalize([z])[0]?.compressed == ser(libPoint(a)))
    }
}
