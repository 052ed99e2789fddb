import AsyncHTTPClient
import Foundation
import NIOCore
import RelayRuntime

/// One HTTP GET of a CometBFT RPC endpoint, decoded into its `result`, with
/// every way it can fail mapped to the `ChainError` a caller can act on:
///
/// * nothing listening, connection reset, TLS or DNS failure → `.unavailable`
///   (retry later);
/// * no complete answer before the request deadline → `.timeout`;
/// * a JSON-RPC error about a height the node does not have (not produced
///   yet, pruned, ≤ 0) → `.notFound`;
/// * anything that is not the JSON CometBFT sends → `.invalidResponse`
///   (a 5xx page from a proxy in front of a node counts as `.unavailable`).
///
/// Every message names the URL, so a log line says which node misbehaved.
struct CometRPCTransport: Sendable {
    let base: String
    let client: HTTPClient
    let timeout: Duration
    let maxResponseBytes: Int

    /// GET `<base><path>` and decode its `result` as `Result`.
    func get<Result: Decodable>(_ path: String, as _: Result.Type) async throws(ChainError) -> Result {
        let url = base + path
        let (status, body) = try await fetch(url)
        let envelope: CometEnvelope<Result>
        do {
            envelope = try JSONDecoder().decode(CometEnvelope<Result>.self, from: body)
        } catch {
            if status >= 500 { throw .unavailable("GET \(url): HTTP \(status) with a body that is not JSON-RPC") }
            throw .invalidResponse("GET \(url): undecodable answer (HTTP \(status)): \(Self.describe(error)); body starts \(Self.preview(body))")
        }
        if let error = envelope.error { throw Self.map(error, url: url) }
        guard let result = envelope.result else {
            throw .invalidResponse("GET \(url): JSON-RPC answer with neither result nor error")
        }
        return result
    }

    private func fetch(_ url: String) async throws(ChainError) -> (status: UInt, body: Data) {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        do {
            let response = try await client.execute(request, deadline: deadline)
            let buffer = try await response.body.collect(upTo: maxResponseBytes)
            return (response.status.code, Data(buffer.readableBytesView))
        } catch {
            throw Self.map(transport: error, url: url, timeout: timeout)
        }
    }

    /// A failure below JSON: a deadline or timeout is `.timeout`, the rest
    /// (refused, reset, closed, DNS) `.unavailable`.
    static func map(transport error: any Error, url: String, timeout: Duration) -> ChainError {
        if let http = error as? HTTPClientError {
            let timeouts: [HTTPClientError] = [
                .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout, .httpProxyHandshakeTimeout, .socksHandshakeTimeout,
            ]
            if timeouts.contains(http) { return .timeout("GET \(url): no answer within \(timeout) (\(http))") }
        }
        if error is NIOTooManyBytesError { return .invalidResponse("GET \(url): answer larger than the configured maximum") }
        return .unavailable("GET \(url): \(error)")
    }

    /// CometBFT reports a height it cannot serve as an internal error whose
    /// data says why; those are "not found", the rest a node misbehaving.
    static func map(_ error: CometRPCError, url: String) -> ChainError {
        let reason = (error.data ?? "") + " " + error.message
        let heightProblems = [
            "must be less than or equal to the current blockchain height",
            "is not available, lowest height is",
            "height must be greater than 0",
        ]
        if heightProblems.contains(where: reason.contains) { return .notFound("GET \(url): \(error)") }
        return .invalidResponse("GET \(url): \(error)")
    }

    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "missing \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            return "\(path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "<root>" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    static func preview(_ body: Data) -> String {
        let text = String(decoding: body.prefix(80), as: UTF8.self)
        return "\"\(text)\"" + (body.count > 80 ? "…" : "")
    }
}
