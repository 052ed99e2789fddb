/// `SparseCompactMerkleProof`: placeholder side nodes replaced by a bit mask.
public struct SparseCompactMerkleProof: Sendable, Hashable {
    public var sideNodes: [Bytes]
    public var nonMembershipLeafData: Bytes?
    public var bitMask: Bytes
    public var numSideNodes: Int
    public var siblingData: Bytes?

    public init(sideNodes: [Bytes], nonMembershipLeafData: Bytes?, bitMask: Bytes, numSideNodes: Int, siblingData: Bytes?) {
        self.sideNodes = sideNodes
        self.nonMembershipLeafData = nonMembershipLeafData
        self.bitMask = bitMask
        self.numSideNodes = numSideNodes
        self.siblingData = siblingData
    }
}

/// `SparseCompactMerkleClosestProof`: the form the chain receives (gob-encoded).
/// Depth and flipped bits are minimal big-endian byte strings.
public struct SparseCompactMerkleClosestProof: Sendable, Hashable {
    public var path: Bytes
    public var flippedBits: [Bytes]
    public var depth: Bytes
    public var closestPath: Bytes
    public var closestValueHash: Bytes?
    public var closestProof: SparseCompactMerkleProof

    public init(path: Bytes, flippedBits: [Bytes], depth: Bytes, closestPath: Bytes, closestValueHash: Bytes?, closestProof: SparseCompactMerkleProof) {
        self.path = path
        self.flippedBits = flippedBits
        self.depth = depth
        self.closestPath = closestPath
        self.closestValueHash = closestValueHash
        self.closestProof = closestProof
    }
}

/// Why a proof is malformed or does not verify.
public enum SMSTProofError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidPath(length: Int)
    case invalidDepth(String)
    case invalidFlippedBit(String)
    case invalidNumSideNodes(Int)
    case invalidBitMask(expected: Int, got: Int)
    case sideNodeCountMismatch(expected: Int, got: Int)
    case invalidSideNode(index: Int, length: Int)
    case closestPathMismatch
    case siblingDataMismatch
    case tooManySideNodes(Int)
    case missingValue
    case rootMismatch
    case gob(String)

    public var description: String {
        switch self {
        case .invalidPath(let n): return "proof path must be 32 bytes, got \(n)"
        case .invalidDepth(let m): return "invalid proof depth: \(m)"
        case .invalidFlippedBit(let m): return "invalid flipped bit: \(m)"
        case .invalidNumSideNodes(let n): return "invalid number of side nodes \(n)"
        case .invalidBitMask(let e, let g): return "bit mask must be \(e) bytes, got \(g)"
        case .sideNodeCountMismatch(let e, let g): return "expected \(e) non-placeholder side nodes, got \(g)"
        case .invalidSideNode(let i, let n): return "side node \(i) must be 48 bytes, got \(n)"
        case .closestPathMismatch: return "closest path does not match the proof path up to the proof depth"
        case .siblingDataMismatch: return "sibling data does not hash to the first side node"
        case .tooManySideNodes(let n): return "too many side nodes (\(n))"
        case .missingValue: return "closest proof carries no leaf value"
        case .rootMismatch: return "proof does not lead to the claimed root"
        case .gob(let m): return "proof bytes are not a valid gob closest proof: \(m)"
        }
    }
}

enum MinimalBytes {
    /// Go's `intToBytes`: minimal big-endian bytes, at least one byte.
    static func encode(_ value: Int) -> Bytes {
        var v = UInt64(value)
        var out: Bytes = []
        repeat {
            out.insert(UInt8(v & 0xff), at: 0)
            v >>= 8
        } while v > 0
        return out
    }

    static func decode(_ bytes: Bytes) -> Int {
        bytes.reduce(0) { $0 << 8 | Int($1) }
    }
}

extension SparseMerkleClosestProof {
    /// Drops placeholder side nodes into a bit mask (docs/protocol.md#closest-proofs).
    public func compacted() -> SparseCompactMerkleClosestProof {
        let nodes = closestProof.sideNodes
        var mask = Bytes(repeating: 0, count: (nodes.count + 7) / 8)
        var kept: [Bytes] = []
        for (i, node) in nodes.enumerated() {
            if node == SMSTHashing.placeholder {
                mask[i >> 3] |= 1 << (7 - UInt8(i & 7))
            } else {
                kept.append(node)
            }
        }
        let compact = SparseCompactMerkleProof(sideNodes: kept, nonMembershipLeafData: closestProof.nonMembershipLeafData,
                                               bitMask: mask, numSideNodes: nodes.count, siblingData: closestProof.siblingData)
        return SparseCompactMerkleClosestProof(path: path, flippedBits: flippedBits.map(MinimalBytes.encode), depth: MinimalBytes.encode(depth),
                                               closestPath: closestPath, closestValueHash: closestValueHash, closestProof: compact)
    }
}

extension SparseCompactMerkleClosestProof {
    /// Checks the chain's structural limits, then expands the bit mask (docs/protocol.md#proof-verification steps 1–2).
    public func decompacted() throws(SMSTProofError) -> SparseMerkleClosestProof {
        guard path.count == SMSTHashing.pathSize else { throw .invalidPath(length: path.count) }
        guard depth.count <= 2 else { throw .invalidDepth("\(depth.count) bytes") }
        for bit in flippedBits where bit.count > 2 { throw .invalidFlippedBit("\(bit.count) bytes") }
        let p = closestProof
        guard p.numSideNodes >= 0, p.numSideNodes <= 256 else { throw .invalidNumSideNodes(p.numSideNodes) }
        let maskBytes = (p.numSideNodes + 7) / 8
        guard p.bitMask.count == maskBytes else { throw .invalidBitMask(expected: maskBytes, got: p.bitMask.count) }
        if p.numSideNodes > 0 {
            let placeholders = p.bitMask.reduce(0) { $0 + $1.nonzeroBitCount }
            guard p.sideNodes.count == p.numSideNodes - placeholders else {
                throw .sideNodeCountMismatch(expected: p.numSideNodes - placeholders, got: p.sideNodes.count)
            }
        }
        var expanded: [Bytes] = []
        var next = 0
        for i in 0..<p.numSideNodes {
            if (p.bitMask[i >> 3] >> (7 - UInt8(i & 7))) & 1 == 1 {
                expanded.append(SMSTHashing.placeholder)
            } else {
                guard next < p.sideNodes.count else { throw .sideNodeCountMismatch(expected: p.numSideNodes, got: p.sideNodes.count) }
                expanded.append(p.sideNodes[next])
                next += 1
            }
        }
        return SparseMerkleClosestProof(
            path: path, flippedBits: flippedBits.map(MinimalBytes.decode), depth: MinimalBytes.decode(depth),
            closestPath: closestPath, closestValueHash: closestValueHash,
            closestProof: SparseMerkleProof(sideNodes: expanded, nonMembershipLeafData: p.nonMembershipLeafData, siblingData: p.siblingData))
    }
}
