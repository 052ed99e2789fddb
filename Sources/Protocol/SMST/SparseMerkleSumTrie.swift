/// Why a trie operation failed.
public enum SMSTError: Error, Sendable, Equatable, CustomStringConvertible {
    case keyNotFound
    case invalidPathLength(Int)
    case store(String)
    case corruptNode(key: String, reason: String)

    public var description: String {
        switch self {
        case .keyNotFound: return "key not found in the trie"
        case .invalidPathLength(let n): return "proof path must be 32 bytes, got \(n)"
        case .store(let m): return "trie store error: \(m)"
        case .corruptNode(let k, let r): return "corrupt trie node \(k): \(r)"
        }
    }
}

/// The sparse merkle sum trie of one (supplier, session): keys are relay
/// hashes, values the relay bytes, weights the service's compute units per
/// relay. Digests are computed lazily (on `root`, proofs and commit), so
/// inserting is a walk and a few allocations.
///
/// Not thread-safe: owned by one task or actor.
public final class SparseMerkleSumTrie {
    var rootNode: SMSTNode?
    /// Nodes replaced since the last commit that had been stored.
    var orphanKeys: [Bytes] = []

    public init() {}

    /// 48-byte root: digest ‖ BE64(sum) ‖ BE64(count); 48 zero bytes when empty.
    public var root: Bytes { rootNode?.digest ?? SMSTHashing.placeholder }
    public var sum: UInt64 { SMSTHashing.sum(of: root) }
    public var count: UInt64 { SMSTHashing.count(of: root) }

    /// Inserts or overwrites the leaf for `key` (path = sha256(key)).
    public func update(key: Bytes, value: Bytes, weight: UInt64) {
        let path = Hash.sha256(key)
        rootNode = insert(rootNode, depth: 0, path: path, data: SMSTHashing.leafData(value: value, weight: weight))
    }

    /// The stored leaf data (value ‖ weight ‖ 1) for `key`, if present.
    public func leafData(key: Bytes) -> Bytes? {
        let path = Hash.sha256(key)
        var node = rootNode
        var depth = 0
        while let n = node {
            switch n.kind {
            case .leaf(let p, let data): return p == path ? data : nil
            case .inner(let l, let r):
                node = SMSTHashing.bit(path, depth) == 0 ? l : r
                depth += 1
            case .ext(let p, let start, let end, let child):
                for i in start..<end where SMSTHashing.bit(p, i) != SMSTHashing.bit(path, i) { return nil }
                node = child
                depth = end
            }
        }
        return nil
    }

    /// Removes the leaf for `key`; throws `keyNotFound` (trie unchanged) when absent.
    /// The relay miner never deletes; this exists for completeness and the vectors.
    public func delete(key: Bytes) throws(SMSTError) {
        let path = Hash.sha256(key)
        guard leafData(key: key) != nil else { throw .keyNotFound }
        rootNode = remove(rootNode, depth: 0, path: path)
    }

    /// Marks a node whose stored form is about to change (or vanish).
    private func orphan(_ node: SMSTNode) {
        if let key = node.storedKey { orphanKeys.append(key) }
        node.storedKey = nil
    }

    // MARK: Insert (same shape as pokt-network/smt, so extension paths match)

    private func insert(_ node: SMSTNode?, depth: Int, path: Bytes, data: Bytes) -> SMSTNode {
        guard let node else { return .leaf(path: path, data: data) }
        switch node.kind {
        case .leaf(let leafPath, _):
            let split = firstDifferingBit(path, leafPath, from: depth)
            let newLeaf = SMSTNode.leaf(path: path, data: data)
            guard let split else {
                orphan(node)  // overwritten
                return newLeaf
            }
            let inner = SMSTHashing.bit(path, split) == 0
                ? SMSTNode(.inner(left: newLeaf, right: node))
                : SMSTNode(.inner(left: node, right: newLeaf))
            if depth < split {
                // The run of shared bits becomes an extension labelled with the new leaf's path.
                return SMSTNode(.ext(path: path, start: depth, end: split, child: inner))
            }
            return inner
        case .inner(let left, let right):
            orphan(node)
            node.invalidate()
            if SMSTHashing.bit(path, depth) == 0 {
                node.kind = .inner(left: insert(left, depth: depth + 1, path: path, data: data), right: right)
            } else {
                node.kind = .inner(left: left, right: insert(right, depth: depth + 1, path: path, data: data))
            }
            return node
        case .ext(let extPath, let start, let end, let child):
            orphan(node)
            node.invalidate()
            var mismatch = start
            while mismatch < end && SMSTHashing.bit(extPath, mismatch) == SMSTHashing.bit(path, mismatch) { mismatch += 1 }
            if mismatch == end {
                node.kind = .ext(path: extPath, start: start, end: end, child: insert(child, depth: end, path: path, data: data))
                return node
            }
            // Split the run at `mismatch`: a new inner node there, the old run's
            // remainder (same path label) on its side, the new leaf on the other.
            let remainder: SMSTNode = mismatch + 1 == end ? child : SMSTNode(.ext(path: extPath, start: mismatch + 1, end: end, child: child))
            let newLeaf = SMSTNode.leaf(path: path, data: data)
            let branch = SMSTHashing.bit(extPath, mismatch) == 0
                ? SMSTNode(.inner(left: remainder, right: newLeaf))
                : SMSTNode(.inner(left: newLeaf, right: remainder))
            if mismatch == start { return branch }
            node.kind = .ext(path: extPath, start: start, end: mismatch, child: branch)
            return node
        }
    }

    private func firstDifferingBit(_ a: Bytes, _ b: Bytes, from depth: Int) -> Int? {
        var i = depth
        while i < 256 {
            if i & 7 == 0, i + 8 <= 256, a[i >> 3] == b[i >> 3] { i += 8; continue }
            if SMSTHashing.bit(a, i) != SMSTHashing.bit(b, i) { return i }
            i += 1
        }
        return nil
    }

    // MARK: Delete (keeps pokt-network/smt's resulting shapes; roots are canonical either way)

    private func remove(_ node: SMSTNode?, depth: Int, path: Bytes) -> SMSTNode? {
        guard let node else { return nil }
        orphan(node)
        node.invalidate()
        switch node.kind {
        case .leaf:
            return nil
        case .ext(let extPath, let start, let end, let child):
            let newChild = remove(child, depth: end, path: path)
            guard let newChild else { return nil }
            switch newChild.kind {
            case .leaf:
                return newChild
            case .ext(let p, _, let e, let c):
                orphan(newChild)
                newChild.invalidate()
                newChild.kind = .ext(path: p, start: start, end: e, child: c)
                return newChild
            case .inner:
                node.kind = .ext(path: extPath, start: start, end: end, child: newChild)
                return node
            }
        case .inner(let left, let right):
            let goLeft = SMSTHashing.bit(path, depth) == 0
            let newLeft = goLeft ? remove(left, depth: depth + 1, path: path) : left
            let newRight = goLeft ? right : remove(right, depth: depth + 1, path: path)
            for (gone, other) in [(newLeft, newRight), (newRight, newLeft)] where gone == nil {
                guard let other else { return nil }
                switch other.kind {
                case .leaf:
                    return other
                case .ext(let p, let s, let e, let c):
                    // Absorb this level into the extension.
                    orphan(other)
                    other.invalidate()
                    other.kind = .ext(path: p, start: s - 1, end: e, child: c)
                    return other
                case .inner:
                    break
                }
            }
            node.kind = .inner(left: newLeft, right: newRight)
            return node
        }
    }
}
