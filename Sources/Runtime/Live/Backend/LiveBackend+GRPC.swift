import GRPCCore
import GRPCNIOTransportHTTP2
import RelayRuntime

extension LiveBackend {
    /// One client per endpoint of a gRPC pool; connections are made on first use.
    static func makeGRPCClients(_ pool: BackendPool) throws(LiveBackendConfigurationError) -> [GRPCClient<HTTP2ClientTransport.Posix>] {
        var clients: [GRPCClient<HTTP2ClientTransport.Posix>] = []
        for endpoint in pool.endpoints {
            guard case .grpc(let target) = endpoint.target else { continue }
            do {
                let transport = try HTTP2ClientTransport.Posix(
                    target: .dns(host: target.endpoint.host, port: target.endpoint.port),
                    transportSecurity: target.tls ? .tls : .plaintext)
                clients.append(GRPCClient(transport: transport))
            } catch {
                throw .invalidURL(endpoint.url, "cannot set up the gRPC transport: \(error)")
            }
        }
        return clients
    }

    /// HTTP/2 headers that belong to a connection or are written by the gRPC client itself.
    static let reservedGRPCRequestHeaders: Set<String> = [
        "content-type", "te", "user-agent", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "content-length", "host",
        "connection", "transfer-encoding", "keep-alive", "upgrade", "accept-encoding",
    ]

    /// Metadata of an answer that we replace (pseudo-headers, status, the framing we redo).
    static let reservedGRPCResponseHeaders: Set<String> = [
        "content-type", "grpc-status", "grpc-message", "grpc-encoding", "grpc-accept-encoding", "content-length",
    ]

    /// One unary gRPC call: the gateway's single framed message forwarded as
    /// bytes to `path`'s method, the answer re-framed. A status from the
    /// backend (OK or not) is an answer: HTTP 200 with `grpc-status` and
    /// `grpc-message` in the headers. A connection that cannot be made or
    /// breaks is a failure (breaker, retry).
    func grpcAttempt(
        _ request: BackendRequest, pool: BackendPool, endpoint: PoolEndpoint, service: ServiceBackendSettings,
        deadline: ContinuousClock.Instant
    ) async -> AttemptResult {
        let key = PoolKey(serviceID: request.serviceID, transport: .grpc)
        guard let clients = grpcClients[key], endpoint.index < clients.count else {
            return .failed(AttemptFailure(kind: .invalid, reason: "no gRPC client for this endpoint"))
        }
        guard let method = GRPCFrames.method(fromPath: request.path) else {
            return .failed(AttemptFailure(kind: .invalid, reason: "gRPC path \"\(request.path)\" is not /package.Service/Method"))
        }
        let message: [UInt8]
        do {
            message = try GRPCFrames.singleMessage(request.body)
        } catch {
            return .failed(AttemptFailure(kind: .invalid, reason: error.description))
        }
        var metadata = Metadata()
        let headers = BackendHeaderRules.applyingPool(
            pool.settings.headers, authentication: pool.settings.authentication,
            to: request.headers.filter { !$0.name.hasPrefix(":") && !Self.reservedGRPCRequestHeaders.contains($0.name.lowercased()) })
        for header in headers { metadata.addString(header.value, forKey: header.name.lowercased()) }
        return await Self.unary(
            client: clients[endpoint.index], method: method, message: message, metadata: metadata,
            maxResponseBytes: service.maxResponseBodyBytes)
    }

    static func unary(
        client: GRPCClient<HTTP2ClientTransport.Posix>, method: MethodDescriptor, message: [UInt8], metadata: Metadata,
        maxResponseBytes: Int
    ) async -> AttemptResult {
        var options = CallOptions.defaults
        options.waitForReady = false
        // The NIO transport bounds the messages it receives by `maxRequestMessageBytes`
        // (`maxResponseMessageBytes` is not applied by it); set both to the answer limit.
        options.maxRequestMessageBytes = maxResponseBytes
        options.maxResponseMessageBytes = maxResponseBytes
        options.compression = CompressionAlgorithm.none
        do {
            let answer = try await client.unary(
                request: ClientRequest(message: message, metadata: metadata), descriptor: method, serializer: RawBytesSerializer(),
                deserializer: RawBytesDeserializer(), options: options
            ) { response in
                GRPCAnswer(response, maxMessageBytes: maxResponseBytes)
            }
            switch answer {
            case .transportFailure(let error):
                if Task.isCancelled { return .failed(AttemptFailure(kind: .cancelled, reason: "call cancelled")) }
                return .failed(AttemptFailure(kind: error.code == .unavailable ? .connect : .network, reason: "\(error)"))
            case .tooLarge(let reason):
                return .failed(AttemptFailure(kind: .tooLarge, reason: reason))
            case .answer:
                break
            }
            return .answered(.complete(status: 200, headers: answer.headers, body: answer.body), serverError: false)
        } catch {
            // Failures below gRPC (no connection, a stream reset) are thrown rather than answered.
            if Task.isCancelled { return .failed(AttemptFailure(kind: .cancelled, reason: "call cancelled")) }
            if let rpc = error as? RPCError, GRPCAnswer.isLocalSizeLimit(rpc) {
                return .failed(AttemptFailure(kind: .tooLarge, reason: "\(error)"))
            }
            let unreachable = (error as? RPCError)?.code == .unavailable
            return .failed(AttemptFailure(kind: unreachable ? .connect : .network, reason: "\(error)"))
        }
    }
}

/// A gRPC answer as HTTP: initial metadata, then trailers, then
/// `grpc-status`/`grpc-message`; the message re-framed as the body.
enum GRPCAnswer: Sendable {
    case answer(headers: [Header], body: [UInt8])
    /// The call failed below gRPC (no connection, broken stream): not the backend's status.
    case transportFailure(RPCError)
    /// The reply exceeded the answer limit.
    case tooLarge(String)

    init(_ response: ClientResponse<[UInt8]>, maxMessageBytes: Int) {
        switch response.accepted {
        case .success(let contents):
            var headers = [Header("content-type", "application/grpc")] + Self.headers(contents.metadata)
            switch contents.message {
            case .success(let message):
                guard message.count <= maxMessageBytes else {
                    self = .tooLarge("reply of \(message.count) bytes exceeds \(maxMessageBytes)")
                    return
                }
                headers += Self.headers(contents.trailingMetadata)
                headers += [Header("grpc-status", "0"), Header("grpc-message", "")]
                self = .answer(headers: headers, body: GRPCFrames.frame(message))
            case .failure(let error):
                if Self.isLocalSizeLimit(error) {
                    self = .tooLarge(error.message)
                    return
                }
                headers += Self.headers(error.metadata) + Self.status(error)
                self = .answer(headers: headers, body: [])
            }
        case .failure(let error):
            if Self.isLocalSizeLimit(error) {
                self = .tooLarge(error.message)
            } else if error.cause != nil && error.metadata.isEmpty {
                self = .transportFailure(error)
            } else {
                self = .answer(headers: [Header("content-type", "application/grpc")] + Self.headers(error.metadata) + Self.status(error), body: [])
            }
        }
    }

    /// Our client's own refusal of an oversized reply, as opposed to a status the backend sent.
    /// The NIO transport reports it as INTERNAL "Failed to decode message …exceeded the configured
    /// maximum payload size…" (its wording, checked by `BackendTests`); a backend's status never
    /// passes through that decoder.
    static func isLocalSizeLimit(_ error: RPCError) -> Bool {
        let limitText = "exceeded the configured maximum payload size"
        switch error.code {
        case .internalError: return error.message.hasPrefix("Failed to decode message") && error.message.contains(limitText)
        case .resourceExhausted: return error.metadata.isEmpty && error.message.hasPrefix("Message has " + limitText)
        default: return false
        }
    }

    var headers: [Header] {
        if case .answer(let headers, _) = self { return headers }
        return []
    }

    var body: [UInt8] {
        if case .answer(_, let body) = self { return body }
        return []
    }

    private static func headers(_ metadata: Metadata) -> [Header] {
        metadata.compactMap { element in
            let name = element.key.lowercased()
            guard !name.hasPrefix(":"), !LiveBackend.reservedGRPCResponseHeaders.contains(name) else { return nil }
            return Header(name, element.value.encoded())
        }
    }

    private static func status(_ error: RPCError) -> [Header] {
        [Header("grpc-status", String(error.code.rawValue)), Header("grpc-message", error.message)]
    }
}
