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
/// relay. Digests are computed lazily (on `root`, proofs and commit) and
/// cached per node, so inserting is a walk plus one leaf, and a root after
/// more inserts rehashes only the paths they touched.
///
/// Not thread-safe: owned by one task or actor.
public final class SparseMerkleSumTrie {
    var nodes = SMSTNodes()

    public init() {}

    /// 48-byte root: digest ‖ BE64(sum) ‖ BE64(count); 48 zero bytes when empty.
    public var root: Bytes { rootDigest.bytes }
    public var sum: UInt64 { rootDigest.sum }
    public var count: UInt64 { rootDigest.count }

    var rootDigest: SMSTDigest { nodes.digest(nodes.root) }

    /// Inserts or overwrites the leaf for `key` (path = sha256(key)).
    public func update(key: Bytes, value: Bytes, weight: UInt64) {
        nodes.insert(path: Bits256.sha256(key), value: value, weight: weight)
    }

    /// The stored leaf data (value ‖ weight ‖ 1) for `key`, if present.
    public func leafData(key: Bytes) -> Bytes? {
        nodes.leaf(at: Bits256.sha256(key)).map { nodes.data($0) }
    }

    /// Removes the leaf for `key`; throws `keyNotFound` (trie unchanged) when absent.
    /// The relay miner never deletes; this exists for completeness and the vectors.
    public func delete(key: Bytes) throws(SMSTError) {
        let path = Bits256.sha256(key)
        guard nodes.leaf(at: path) != nil else { throw .keyNotFound }
        nodes.root = nodes.remove(nodes.root, depth: 0, path: path)
    }
}

extension SMSTNodes {
    /// The leaf whose path is `path`, if present.
    func leaf(at path: Bits256) -> Index? {
        var i = root
        var depth = 0
        while i != Self.empty {
            let r = self[i]
            switch r.kind {
            case .leaf:
                return self.path(i) == path ? i : nil
            case .inner:
                i = path.bit(depth) == 0 ? r.left : r.right
                depth += 1
            case .ext:
                if let d = self.path(i).firstDifference(path, from: Int(r.start)), d < Int(r.end) { return nil }
                i = r.left
                depth = Int(r.end)
            }
        }
        return nil
    }

    // MARK: Insert (same shape as pokt-network/smt, so extension paths match)

    mutating func insert(path: Bits256, value: Bytes, weight: UInt64) {
        // Walk down, dirtying the nodes on the way, to the empty side, leaf or
        // extension where the new leaf goes; then link the new subtree in.
        var parent = Self.empty
        var goesLeft = true
        var i = root
        var depth = 0
        descend: while i != Self.empty {
            let r = self[i]
            switch r.kind {
            case .leaf:
                break descend
            case .inner:
                markDirty(i)
                parent = i
                goesLeft = path.bit(depth) == 0
                i = goesLeft ? r.left : r.right
                depth += 1
            case .ext:
                let start = Int(r.start), end = Int(r.end)
                if let d = self.path(i).firstDifference(path, from: start), d < end { break descend }
                markDirty(i)
                parent = i
                goesLeft = true
                i = r.left
                depth = end
            }
        }
        let subtree = insertBelow(i, depth: depth, path: path, value: value, weight: weight)
        if parent == Self.empty {
            root = subtree
        } else if goesLeft {
            setLeft(parent, subtree)
        } else {
            setRight(parent, subtree)
        }
    }

    /// The subtree replacing `i` (empty, a leaf, or an extension the new path leaves) once the leaf is in.
    private mutating func insertBelow(_ i: Index, depth: Int, path: Bits256, value: Bytes, weight: UInt64) -> Index {
        guard i != Self.empty else { return leaf(path: path, value: value, weight: weight) }
        let r = self[i]
        if r.kind == .leaf {
            guard let split = path.firstDifference(self.path(i), from: depth) else {
                discard(i)  // overwritten
                return leaf(path: path, value: value, weight: weight)
            }
            let newLeaf = leaf(path: path, value: value, weight: weight)
            let inner = path.bit(split) == 0 ? inner(left: newLeaf, right: i) : inner(left: i, right: newLeaf)
            // The run of shared bits becomes an extension labelled with the new leaf's path.
            return depth < split ? ext(path: path, start: depth, end: split, child: inner) : inner
        }
        // An extension whose run the new path leaves at `mismatch`: a new inner
        // node there, the old run's remainder (same path label) on its side,
        // the new leaf on the other.
        markDirty(i)
        let extPath = self.path(i)
        let start = Int(r.start), end = Int(r.end)
        let mismatch = extPath.firstDifference(path, from: start)!
        let remainder = mismatch + 1 == end ? r.left : ext(path: extPath, start: mismatch + 1, end: end, child: r.left)
        let newLeaf = leaf(path: path, value: value, weight: weight)
        let branch = extPath.bit(mismatch) == 0 ? inner(left: remainder, right: newLeaf) : inner(left: newLeaf, right: remainder)
        if mismatch == start {
            discard(i)
            return branch
        }
        setEnd(i, mismatch)
        setLeft(i, branch)
        return i
    }

    // MARK: Delete (keeps pokt-network/smt's resulting shapes; roots are canonical either way)

    mutating func remove(_ i: Index, depth: Int, path: Bits256) -> Index {
        guard i != Self.empty else { return Self.empty }
        markDirty(i)
        let r = self[i]
        switch r.kind {
        case .leaf:
            discard(i)
            return Self.empty
        case .ext:
            let newChild = remove(r.left, depth: Int(r.end), path: path)
            guard newChild != Self.empty else {
                discard(i)
                return Self.empty
            }
            switch self[newChild].kind {
            case .leaf:
                discard(i)
                return newChild
            case .ext:
                // Two runs meet: the child's run now starts where this one did.
                markDirty(newChild)
                setStart(newChild, Int(r.start))
                discard(i)
                return newChild
            case .inner:
                setLeft(i, newChild)
                return i
            }
        case .inner:
            let goLeft = path.bit(depth) == 0
            let newLeft = goLeft ? remove(r.left, depth: depth + 1, path: path) : r.left
            let newRight = goLeft ? r.right : remove(r.right, depth: depth + 1, path: path)
            for (gone, other) in [(newLeft, newRight), (newRight, newLeft)] where gone == Self.empty {
                guard other != Self.empty else {
                    discard(i)
                    return Self.empty
                }
                switch self[other].kind {
                case .leaf:
                    discard(i)
                    return other
                case .ext:
                    // Absorb this level into the extension.
                    markDirty(other)
                    setStart(other, Int(self[other].start) - 1)
                    discard(i)
                    return other
                case .inner:
                    break
                }
            }
            setLeft(i, newLeft)
            setRight(i, newRight)
            return i
        }
    }
}
