/// Where committed trie nodes live. Synchronous on purpose: the protocol
/// layer does no I/O. A runtime that keeps nodes in Redis mirrors the change
/// set returned by `commit` (one pipelined HSET/HDEL) and reloads by
/// fetching the hash into a `MemoryNodeStore` before `open`.
public protocol SMSTNodeStore: AnyObject {
    func get(_ key: Bytes) throws(SMSTError) -> Bytes?
    func set(_ key: Bytes, _ value: Bytes) throws(SMSTError)
    func delete(_ key: Bytes) throws(SMSTError)
}

/// Node storage in memory (also the staging area for Redis-backed tries).
public final class MemoryNodeStore: SMSTNodeStore {
    public private(set) var nodes: [Bytes: Bytes] = [:]

    public init(nodes: [Bytes: Bytes] = [:]) { self.nodes = nodes }

    public var count: Int { nodes.count }
    public func get(_ key: Bytes) -> Bytes? { nodes[key] }
    public func set(_ key: Bytes, _ value: Bytes) { nodes[key] = value }
    public func delete(_ key: Bytes) { nodes[key] = nil }
}

/// What a commit changed: node key (the 32-byte hash of its digest) → encoding.
public struct SMSTChangeSet: Sendable {
    public var written: [(key: Bytes, value: Bytes)]
    public var deleted: [Bytes]
}

extension SparseMerkleSumTrie {
    /// Writes every node not yet stored and deletes replaced ones; returns the changes.
    @discardableResult
    public func commit(to store: any SMSTNodeStore) throws(SMSTError) -> SMSTChangeSet {
        let deleted = nodes.orphanKeys
        for key in deleted { try store.delete(key) }
        nodes.orphanKeys = []
        var written: [(key: Bytes, value: Bytes)] = []
        func visit(_ i: SMSTNodes.Index) throws(SMSTError) {
            guard i != SMSTNodes.empty, !nodes.isStored(i) else { return }
            let r = nodes[i]
            if r.kind != .leaf {
                try visit(r.left)
                try visit(r.right)
            }
            let key = nodes.digest(i).hash.bytes
            let value = nodes.encoding(i)
            try store.set(key, value)
            nodes.markStored(i)
            written.append((key, value))
        }
        try visit(nodes.root)
        return SMSTChangeSet(written: written, deleted: deleted)
    }

    /// Re-opens a committed trie from its 48-byte root.
    public static func open(root: Bytes, store: any SMSTNodeStore) throws(SMSTError) -> SparseMerkleSumTrie {
        let trie = SparseMerkleSumTrie()
        guard root != SMSTHashing.placeholder else { return trie }
        trie.nodes.root = try trie.nodes.load(digest: root, store: store)
        return trie
    }
}

extension SMSTNodes {
    fileprivate mutating func load(digest: Bytes, store: any SMSTNodeStore) throws(SMSTError) -> Index {
        if digest == SMSTHashing.placeholder { return Self.empty }
        let key = Array(digest.prefix(32))
        guard let encoding = try store.get(key) else { throw .corruptNode(key: key.hex, reason: "missing from store") }
        guard let first = encoding.first else { throw .corruptNode(key: key.hex, reason: "empty encoding") }
        let node: Index
        switch first {
        case SMSTHashing.leafPrefix:
            guard encoding.count >= 1 + 32 + 16 else { throw .corruptNode(key: key.hex, reason: "short leaf") }
            node = leaf(path: Bits256(encoding[1..<33]), data: Array(encoding[33...]))
        case SMSTHashing.innerPrefix:
            guard encoding.count == 1 + 48 + 48 + 16 else { throw .corruptNode(key: key.hex, reason: "bad inner length") }
            let left = try load(digest: Array(encoding[1..<49]), store: store)
            node = inner(left: left, right: try load(digest: Array(encoding[49..<97]), store: store))
        case SMSTHashing.extensionPrefix:
            guard encoding.count == 1 + 2 + 32 + 48 + 16 else { throw .corruptNode(key: key.hex, reason: "bad extension") }
            let child = try load(digest: Array(encoding[35..<83]), store: store)
            guard child != Self.empty else { throw .corruptNode(key: key.hex, reason: "bad extension") }
            node = ext(path: Bits256(encoding[3..<35]), start: Int(encoding[1]), end: Int(encoding[2]), child: child)
        default:
            throw .corruptNode(key: key.hex, reason: "unknown node prefix \(first)")
        }
        guard self.digest(node).bytes == digest else { throw .corruptNode(key: key.hex, reason: "digest mismatch") }
        markStored(node)
        return node
    }
}
