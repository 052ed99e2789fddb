/// A node of the in-memory trie. The shape mirrors pokt-network/smt
/// (leaves, two-way inner nodes, extension nodes compressing single-child
/// runs) because one detail of the proof bytes — the `path` an extension
/// node carries — depends on how the trie was built, and the chain receives
/// those bytes.
final class SMSTNode {
    enum Kind {
        case leaf(path: Bytes, data: Bytes)
        case inner(left: SMSTNode?, right: SMSTNode?)
        /// Bits [start, end) all follow `path`; `child` sits at depth `end`.
        case ext(path: Bytes, start: Int, end: Int, child: SMSTNode)
    }

    var kind: Kind
    /// Cached 48-byte digest; nil when dirty.
    var cachedDigest: Bytes?
    /// Key under which the node was last committed to a store (nil = never).
    var storedKey: Bytes?

    init(_ kind: Kind) { self.kind = kind }

    static func leaf(path: Bytes, data: Bytes) -> SMSTNode { SMSTNode(.leaf(path: path, data: data)) }

    func invalidate() {
        cachedDigest = nil
    }

    var isLeaf: Bool {
        if case .leaf = kind { return true }
        return false
    }

    /// The digest (extension nodes digest as their expanded inner chain).
    var digest: Bytes {
        if let d = cachedDigest { return d }
        let d: Bytes
        switch kind {
        case .leaf(let path, let data):
            d = SMSTHashing.leafDigest(path: path, data: data)
        case .inner(let left, let right):
            d = SMSTHashing.innerDigest(left: left?.digest ?? SMSTHashing.placeholder, right: right?.digest ?? SMSTHashing.placeholder)
        case .ext(let path, let start, let end, let child):
            var cur = child.digest
            var level = end - 1
            while level >= start {
                cur = SMSTHashing.bit(path, level) == 0
                    ? SMSTHashing.innerDigest(left: cur, right: SMSTHashing.placeholder)
                    : SMSTHashing.innerDigest(left: SMSTHashing.placeholder, right: cur)
                level -= 1
            }
            d = cur
        }
        cachedDigest = d
        return d
    }

    /// The node's encoding (what `SiblingData` carries and what a store keeps).
    var encoding: Bytes {
        switch kind {
        case .leaf(let path, let data):
            return [SMSTHashing.leafPrefix] + path + data
        case .inner(let left, let right):
            let d = digest
            return [SMSTHashing.innerPrefix] + (left?.digest ?? SMSTHashing.placeholder)
                + (right?.digest ?? SMSTHashing.placeholder) + d[32...]
        case .ext(let path, let start, let end, let child):
            let d = digest
            return [SMSTHashing.extensionPrefix, UInt8(start), UInt8(end)] + path + child.digest + d[32...]
        }
    }
}
