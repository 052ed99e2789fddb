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
        let deleted = orphanKeys
        for key in deleted { try store.delete(key) }
        orphanKeys = []
        var written: [(key: Bytes, value: Bytes)] = []
        func visit(_ node: SMSTNode?) throws(SMSTError) {
            guard let node, node.storedKey == nil else { return }
            switch node.kind {
            case .leaf: break
            case .inner(let l, let r):
                try visit(l)
                try visit(r)
            case .ext(_, _, _, let child):
                try visit(child)
            }
            let key = Array(node.digest.prefix(32))
            let value = node.encoding
            try store.set(key, value)
            node.storedKey = key
            written.append((key, value))
        }
        try visit(rootNode)
        return SMSTChangeSet(written: written, deleted: deleted)
    }

    /// Re-opens a committed trie from its 48-byte root.
    public static func open(root: Bytes, store: any SMSTNodeStore) throws(SMSTError) -> SparseMerkleSumTrie {
        let trie = SparseMerkleSumTrie()
        guard root != SMSTHashing.placeholder else { return trie }
        trie.rootNode = try load(digest: root, store: store)
        return trie
    }

    private static func load(digest: Bytes, store: any SMSTNodeStore) throws(SMSTError) -> SMSTNode? {
        if digest == SMSTHashing.placeholder { return nil }
        let key = Array(digest.prefix(32))
        guard let encoding = try store.get(key) else { throw .corruptNode(key: key.hex, reason: "missing from store") }
        guard let first = encoding.first else { throw .corruptNode(key: key.hex, reason: "empty encoding") }
        let node: SMSTNode
        switch first {
        case SMSTHashing.leafPrefix:
            guard encoding.count >= 1 + 32 + 16 else { throw .corruptNode(key: key.hex, reason: "short leaf") }
            node = .leaf(path: Array(encoding[1..<33]), data: Array(encoding[33...]))
        case SMSTHashing.innerPrefix:
            guard encoding.count == 1 + 48 + 48 + 16 else { throw .corruptNode(key: key.hex, reason: "bad inner length") }
            node = SMSTNode(.inner(left: try load(digest: Array(encoding[1..<49]), store: store),
                                   right: try load(digest: Array(encoding[49..<97]), store: store)))
        case SMSTHashing.extensionPrefix:
            guard encoding.count == 1 + 2 + 32 + 48 + 16, let child = try load(digest: Array(encoding[35..<83]), store: store) else {
                throw .corruptNode(key: key.hex, reason: "bad extension")
            }
            node = SMSTNode(.ext(path: Array(encoding[3..<35]), start: Int(encoding[1]), end: Int(encoding[2]), child: child))
        default:
            throw .corruptNode(key: key.hex, reason: "unknown node prefix \(first)")
        }
        guard node.digest == digest else { throw .corruptNode(key: key.hex, reason: "digest mismatch") }
        node.storedKey = key
        return node
    }
}
