import AsyncHTTPClient
import Foundation
import NIOCore
import PocketProtocol

/// A 200 answer from the relayer: the body (a serialized RelayResponse, or
/// for streams the whole delimited sequence) and the receipt header.
public struct RelayHTTPAnswer: Sendable {
    public let body: Bytes
    public let receiptHeader: String?
}

/// Posts signed requests to the relayer's HTTP listener: body = the
/// serialized RelayRequest, header `Rpc-Type` routing it to the
/// transport's backend, `Pocket-Sign-Receipt: true` when receipts are asked
/// for. A non-200 answer is a refusal: its JSON `reason` becomes the
/// failure's reason, with the status.
///
/// Owns an HTTP client whose connection pool allows `maxConnections`
/// concurrent connections to the relayer (the load test's concurrency);
/// call `shutdown()` when done.
public final class RelayHTTPSender: Sendable {
    public let relayerURL: String
    public let transport: RelayTransport
    public let requestReceipt: Bool
    public let timeout: Duration
    /// Largest answer read (a stream's whole body included).
    public let maxResponseBytes: Int
    let client: HTTPClient

    public init(relayerURL: String, transport: RelayTransport, requestReceipt: Bool = false, timeout: Duration = .seconds(30),
                maxConnections: Int = 10, maxResponseBytes: Int = 64 << 20) {
        self.relayerURL = relayerURL
        self.transport = transport
        self.requestReceipt = requestReceipt
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnections))
        // A refused connection is a failure now, not a retry until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .enabled(limit: .none)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends one request and reads the whole answer.
    public func send(_ request: SignedRelayRequest) async throws(RelayFailure) -> RelayHTTPAnswer {
        do {
            let response = try await client.execute(httpRequest(request), deadline: .now() + TimeAmount(timeout))
            let body = try await response.body.collect(upTo: maxResponseBytes)
            let bytes = Bytes(body.readableBytesView)
            guard response.status == .ok else { throw Self.refusal(status: Int(response.status.code), body: bytes) }
            return RelayHTTPAnswer(body: bytes, receiptHeader: response.headers.first(name: RelayReceipt.responseHeader))
        } catch let failure as RelayFailure {
            throw failure
        } catch {
            throw Self.failure(error, url: relayerURL, timeout: timeout)
        }
    }

    /// Sends one streaming request; `onChunk` gets the body's bytes as they
    /// arrive and returns false to stop reading (enough batches).
    public func stream(_ request: SignedRelayRequest, onChunk: (ByteBuffer) throws(RelayFailure) -> Bool) async throws(RelayFailure) {
        do {
            let response = try await client.execute(httpRequest(request), deadline: .now() + TimeAmount(timeout))
            guard response.status == .ok else {
                let body = try await response.body.collect(upTo: 1 << 20)
                throw Self.refusal(status: Int(response.status.code), body: Bytes(body.readableBytesView))
            }
            for try await chunk in response.body {
                if try !onChunk(chunk) { break }
            }
        } catch let failure as RelayFailure {
            throw failure
        } catch {
            throw Self.failure(error, url: relayerURL, timeout: timeout)
        }
    }

    func httpRequest(_ request: SignedRelayRequest) -> HTTPClientRequest {
        var http = HTTPClientRequest(url: relayerURL)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/x-protobuf")
        http.headers.add(name: "Rpc-Type", value: String(transport.rpcType))
        if requestReceipt { http.headers.add(name: RelayReceipt.requestHeader, value: "true") }
        http.body = .bytes(ByteBuffer(bytes: request.bytes))
        return http
    }

    /// A non-200 answer: the relayer's `{"error": "...", "reason": "..."}` if it sent one.
    static func refusal(status: Int, body: Bytes) -> RelayFailure {
        struct Refusal: Decodable {
            let error: String?
            let reason: String?
        }
        if let refusal = try? JSONDecoder().decode(Refusal.self, from: Data(body)) {
            return RelayFailure(refusal.reason ?? RelayFailure.Reason.unexpectedStatus,
                                refusal.error ?? "the relayer answered HTTP \(status)", httpStatus: status)
        }
        return RelayFailure(RelayFailure.Reason.unexpectedStatus,
                            "the relayer answered HTTP \(status): \(BackendAnswerCheck.preview(body))", httpStatus: status)
    }

    static func failure(_ error: any Error, url: String, timeout: Duration) -> RelayFailure {
        if let http = error as? HTTPClientError {
            switch http {
            case .deadlineExceeded, .readTimeout, .connectTimeout:
                return RelayFailure(RelayFailure.Reason.timeout, "no answer from \(url) within \(timeout)")
            case .remoteConnectionClosed:
                return RelayFailure(RelayFailure.Reason.transportError, "\(url) closed the connection before answering")
            default:
                break
            }
        }
        if error is ChannelError || "\(error)".lowercased().contains("connect") {
            return RelayFailure(RelayFailure.Reason.connectionFailed, "cannot connect to \(url): \(error)")
        }
        return RelayFailure(RelayFailure.Reason.transportError, "\(url): \(error)")
    }
}
