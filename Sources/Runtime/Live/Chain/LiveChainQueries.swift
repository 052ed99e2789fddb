import GRPCCore
import GRPCNIOTransportHTTP2
import PocketChainAPI
import PocketProtocol
import RelayRuntime

/// The chain's query and transaction services over gRPC (grpc-swift-2,
/// HTTP/2 in plaintext or TLS): every `ChainReader` method except the block
/// ones, which come from CometBFT, and all of `ChainSubmitter`
/// (docs/protocol.md#chain-apis). `LiveChainPort` joins it with a
/// `BlockSource` into the runtime's `ChainPort`.
///
/// Failures come back as `ChainError` (see `GRPCChainErrors` for the table);
/// answers are cached as `ChainQueryCachePolicy` says.
///
/// Lifecycle: the connection lives while `run()` runs (as a child task of
/// the process, or inside `withQueries`); it reconnects on its own with the
/// configured backoff, and calls made while it is down fail fast with
/// `unavailable`. `beginGracefulShutdown()` lets in-flight calls finish and
/// makes `run()` return.
public final class LiveChainQueries: Sendable {
    public let configuration: LiveChainQueriesConfiguration
    /// `host:port`, as every error message names it.
    public let endpoint: String

    let client: GRPCClient<HTTP2ClientTransport.Posix>
    let caches: LiveChainCaches
    let sessionQuery: Pocket_Session_Query.Client<HTTP2ClientTransport.Posix>
    let sharedQuery: Pocket_Shared_Query.Client<HTTP2ClientTransport.Posix>
    let applicationQuery: Pocket_Application_Query.Client<HTTP2ClientTransport.Posix>
    let supplierQuery: Pocket_Supplier_Query.Client<HTTP2ClientTransport.Posix>
    let serviceQuery: Pocket_Service_Query.Client<HTTP2ClientTransport.Posix>
    let proofQuery: Pocket_Proof_Query.Client<HTTP2ClientTransport.Posix>
    let authQuery: Cosmos_Auth_V1beta1_Query.Client<HTTP2ClientTransport.Posix>
    let bankQuery: Cosmos_Bank_V1beta1_Query.Client<HTTP2ClientTransport.Posix>
    let txService: Cosmos_Tx_V1beta1_Service.Client<HTTP2ClientTransport.Posix>

    /// A client for `configuration.endpoint`; nothing is dialled until `run()`
    /// runs and a call is made. `clock` measures cache ages (monotonic).
    public init(configuration: LiveChainQueriesConfiguration, clock: any ClockPort) throws(LiveChainQueriesError) {
        self.configuration = configuration
        endpoint = configuration.endpoint.description
        let transport: HTTP2ClientTransport.Posix
        do {
            transport = try HTTP2ClientTransport.Posix(
                target: .dns(host: configuration.endpoint.host, port: configuration.endpoint.port),
                transportSecurity: configuration.security.transportSecurity,
                config: configuration.transportConfig)
        } catch {
            throw LiveChainQueriesError(endpoint: endpoint, reason: "cannot set up the gRPC transport: \(error)")
        }
        client = GRPCClient(transport: transport)
        caches = LiveChainCaches(policy: configuration.cache, clock: clock)
        sessionQuery = .init(wrapping: client)
        sharedQuery = .init(wrapping: client)
        applicationQuery = .init(wrapping: client)
        supplierQuery = .init(wrapping: client)
        serviceQuery = .init(wrapping: client)
        proofQuery = .init(wrapping: client)
        authQuery = .init(wrapping: client)
        bankQuery = .init(wrapping: client)
        txService = .init(wrapping: client)
    }

    /// Maintains the connection until `beginGracefulShutdown()` and the end
    /// of the in-flight calls, or until the task is cancelled. Call once.
    public func run() async throws {
        try await client.runConnections()
    }

    /// Refuses new calls, lets the running ones finish; `run()` then returns.
    public func beginGracefulShutdown() {
        client.beginGracefulShutdown()
    }

    /// Runs a client for the duration of `body`, then shuts it down and waits for it.
    public static func withQueries<Result: Sendable>(
        configuration: LiveChainQueriesConfiguration, clock: any ClockPort,
        _ body: (LiveChainQueries) async throws -> Result
    ) async throws -> Result {
        let queries = try LiveChainQueries(configuration: configuration, clock: clock)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await queries.run() }
            let result: Result
            do {
                result = try await body(queries)
            } catch {
                queries.beginGracefulShutdown()
                group.cancelAll()
                throw error
            }
            queries.beginGracefulShutdown()
            try await group.waitForAll()
            return result
        }
    }

    /// What each cache has done so far, in a fixed order.
    public func cacheStatistics() async -> [ChainQueryCacheStatistics] {
        await caches.statistics()
    }

    /// Forgets every cached answer (after an operator-visible chain event, or in tests).
    public func clearCaches() async {
        await caches.removeAll()
    }

    // MARK: Calls

    /// Per-call options: the deadline, fail fast while disconnected (the
    /// runtime retries on its own schedule), and the answer size limit.
    var callOptions: CallOptions {
        var options = CallOptions.defaults
        options.timeout = configuration.callTimeout
        options.waitForReady = false
        options.maxResponseMessageBytes = configuration.maxResponseBytes
        return options
    }

    /// Runs one call and reports its failure as a `ChainError` naming the method and endpoint.
    func call<Response: Sendable>(
        _ method: MethodDescriptor, _ body: (CallOptions) async throws -> Response
    ) async throws(ChainError) -> Response {
        do {
            return try await body(callOptions)
        } catch {
            throw GRPCChainErrors.chainError(error, method: Self.name(method), endpoint: endpoint)
        }
    }

    /// An answer that arrived but cannot be used.
    func invalid(_ method: MethodDescriptor, _ why: String) -> ChainError {
        .invalidResponse("\(Self.name(method)) at \(endpoint): \(why)")
    }

    /// `/package.Service/Method`, as the chain documents its methods.
    static func name(_ method: MethodDescriptor) -> String {
        "/" + method.fullyQualifiedMethod
    }
}

/// The client could not be set up (an unresolvable configuration, a broken
/// TLS setup): a startup failure, not a chain answer.
public struct LiveChainQueriesError: Error, Sendable, CustomStringConvertible {
    public let endpoint: String
    public let reason: String

    public var description: String { "chain gRPC client for \(endpoint): \(reason)" }
}
