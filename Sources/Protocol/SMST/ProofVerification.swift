/// Closest-proof verification exactly as the chain performs it (docs/protocol.md#proof-verification),
/// including its quirks: an empty value with sum 0 is a non-membership proof,
/// side nodes are copied into 48-byte buffers (zero-padded or truncated)
/// unless sibling data forces a length check, and the sum/count trailing an
/// extension node's sibling data are not authenticated.
public enum SMSTProofVerifier {
    /// Structural checks of the decompacted proof (the chain's validateBasic).
    public static func validateBasic(_ proof: SparseMerkleClosestProof) throws(SMSTProofError) {
        guard proof.path.count == SMSTHashing.pathSize else { throw .invalidPath(length: proof.path.count) }
        guard proof.depth >= 0, proof.depth <= 256 else { throw .invalidDepth("\(proof.depth) outside [0, 256]") }
        var working = proof.path
        for bit in proof.flippedBits {
            // Go would index past the path for bit 256; treat it as invalid.
            guard bit >= 0, bit <= proof.depth, bit < 256 else { throw .invalidFlippedBit("\(bit) outside [0, \(proof.depth)]") }
        }
        for bit in proof.flippedBits { SMSTHashing.flipBit(&working, bit) }
        guard proof.closestPath.count * 8 >= proof.depth else { throw .closestPathMismatch }
        for i in 0..<proof.depth where SMSTHashing.bit(working, i) != SMSTHashing.bit(proof.closestPath, i) {
            throw .closestPathMismatch
        }
        let p = proof.closestProof
        guard p.sideNodes.count <= 256 else { throw .tooManySideNodes(p.sideNodes.count) }
        if let leaf = p.nonMembershipLeafData, leaf.count < 1 + SMSTHashing.pathSize {
            throw .invalidSideNode(index: -1, length: leaf.count)
        }
        if let sibling = p.siblingData, !p.sideNodes.isEmpty {
            for (i, node) in p.sideNodes.enumerated() where node.count != SMSTHashing.digestSize {
                throw .invalidSideNode(index: i, length: node.count)
            }
            guard SMSTHashing.digestOfEncoding(sibling) == p.sideNodes[0] else { throw .siblingDataMismatch }
        }
    }

    /// Recomputes the root from the proven leaf (or the placeholder for a
    /// non-membership proof) and the side nodes; throws unless it matches.
    public static func verify(_ proof: SparseMerkleClosestProof, root: Bytes) throws(SMSTProofError) {
        try validateBasic(proof)
        let p = proof.closestProof
        var current: Bytes
        let data = proof.closestValueHash ?? []
        let isNonMembership: Bool
        if data.isEmpty {
            isNonMembership = true
        } else {
            guard data.count >= 16 else { throw .missingValue }
            isNonMembership = data.count == 16 && SMSTHashing.sum(of: Bytes(repeating: 0, count: 32) + data) == 0
        }
        if isNonMembership {
            if let leaf = p.nonMembershipLeafData {
                let actualPath = Array(leaf[1..<(1 + SMSTHashing.pathSize)])
                guard actualPath != proof.closestPath else { throw .rootMismatch }
                current = SMSTHashing.leafDigest(path: actualPath, data: Array(leaf[(1 + SMSTHashing.pathSize)...]))
            } else {
                current = SMSTHashing.placeholder
            }
        } else {
            guard proof.closestPath.count >= SMSTHashing.pathSize else { throw .closestPathMismatch }
            current = SMSTHashing.leafDigest(path: Array(proof.closestPath.prefix(SMSTHashing.pathSize)), data: data)
        }
        let sides = p.sideNodes
        for (i, side) in sides.enumerated() {
            var node = Array(side.prefix(SMSTHashing.digestSize))
            if node.count < SMSTHashing.digestSize { node += Bytes(repeating: 0, count: SMSTHashing.digestSize - node.count) }
            let bitIndex = sides.count - 1 - i
            guard bitIndex >> 3 < proof.closestPath.count else { throw .closestPathMismatch }
            current = SMSTHashing.bit(proof.closestPath, bitIndex) == 0
                ? SMSTHashing.innerDigest(left: current, right: node)
                : SMSTHashing.innerDigest(left: node, right: current)
        }
        guard current == root else { throw .rootMismatch }
    }

    /// The chain's full path: gob bytes → decompact → verify.
    public static func verify(proofBytes: Bytes, root: Bytes) throws(SMSTProofError) {
        let compact = try GobClosestProofCodec.decode(proofBytes)
        try verify(try compact.decompacted(), root: root)
    }

    /// Convenience: whether the chain would accept these proof bytes for `root`.
    public static func accepts(proofBytes: Bytes, root: Bytes) -> Bool {
        do {
            try verify(proofBytes: proofBytes, root: root)
            return true
        } catch {
            return false
        }
    }
}
