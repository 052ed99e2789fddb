import RelayRuntime

/// Why a start-up chain-id check failed: the node serves another chain (a
/// configuration mistake nothing will fix by retrying), or it could not be asked.
public enum ChainIDCheckError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The node at `endpoint` reports `served` in `node_info.network`, the config expects `expected`.
    case mismatch(endpoint: String, served: String, expected: String)
    /// `/status` failed; the node's chain id is unknown.
    case unreachable(ChainError)

    public var description: String {
        switch self {
        case .mismatch(let endpoint, let served, let expected):
            return "node at \(endpoint) serves chain \(served), the config expects \(expected): point rpc at a node of \(expected)"
        case .unreachable(let error):
            return "cannot check the chain id: \(error)"
        }
    }
}

/// What `/status` says about the node and its latest block.
public struct CometNodeStatus: Sendable, Hashable {
    /// `node_info.network`: the chain id.
    public let chainID: String
    /// CometBFT version the node reports (`node_info.version`), empty if absent.
    public let nodeVersion: String
    public let latestHeight: Int64
    /// `sync_info.latest_block_hash` (empty before the first block).
    public let latestBlockHash: [UInt8]
    public let latestBlockTime: RuntimeInstant?
    /// The node is still syncing: its latest block is not the chain's.
    public let catchingUp: Bool
}
