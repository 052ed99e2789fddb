import AsyncHTTPClient
import NIOCore
import PocketProtocol
import RelayRuntime

/// The live `BlockSource`: a node's CometBFT RPC over HTTP (`/status`,
/// `/block?height=`) and its WebSocket (`subscribe` to
/// `tm.event='NewBlockHeader'`). As the reference relay miner does, an event
/// only says that height H exists: its canonical hash (`block_id.hash`, the
/// seed of session ids and proof paths) is read with `/block?height=H`.
///
/// Failures are `ChainError`s naming the URL (see `CometRPCTransport`). The
/// client owns an HTTP client that fails a refused connection at once (instead
/// of retrying until the deadline), so call `shutdown()` when done, or use
/// `withClient`.
public final class CometBFTClient: BlockSource, Sendable {
    public let configuration: CometBFTConfiguration
    let transport: CometRPCTransport
    private let httpClient: HTTPClient
    private let ownsHTTPClient: Bool

    /// A client of the node at `configuration.rpcURL`. Pass `httpClient` to
    /// share one (it should have `retryConnectionEstablishment = false`, or a
    /// refused connection is reported only at the deadline, as `.timeout`).
    public init(configuration: CometBFTConfiguration, httpClient: HTTPClient? = nil) {
        self.configuration = configuration
        if let httpClient {
            self.httpClient = httpClient
            ownsHTTPClient = false
        } else {
            var http = HTTPClient.Configuration()
            http.connectionPool.retryConnectionEstablishment = false
            http.timeout = .init(connect: TimeAmount(configuration.requestTimeout), read: TimeAmount(configuration.requestTimeout))
            self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
            ownsHTTPClient = true
        }
        transport = CometRPCTransport(
            base: configuration.httpBase, client: self.httpClient,
            timeout: configuration.requestTimeout, maxResponseBytes: configuration.maxResponseBytes
        )
    }

    /// Closes the HTTP client it created (a shared one is left alone).
    /// Subscriptions end when their streams are dropped.
    public func shutdown() async {
        if ownsHTTPClient { try? await httpClient.shutdown() }
    }

    /// A client for the duration of `body`, shut down afterwards.
    public static func withClient<Result>(
        configuration: CometBFTConfiguration, _ body: (CometBFTClient) async throws -> Result
    ) async throws -> Result {
        let client = CometBFTClient(configuration: configuration)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    // MARK: Node

    public func status() async throws(ChainError) -> CometNodeStatus {
        let result = try await transport.get("/status", as: CometStatusResult.self)
        let sync = result.sync_info
        let hash: [UInt8]
        do { hash = try Hex.decode(sync.latest_block_hash) } catch {
            throw .invalidResponse("GET \(transport.base)/status: latest_block_hash is not hex: \(sync.latest_block_hash)")
        }
        return CometNodeStatus(
            chainID: result.node_info.network, nodeVersion: result.node_info.version ?? "",
            latestHeight: sync.latest_block_height.value, latestBlockHash: hash,
            latestBlockTime: CometTime.parse(sync.latest_block_time), catchingUp: sync.catching_up ?? false
        )
    }

    /// The chain id the node serves (`node_info.network`).
    public func chainID() async throws(ChainError) -> String {
        try await status().chainID
    }

    /// Refuses a node of another chain: run at start, before anything is
    /// signed for or read from it.
    public func verifyChainID(expected: String) async throws(ChainIDCheckError) {
        let served: String
        do { served = try await chainID() } catch { throw .unreachable(error) }
        guard served == expected else {
            throw .mismatch(endpoint: configuration.httpBase, served: served, expected: expected)
        }
    }

    // MARK: BlockSource

    /// `/block` without a height: the node's latest committed block.
    public func latestBlock() async throws(ChainError) -> ChainBlock {
        let result = try await transport.get("/block", as: CometBlockResult.self)
        return try chainBlock(result, path: "/block", height: nil)
    }

    public func block(at height: Int64) async throws(ChainError) -> ChainBlock {
        let path = "/block?height=\(height)"
        let result = try await transport.get(path, as: CometBlockResult.self)
        return try chainBlock(result, path: path, height: height)
    }

    /// New blocks from the node's WebSocket. Returns once the node confirmed
    /// the subscription (so a block committed after this returns is
    /// delivered), or throws if it could not be reached. Afterwards the
    /// stream survives disconnects: it reconnects with backoff and, on each
    /// reconnect, first yields the node's latest block if it is newer than the
    /// last one yielded — heights never go back, missed ones are skipped
    /// (at-most-once, as the port says). Dropping the stream ends it.
    public func subscribeBlocks() async throws(ChainError) -> AsyncStream<ChainBlock> {
        let subscription = CometBlockSubscription(client: self)
        try await subscription.start()
        return subscription.blocks
    }

    // MARK: Decoding

    func chainBlock(_ result: CometBlockResult, path: String, height: Int64?) throws(ChainError) -> ChainBlock {
        let url = transport.base + path
        guard let block = result.block else {
            throw .notFound("GET \(url): the node has no block\(height.map { " \($0)" } ?? "") yet")
        }
        let header = block.header
        if let height, header.height.value != height {
            throw .invalidResponse("GET \(url): asked for block \(height), got block \(header.height.value)")
        }
        let hash: [UInt8]
        do { hash = try Hex.decode(result.block_id.hash) } catch {
            throw .invalidResponse("GET \(url): block_id.hash is not hex: \"\(result.block_id.hash)\"")
        }
        guard hash.count == 32 else {
            throw .invalidResponse("GET \(url): block_id.hash has \(hash.count) bytes, a CometBFT block hash has 32")
        }
        guard let time = CometTime.parse(header.time) else {
            throw .invalidResponse("GET \(url): block.header.time is not RFC 3339: \"\(header.time)\"")
        }
        return ChainBlock(height: header.height.value, hash: hash, time: time)
    }
}
