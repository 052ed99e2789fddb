import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import RelayRuntimeLive
import SwiftProtobuf
import Testing

/// A node that misbehaves on purpose, for the client's failure paths: its
/// session params answer only after `delay`, and its auth module answers
/// every account query with `account` as is (garbage included).
struct ScriptedNode: Sendable {
    var delay: Duration = .zero
    var account = Google_Protobuf_Any()

    /// Serves the node on 127.0.0.1 (a free port, or `port`) for the duration of `body`.
    func serve<T: Sendable>(port: Int = 0, _ body: (Int) async throws -> T) async throws -> T {
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext)
        let server = GRPCServer(transport: transport, services: [SlowSessions(delay: delay), FixedAccounts(account: account)])
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let result: T
            do {
                guard let bound = try await server.transport.listeningAddress.ipv4?.port else { throw TestFailure("scripted node did not bind") }
                result = try await body(bound)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
            return result
        }
    }

    struct SlowSessions: Pocket_Session_Query.SimpleServiceProtocol {
        let delay: Duration

        func params(request: Pocket_Session_QueryParamsRequest, context: ServerContext) async throws -> Pocket_Session_QueryParamsResponse {
            try await Task.sleep(for: delay)
            return .with { $0.params.numSuppliersPerSession = 3 }
        }

        func getSession(request: Pocket_Session_QueryGetSessionRequest, context: ServerContext) async throws -> Pocket_Session_QueryGetSessionResponse {
            throw RPCError(code: .internalError, message: "session not found (said as INTERNAL)")
        }
    }

    struct FixedAccounts: Cosmos_Auth_V1beta1_Query.SimpleServiceProtocol {
        let account: Google_Protobuf_Any

        func account(request: Cosmos_Auth_V1beta1_QueryAccountRequest, context: ServerContext) async throws -> Cosmos_Auth_V1beta1_QueryAccountResponse {
            .with { $0.account = account }
        }
    }
}

/// A live client of `127.0.0.1:port` for the duration of `body`.
func withLiveClient<T: Sendable>(
    port: Int, callTimeout: Duration = .seconds(5), cache: ChainQueryCachePolicy = .disabled,
    backoff: HTTP2ClientTransport.Config.Backoff = .init(initial: .milliseconds(50), max: .milliseconds(200), multiplier: 1.6, jitter: 0),
    clock: any ClockPort = ManualClock(),
    _ body: (LiveChainQueries) async throws -> T
) async throws -> T {
    let configuration = LiveChainQueriesConfiguration(
        endpoint: GRPCEndpoint(host: "127.0.0.1", port: port), callTimeout: callTimeout, reconnectBackoff: backoff, cache: cache)
    return try await LiveChainQueries.withQueries(configuration: configuration, clock: clock, body)
}

/// Runs `body` and returns its `ChainError` (recording an issue if it answered instead).
func chainError<T>(_ body: () async throws(ChainError) -> T) async -> ChainError? {
    do throws(ChainError) {
        let value = try await body()
        Issue.record("expected a ChainError, got \(value)")
        return nil
    } catch {
        return error
    }
}
