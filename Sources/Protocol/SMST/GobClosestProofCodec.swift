/// The Go `encoding/gob` bytes of a `SparseCompactMerkleClosestProof`, i.e.
/// exactly what `MsgSubmitProof.proof` carries (docs/protocol.md#gob-encoding).
///
/// Encoding reproduces a fresh Go encoder byte for byte: the fixed 286-byte
/// type-definition prefix (type ids 64–66), then one value message with zero
/// values omitted. Decoding accepts that same type layout (every Go relay
/// miner emits it) and parses the value defensively: every length is checked
/// against the remaining input, so hostile bytes yield a typed error, never a
/// crash or a large allocation.
public enum GobClosestProofCodec {
    /// The type definitions a fresh Go encoder writes before the first value.
    public static let typePrefix: Bytes = try! Hex.decode(
        "ff877f0301011f537061727365436f6d706163744d65726b6c65436c6f7365737450726f6f6601ff80000106010450617468010a00010b466c69707065644269747301ff820001054465707468010a00010b436c6f7365737450617468010a000110436c6f7365737456616c756548617368010a00010c436c6f7365737450726f6f6601ff8400000017ff81020101095b5d5b5d75696e743801ff8200010a00007cff8303010118537061727365436f6d706163744d65726b6c6550726f6f6601ff840001050109536964654e6f64657301ff820001154e6f6e4d656d626572736869704c65616644617461010a0001074269744d61736b010a00010c4e756d536964654e6f646573010400010b5369626c696e6744617461010a000000")

    static let valueTypeID = 64

    // MARK: Encoding

    public static func encode(_ proof: SparseCompactMerkleClosestProof) -> Bytes {
        var body = Bytes()
        var field = FieldWriter()
        field.bytes(0, proof.path, into: &body)
        if !proof.flippedBits.isEmpty {
            field.delta(1, into: &body)
            GobWire.putUInt(UInt64(proof.flippedBits.count), into: &body)
            for b in proof.flippedBits { GobWire.putBytes(b, into: &body) }
        }
        field.bytes(2, proof.depth, into: &body)
        field.bytes(3, proof.closestPath, into: &body)
        field.bytes(4, proof.closestValueHash ?? [], into: &body)
        field.delta(5, into: &body)
        var inner = FieldWriter()
        let p = proof.closestProof
        if !p.sideNodes.isEmpty {
            inner.delta(0, into: &body)
            GobWire.putUInt(UInt64(p.sideNodes.count), into: &body)
            for n in p.sideNodes { GobWire.putBytes(n, into: &body) }
        }
        inner.bytes(1, p.nonMembershipLeafData ?? [], into: &body)
        inner.bytes(2, p.bitMask, into: &body)
        if p.numSideNodes != 0 {
            inner.delta(3, into: &body)
            GobWire.putInt(Int64(p.numSideNodes), into: &body)
        }
        inner.bytes(4, p.siblingData ?? [], into: &body)
        body.append(0)  // end of ClosestProof
        body.append(0)  // end of the outer struct
        var message = Bytes()
        GobWire.putInt(Int64(valueTypeID), into: &message)
        message += body
        var out = typePrefix
        GobWire.putUInt(UInt64(message.count), into: &out)
        out += message
        return out
    }

    /// Writes field deltas the way gob numbers struct fields.
    private struct FieldWriter {
        var last = -1
        mutating func delta(_ field: Int, into out: inout Bytes) {
            GobWire.putUInt(UInt64(field - last), into: &out)
            last = field
        }
        /// A `[]byte` field, omitted when empty (gob's zero value).
        mutating func bytes(_ field: Int, _ value: Bytes, into out: inout Bytes) {
            guard !value.isEmpty else { return }
            delta(field, into: &out)
            GobWire.putBytes(value, into: &out)
        }
    }

    // MARK: Decoding

    public static func decode(_ bytes: Bytes) throws(SMSTProofError) -> SparseCompactMerkleClosestProof {
        guard bytes.count > typePrefix.count, bytes.starts(with: typePrefix) else {
            throw .gob("unsupported type definitions (expected the standard SparseCompactMerkleClosestProof layout)")
        }
        var r = GobReader(bytes: bytes, offset: typePrefix.count)
        let length = try r.uint()
        guard length <= UInt64(r.remaining), length > 0 else { throw .gob("value message length \(length) exceeds input") }
        var m = GobReader(bytes: bytes, offset: r.offset, end: r.offset + Int(length))
        let typeID = try m.int()
        guard typeID == Int64(valueTypeID) else { throw .gob("value of type id \(typeID), expected \(valueTypeID)") }
        var proof = SparseCompactMerkleClosestProof(path: [], flippedBits: [], depth: [], closestPath: [], closestValueHash: nil,
                                                    closestProof: SparseCompactMerkleProof(sideNodes: [], nonMembershipLeafData: nil, bitMask: [], numSideNodes: 0, siblingData: nil))
        var sawClosestProof = false
        var field = -1
        while true {
            let delta = try m.uint()
            if delta == 0 { break }
            guard delta <= 6 else { throw .gob("field delta \(delta) out of range") }
            field += Int(delta)
            switch field {
            case 0: proof.path = try m.byteString()
            case 1: proof.flippedBits = try m.byteSlices()
            case 2: proof.depth = try m.byteString()
            case 3: proof.closestPath = try m.byteString()
            case 4: proof.closestValueHash = try m.byteString()
            case 5:
                proof.closestProof = try decodeInner(&m)
                sawClosestProof = true
            default: throw .gob("unknown field \(field) of SparseCompactMerkleClosestProof")
            }
        }
        guard sawClosestProof else { throw .gob("missing ClosestProof") }
        return proof
    }

    private static func decodeInner(_ m: inout GobReader) throws(SMSTProofError) -> SparseCompactMerkleProof {
        var p = SparseCompactMerkleProof(sideNodes: [], nonMembershipLeafData: nil, bitMask: [], numSideNodes: 0, siblingData: nil)
        var field = -1
        while true {
            let delta = try m.uint()
            if delta == 0 { return p }
            guard delta <= 5 else { throw .gob("field delta \(delta) out of range") }
            field += Int(delta)
            switch field {
            case 0: p.sideNodes = try m.byteSlices()
            case 1: p.nonMembershipLeafData = try m.byteString()
            case 2: p.bitMask = try m.byteString()
            case 3:
                let n = try m.int()
                guard n >= Int64(Int32.min), n <= Int64(Int32.max) else { throw .gob("NumSideNodes \(n) out of range") }
                p.numSideNodes = Int(n)
            case 4: p.siblingData = try m.byteString()
            default: throw .gob("unknown field \(field) of SparseCompactMerkleProof")
            }
        }
    }
}

/// Gob's primitive encodings.
enum GobWire {
    /// Unsigned: < 128 in one byte; otherwise (256 − n) then n big-endian bytes.
    static func putUInt(_ v: UInt64, into out: inout Bytes) {
        if v < 128 {
            out.append(UInt8(v))
            return
        }
        var be: Bytes = []
        var x = v
        while x > 0 { be.insert(UInt8(x & 0xff), at: 0); x >>= 8 }
        out.append(UInt8(truncatingIfNeeded: 256 - be.count))
        out += be
    }

    /// Signed: zig-zag style (`i << 1`, or `(^i << 1) | 1` when negative).
    static func putInt(_ v: Int64, into out: inout Bytes) {
        let u: UInt64 = v < 0 ? (UInt64(bitPattern: ~v) << 1) | 1 : UInt64(v) << 1
        putUInt(u, into: &out)
    }

    static func putBytes(_ b: Bytes, into out: inout Bytes) {
        putUInt(UInt64(b.count), into: &out)
        out += b
    }
}

/// A bounds-checked cursor over gob bytes.
struct GobReader {
    let bytes: Bytes
    var offset: Int
    let end: Int

    init(bytes: Bytes, offset: Int, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }

    mutating func byte() throws(SMSTProofError) -> UInt8 {
        guard offset < end else { throw .gob("unexpected end of input at byte \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint() throws(SMSTProofError) -> UInt64 {
        let first = try byte()
        if first < 128 { return UInt64(first) }
        let n = 256 - Int(first)
        guard n <= 8 else { throw .gob("invalid uint length byte \(first)") }
        var v: UInt64 = 0
        for _ in 0..<n { v = v << 8 | UInt64(try byte()) }
        return v
    }

    mutating func int() throws(SMSTProofError) -> Int64 {
        let u = try uint()
        return u & 1 == 1 ? ~Int64(bitPattern: u >> 1) : Int64(bitPattern: u >> 1)
    }

    mutating func byteString() throws(SMSTProofError) -> Bytes {
        let n = try uint()
        guard n <= UInt64(remaining) else { throw .gob("byte string of \(n) bytes exceeds the \(remaining) remaining") }
        defer { offset += Int(n) }
        return Array(bytes[offset..<(offset + Int(n))])
    }

    mutating func byteSlices() throws(SMSTProofError) -> [Bytes] {
        let n = try uint()
        // Each element needs at least one length byte.
        guard n <= UInt64(remaining) else { throw .gob("slice of \(n) elements exceeds the \(remaining) remaining bytes") }
        var out: [Bytes] = []
        out.reserveCapacity(Int(n))
        for _ in 0..<n { out.append(try byteString()) }
        return out
    }
}
