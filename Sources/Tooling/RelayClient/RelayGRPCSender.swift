import GRPCCore
import GRPCNIOTransportHTTP2
import PocketChainAPI
import PocketProtocol

/// Calls the relayer's gRPC service (h2c) `/pocket.service.RelayService/SendRelay`
/// with the signed request's bytes and returns the answer's bytes exactly as
/// they came (so the verifier sees whether `payload_hash` was on the wire).
/// A gRPC status from the relayer is a failure `grpc_<status>`.
///
/// The connection lives while `run()` runs (or inside `withSender`).
public final class RelayGRPCSender: Sendable {
    public let address: String
    public let timeout: Duration
    let client: GRPCClient<HTTP2ClientTransport.Posix>

    public init(host: String, port: Int, timeout: Duration = .seconds(30), maxResponseBytes: Int = 64 << 20) throws(RelayClientError) {
        address = "\(host):\(port)"
        self.timeout = timeout
        let transport: HTTP2ClientTransport.Posix
        do {
            transport = try HTTP2ClientTransport.Posix(
                target: .dns(host: host, port: port), transportSecurity: .plaintext,
                config: .defaults { $0.backoff = .init(initial: .milliseconds(100), max: .seconds(2), multiplier: 1.6, jitter: 0.2) }
            )
        } catch {
            throw RelayClientError("cannot set up a gRPC client for \(host):\(port): \(error)")
        }
        client = GRPCClient(transport: transport)
        self.maxResponseBytes = maxResponseBytes
    }

    let maxResponseBytes: Int

    public func run() async throws {
        try await client.runConnections()
    }

    public func beginGracefulShutdown() {
        client.beginGracefulShutdown()
    }

    /// A sender connected for the duration of `body`.
    public static func withSender<Result: Sendable>(
        host: String, port: Int, timeout: Duration, _ body: (RelayGRPCSender) async throws -> Result
    ) async throws -> Result {
        let sender = try RelayGRPCSender(host: host, port: port, timeout: timeout)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sender.run() }
            defer {
                sender.beginGracefulShutdown()
                group.cancelAll()
            }
            return try await body(sender)
        }
    }

    public func send(_ request: SignedRelayRequest) async throws(RelayFailure) -> Bytes {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        options.maxResponseMessageBytes = maxResponseBytes
        do {
            return try await client.unary(
                request: ClientRequest(message: request.bytes),
                descriptor: Pocket_Service_RelayService.Method.SendRelay.descriptor,
                serializer: RawBytesCoder(), deserializer: RawBytesCoder(), options: options
            ) { response in try response.message }
        } catch let error as RPCError {
            if error.code == .deadlineExceeded {
                throw RelayFailure(RelayFailure.Reason.timeout, "no answer from \(address) within \(timeout)")
            }
            throw RelayFailure(RelayFailure.Reason.grpcStatus(Self.snakeCase(error.code.description)),
                               "the relayer's gRPC service at \(address) answered \(error.code): \(error.message)")
        } catch {
            throw RelayFailure(RelayFailure.Reason.transportError, "gRPC call to \(address): \(error)")
        }
    }

    /// `resourceExhausted` → `resource_exhausted`.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for c in name {
            if c.isUppercase {
                if !out.isEmpty { out.append("_") }
                out.append(contentsOf: c.lowercased())
            } else {
                out.append(c)
            }
        }
        return out
    }
}

/// Messages as the bytes they are on the wire: the request is already
/// canonical, and the answer must be verified from its own bytes.
struct RawBytesCoder: MessageSerializer, MessageDeserializer {
    func serialize<Out: GRPCContiguousBytes>(_ message: Bytes) throws -> Out {
        Out(message)
    }

    func deserialize<In: GRPCContiguousBytes>(_ serializedMessageBytes: In) throws -> Bytes {
        serializedMessageBytes.withUnsafeBytes { Bytes($0) }
    }
}
