import PocketProtocol

/// Reading the retained relay stream back: the miner's recovery path. A new
/// owner rebuilds every open session of a supplier by replaying `XRANGE` in
/// chunks and inserting each relay into its session's tree (one SMST insert
/// per relay, no node reads from Redis).
public enum StreamReplay {
    /// Calls `body` with each chunk of entries with ids in `[from, to]`, in id
    /// order, `chunk` at a time, until the range is exhausted. Returns the id
    /// of the last entry seen (nil if none).
    @discardableResult
    public static func scan(
        _ redis: any RedisClient, stream: String, from start: StreamID = .zero, to end: StreamID = .max, chunk: Int,
        isolation: isolated (any Actor)? = #isolation,
        _ body: ([StreamEntry]) async throws -> Void
    ) async throws -> StreamID? {
        var cursor = start
        var last: StreamID?
        while true {
            let entries = try await redis.xrange(stream, from: cursor, to: end, count: max(1, chunk))
            if entries.isEmpty { break }
            try await body(entries)
            last = entries[entries.count - 1].id
            guard entries.count >= chunk, let next = last?.successor, next <= end else { break }
            cursor = next
        }
        return last
    }

    /// The outcome of replaying a supplier's stream into fresh trees.
    public struct Rebuilt: Sendable {
        /// Per session id: the 48-byte root of every valid relay in the stream.
        public var roots: [String: Bytes]
        public var entries: Int
        public var discarded: Int
    }

    /// Replays the whole stream of `supplier` into one tree per session (no
    /// seals applied): what a new owner's rebuild computes for open sessions.
    /// Used by the `bench miner-rebuild` command and by tests as the reference.
    public static func rebuild(_ redis: any RedisClient, keys: RedisKeys = RedisKeys(), supplier: String, chunk: Int = 1000,
                               isolation: isolated (any Actor)? = #isolation) async throws -> Rebuilt {
        let trees = TreeSet()
        var entries = 0, discarded = 0
        try await scan(redis, stream: keys.relayStream(supplier: supplier), chunk: chunk) { chunk in
            for entry in chunk {
                entries += 1
                switch MinedRelayEntry.decode(entry, supplier: supplier) {
                case .success(let relay): trees.insert(relay)
                case .failure: discarded += 1
                }
            }
        }
        return Rebuilt(roots: trees.roots, entries: entries, discarded: discarded)
    }
}

/// One tree per session, for `StreamReplay.rebuild`.
private final class TreeSet {
    var trees: [String: SparseMerkleSumTrie] = [:]

    func insert(_ relay: MinedRelayEntry) {
        let tree: SparseMerkleSumTrie
        if let t = trees[relay.session.sessionID] {
            tree = t
        } else {
            tree = SparseMerkleSumTrie()
            trees[relay.session.sessionID] = tree
        }
        tree.update(key: relay.relayHash, value: relay.relayBytes, weight: relay.computeUnits)
    }

    var roots: [String: Bytes] { trees.mapValues(\.root) }
}
