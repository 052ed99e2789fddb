import GRPCCore
import GRPCNIOTransportHTTP2
import SimChain

/// The chain stand-in's gRPC endpoint: the chain's real query and transaction
/// services (same full method names and messages as a Pocket node), answered
/// from a `FakeChain`, over plaintext HTTP/2. A client built from the
/// upstream .proto files can talk to it as to a node.
///
/// This is live code: it runs on NIO's threads and the wall clock, beside a
/// `FakeChain` that produces blocks on the system clock. The simulator never
/// uses it (simulated nodes call the chain in-process), which is why it is a
/// target of its own instead of part of SimChain.
public final class ChainGRPCServer: Sendable {
    public let chain: FakeChain
    let server: GRPCServer<HTTP2ServerTransport.Posix>

    /// A server for `chain` on `host:port`; port 0 binds a free port (read it with `port()`).
    public convenience init(chain: FakeChain, host: String = "127.0.0.1", port: Int = 0) {
        self.init(chain: chain, host: host, port: port, archive: TxArchive())
    }

    /// A server whose transaction service keeps the admitted transactions'
    /// bytes in `archive` (the stand-in's journal reads them from there).
    init(chain: FakeChain, host: String, port: Int, archive: TxArchive) {
        self.chain = chain
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: host, port: port), transportSecurity: .plaintext)
        server = GRPCServer(transport: transport, services: Self.services(for: chain, archive: archive))
    }

    /// One service per chain gRPC service, all over the same chain.
    public static func services(for chain: FakeChain) -> [any RegistrableRPCService] {
        services(for: chain, archive: TxArchive())
    }

    static func services(for chain: FakeChain, archive: TxArchive) -> [any RegistrableRPCService] {
        [
            SessionQueryService(chain: chain),
            SharedQueryService(chain: chain),
            ApplicationQueryService(chain: chain),
            SupplierQueryService(chain: chain),
            ServiceQueryService(chain: chain),
            ProofQueryService(chain: chain),
            AuthQueryService(chain: chain),
            BankQueryService(chain: chain),
            TxService(chain: chain, archive: archive),
        ]
    }

    /// Accepts connections until `beginGracefulShutdown()` has let the
    /// in-flight calls finish (or the task is cancelled). Run it as a child task.
    public func serve() async throws {
        try await server.serve()
    }

    /// The bound port, once the listener is up (waits for the bind; throws if it failed).
    public func port() async throws -> Int {
        let address = try await server.transport.listeningAddress
        guard let ipv4 = address.ipv4 else {
            throw RPCError(code: .internalError, message: "the chain gRPC server is not bound to an IPv4 address: \(address)")
        }
        return ipv4.port
    }

    /// Stops accepting calls and lets the running ones finish; `serve()` then returns.
    public func beginGracefulShutdown() {
        server.beginGracefulShutdown()
    }

    /// Serves `chain` for the duration of `body`, which gets the server and
    /// its bound port; then shuts down gracefully and waits for the server to stop.
    public static func withServer<Result: Sendable>(
        chain: FakeChain, host: String = "127.0.0.1", port: Int = 0,
        _ body: (ChainGRPCServer, Int) async throws -> Result
    ) async throws -> Result {
        let server = ChainGRPCServer(chain: chain, host: host, port: port)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let result: Result
            do {
                result = try await body(server, try await server.port())
            } catch {
                server.beginGracefulShutdown()
                group.cancelAll()
                throw error
            }
            server.beginGracefulShutdown()
            try await group.waitForAll()
            return result
        }
    }
}
