/// `SparseMerkleProof`: side nodes deepest-first, plus the encoding of the
/// deepest sibling node (optional for verification).
public struct SparseMerkleProof: Sendable, Hashable {
    public var sideNodes: [Bytes]
    public var nonMembershipLeafData: Bytes?
    public var siblingData: Bytes?

    public init(sideNodes: [Bytes], nonMembershipLeafData: Bytes? = nil, siblingData: Bytes? = nil) {
        self.sideNodes = sideNodes
        self.nonMembershipLeafData = nonMembershipLeafData
        self.siblingData = siblingData
    }
}

/// `SparseMerkleClosestProof`: proves the leaf closest to `path` (the one
/// reached by following `path`, flipping a bit wherever that side is empty).
public struct SparseMerkleClosestProof: Sendable, Hashable {
    public var path: Bytes
    public var flippedBits: [Int]
    public var depth: Int
    public var closestPath: Bytes
    /// value ‖ BE64(weight) ‖ BE64(1) of the proven leaf; nil for an empty trie.
    public var closestValueHash: Bytes?
    public var closestProof: SparseMerkleProof

    public init(path: Bytes, flippedBits: [Int], depth: Int, closestPath: Bytes, closestValueHash: Bytes?, closestProof: SparseMerkleProof) {
        self.path = path
        self.flippedBits = flippedBits
        self.depth = depth
        self.closestPath = closestPath
        self.closestValueHash = closestValueHash
        self.closestProof = closestProof
    }

    /// The relay bytes the chain extracts (value hash without weight and count).
    public var value: Bytes? {
        guard let v = closestValueHash, v.count >= 16 else { return nil }
        return Array(v[..<(v.count - 16)])
    }

    public var weight: UInt64? {
        guard let v = closestValueHash, v.count >= 16 else { return nil }
        return ByteOrder.readBigEndian64(v, at: v.count - 16)
    }
}

extension SparseMerkleSumTrie {
    /// The closest proof for `path` (docs/protocol.md#closest-proofs): what a supplier submits, with
    /// `path` derived from the proof-window seed block hash and the session id.
    public func proveClosest(path: Bytes) throws(SMSTError) -> SparseMerkleClosestProof {
        guard path.count == SMSTHashing.pathSize else { throw .invalidPathLength(path.count) }
        guard nodes.root != SMSTNodes.empty else {
            // Go flips bit 0 when it steps back from the empty root; kept for byte equality.
            return SparseMerkleClosestProof(path: path, flippedBits: [0], depth: 0, closestPath: SMSTHashing.placeholder,
                                            closestValueHash: nil, closestProof: SparseMerkleProof(sideNodes: []))
        }
        var node = nodes.root
        var working = Bits256(path)
        var depth = 0
        var flipped: [Int] = []
        var siblings: [SMSTNodes.Index] = []
        var lastSibling = SMSTNodes.empty
        func flip(_ i: Int) {
            working.flipBit(i)
            flipped.append(i)
        }
        walk: while true {
            let r = nodes[node]
            switch r.kind {
            case .leaf:
                let sideNodes = siblings.reversed().map { nodes.digest($0).bytes }
                let siblingData = lastSibling == SMSTNodes.empty ? nil : nodes.encoding(lastSibling)
                return SparseMerkleClosestProof(
                    path: path, flippedBits: flipped, depth: depth, closestPath: nodes.path(node).bytes, closestValueHash: nodes.data(node),
                    closestProof: SparseMerkleProof(sideNodes: sideNodes, siblingData: siblingData))
            case .ext:
                let extPath = nodes.path(node)
                for i in Int(r.start)..<Int(r.end) {
                    if working.bit(i) != extPath.bit(i) { flip(i) }
                    siblings.append(SMSTNodes.empty)
                    lastSibling = SMSTNodes.empty
                }
                depth = Int(r.end)
                node = r.left
            case .inner:
                var goLeft = working.bit(depth) == 0
                if (goLeft ? r.left : r.right) == SMSTNodes.empty {
                    // Only reachable after deletes: take the other side, like an empty run.
                    flip(depth)
                    goLeft.toggle()
                }
                let next = goLeft ? r.left : r.right
                guard next != SMSTNodes.empty else { break walk }
                let sibling = goLeft ? r.right : r.left
                siblings.append(sibling)
                lastSibling = sibling
                depth += 1
                node = next
            }
        }
        // An inner node with no children cannot be produced by update/delete.
        throw .corruptNode(key: "root", reason: "inner node without children")
    }
}
