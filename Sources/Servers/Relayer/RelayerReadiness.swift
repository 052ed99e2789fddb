import RelayRuntime

/// Whether the relayer can serve: it holds at least one supplier key, Redis
/// answers, and it has seen a block. Each failing check is named, so a
/// `/ready` probe that fails tells the operator what to fix.
public struct RelayerReadiness: Sendable {
    public struct Report: Sendable {
        public let ready: Bool
        public let blockHeight: Int64
        /// One line per failing check.
        public let problems: [String]
    }

    let keys: any KeysPort
    let redis: any RedisClient
    let blocks: BlockTracker

    public init(keys: any KeysPort, redis: any RedisClient, blocks: BlockTracker) {
        self.keys = keys
        self.redis = redis
        self.blocks = blocks
    }

    public func check() async -> Report {
        var problems: [String] = []
        if keys.operatorAddresses.isEmpty {
            problems.append("no supplier keys loaded: add a key to the keys file or directory")
        }
        do {
            try await redis.ping()
        } catch {
            problems.append("redis unreachable: \(error)")
        }
        let height = await blocks.current?.height ?? 0
        if height == 0 { problems.append("no block seen yet from the chain: check pocket_node.query_node_rpc_url") }
        return Report(ready: problems.isEmpty, blockHeight: height, problems: problems)
    }

    /// The current height without the Redis round trip (for `/health`).
    public func height() async -> Int64 { await blocks.current?.height ?? 0 }
}
