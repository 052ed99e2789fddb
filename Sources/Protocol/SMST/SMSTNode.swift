/// The in-memory nodes of a trie. The shape mirrors pokt-network/smt
/// (leaves, two-way inner nodes, extension nodes compressing single-child
/// runs) because one detail of the proof bytes — the `path` an extension
/// node carries — depends on how the trie was built, and the chain receives
/// those bytes.
///
/// Nodes live in parallel arrays addressed by index, not as objects: a walk
/// down the trie reads one 12-byte record per level (no reference counting,
/// good locality), and paths, digests and leaf values sit in their own
/// arrays, read only where needed. A leaf keeps its value by reference (no
/// copy) and is hashed once, when it is created; inner and extension digests
/// are computed lazily and cached until a change below them.
struct SMSTNodes {
    typealias Index = Int32
    /// An empty subtree.
    static let empty: Index = -1

    enum Kind: UInt8 { case leaf, inner, ext }

    struct Record {
        /// inner: left side; ext: the child.
        var left: Index
        /// inner: right side.
        var right: Index
        var kind: Kind
        /// ext: bits [start, end) all follow the node's path; the child sits at depth `end`.
        var start: UInt8
        var end: UInt8
        /// The cached digest is current.
        var isClean: Bool
    }

    private(set) var records: [Record] = []
    /// leaf: the leaf's path; ext: the path its run follows.
    private(set) var paths: [Bits256] = []
    /// leaf: the value (its weight and count are the digest's sum and count).
    private var values: [Bytes] = []
    /// Valid where the record is clean; always valid for leaves.
    private var digests: [SMSTDigest] = []
    /// Whether the node is in a store under its digest's hash (a stored node is clean).
    private var stored: [Bool] = []
    private var freeSlots: [Index] = []

    var root: Index = empty
    /// Keys of stored nodes replaced since the last commit.
    var orphanKeys: [Bytes] = []

    subscript(_ i: Index) -> Record { records[Int(i)] }
    func path(_ i: Index) -> Bits256 { paths[Int(i)] }
    /// A leaf's data: value ‖ BE64(weight) ‖ BE64(count).
    func data(_ i: Index) -> Bytes {
        let d = digests[Int(i)]
        return values[Int(i)] + ByteOrder.bigEndian64(d.sum) + ByteOrder.bigEndian64(d.count)
    }
    func isStored(_ i: Index) -> Bool { stored[Int(i)] }

    // MARK: Allocation

    private mutating func allocate(_ record: Record, path: Bits256, value: Bytes = [], digest: SMSTDigest = .placeholder) -> Index {
        if let slot = freeSlots.popLast() {
            let i = Int(slot)
            records[i] = record
            paths[i] = path
            values[i] = value
            digests[i] = digest
            stored[i] = false
            return slot
        }
        records.append(record)
        paths.append(path)
        values.append(value)
        digests.append(digest)
        stored.append(false)
        return Index(records.count - 1)
    }

    /// A leaf with data `value ‖ BE64(weight) ‖ BE64(count)`.
    mutating func leaf(path: Bits256, value: Bytes, weight: UInt64, count: UInt64 = 1) -> Index {
        allocate(Record(left: Self.empty, right: Self.empty, kind: .leaf, start: 0, end: 0, isClean: true), path: path,
                 value: value, digest: .leaf(path: path, value: value, weight: weight, count: count))
    }

    /// A leaf from stored data (at least 16 bytes: value ‖ BE64(weight) ‖ BE64(count)).
    mutating func leaf(path: Bits256, data: Bytes) -> Index {
        let n = data.count
        return leaf(path: path, value: Array(data[..<(n - 16)]),
                    weight: ByteOrder.readBigEndian64(data, at: n - 16), count: ByteOrder.readBigEndian64(data, at: n - 8))
    }

    mutating func inner(left: Index, right: Index) -> Index {
        allocate(Record(left: left, right: right, kind: .inner, start: 0, end: 0, isClean: false), path: .zero)
    }

    mutating func ext(path: Bits256, start: Int, end: Int, child: Index) -> Index {
        allocate(Record(left: child, right: Self.empty, kind: .ext, start: UInt8(start), end: UInt8(end), isClean: false), path: path)
    }

    /// Returns a node that left the trie to the free list (orphaning it if it was stored).
    mutating func discard(_ i: Index) {
        orphan(i)
        values[Int(i)] = []
        freeSlots.append(i)
    }

    // MARK: Mutation

    /// Records a stored node whose stored form is about to change or vanish.
    mutating func orphan(_ i: Index) {
        guard stored[Int(i)] else { return }
        orphanKeys.append(digests[Int(i)].hash.bytes)
        stored[Int(i)] = false
    }

    /// An inner or extension node about to change in place: orphaned, and its digest dropped.
    mutating func markDirty(_ i: Index) {
        orphan(i)
        if records[Int(i)].kind != .leaf { records[Int(i)].isClean = false }
    }

    mutating func setLeft(_ i: Index, _ child: Index) { records[Int(i)].left = child }
    mutating func setRight(_ i: Index, _ child: Index) { records[Int(i)].right = child }
    mutating func setStart(_ i: Index, _ start: Int) { records[Int(i)].start = UInt8(start) }
    mutating func setEnd(_ i: Index, _ end: Int) { records[Int(i)].end = UInt8(end) }
    mutating func markStored(_ i: Index) { stored[Int(i)] = true }

    // MARK: Digests and encodings

    /// The digest of the subtree at `i` (placeholder when empty). Only dirty
    /// nodes are recomputed; results are cached.
    mutating func digest(_ i: Index) -> SMSTDigest {
        guard i != Self.empty else { return .placeholder }
        let r = records[Int(i)]
        if r.isClean { return digests[Int(i)] }
        let d: SMSTDigest
        switch r.kind {
        case .leaf:
            return digests[Int(i)]  // hashed at creation; never dirty
        case .inner:
            d = .inner(digest(r.left), digest(r.right))
        case .ext:
            d = .extensionChain(path: paths[Int(i)], start: Int(r.start), end: Int(r.end), child: digest(r.left))
        }
        digests[Int(i)] = d
        records[Int(i)].isClean = true
        return d
    }

    /// The node's encoding (what `SiblingData` carries and what a store keeps).
    mutating func encoding(_ i: Index) -> Bytes {
        let r = records[Int(i)]
        switch r.kind {
        case .leaf:
            return [SMSTHashing.leafPrefix] + paths[Int(i)].bytes + data(i)
        case .inner:
            return [SMSTHashing.innerPrefix] + digest(r.left).bytes + digest(r.right).bytes + digest(i).tail
        case .ext:
            return [SMSTHashing.extensionPrefix, r.start, r.end] + paths[Int(i)].bytes + digest(r.left).bytes + digest(i).tail
        }
    }
}
