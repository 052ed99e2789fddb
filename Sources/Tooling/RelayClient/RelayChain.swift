import RelayRuntime
import RelayRuntimeLive

/// The chain as the client reads it: the node's gRPC query services
/// (sessions, applications, accounts) and its CometBFT RPC (the latest
/// height), joined into one `ChainReader`.
public enum RelayChain {
    /// Connects to `node` (gRPC `host:port`) and `nodeRPC` (CometBFT URL) for
    /// the duration of `body`; with `chainID`, first checks the node is on that chain.
    public static func withLiveChain<Result: Sendable>(
        node: String, nodeRPC: String, chainID: String?, callTimeout: Duration = .seconds(10),
        _ body: (any ChainReader) async throws -> Result
    ) async throws -> Result {
        var configuration: LiveChainQueriesConfiguration
        do {
            configuration = try LiveChainQueriesConfiguration(endpoint: node)
        } catch {
            throw RelayClientError("--node \(node): \(error)")
        }
        configuration.callTimeout = callTimeout
        return try await LiveChainQueries.withQueries(configuration: configuration, clock: SystemClock()) { queries in
            try await CometBFTClient.withClient(configuration: CometBFTConfiguration(rpcURL: nodeRPC, requestTimeout: callTimeout)) { blocks in
                if let chainID {
                    do {
                        try await blocks.verifyChainID(expected: chainID)
                    } catch {
                        throw RelayClientError("--chain-id \(chainID): \(error)")
                    }
                }
                return try await body(LiveChainPort(queries: queries, blocks: blocks))
            }
        }
    }
}
