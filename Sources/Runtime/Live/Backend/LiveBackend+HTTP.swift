import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import RelayRuntime

extension LiveBackend {
    /// One HTTP attempt: the request rebuilt for `endpoint`, the answer
    /// classified. Streams (SSE, NDJSON) are returned as soon as their head
    /// arrives; everything else is read whole, bounded, and inflated if gzip.
    func httpAttempt(
        _ request: BackendRequest, pool: BackendPool, endpoint: PoolEndpoint, service: ServiceBackendSettings,
        deadline: ContinuousClock.Instant
    ) async -> AttemptResult {
        guard case .url(let url) = endpoint.target else {
            return .failed(AttemptFailure(kind: .invalid, reason: "not an HTTP endpoint"))
        }
        var http = HTTPClientRequest(url: url.resolving(basePath: pool.settings.basePath, request: request.path))
        http.method = HTTPMethod(rawValue: request.method.uppercased())
        for header in BackendHeaderRules.outgoing(request.headers, pool: pool.settings) {
            http.headers.add(name: header.name, value: header.value)
        }
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(http.method.rawValue) {
            http.body = .bytes(request.body)
        }
        let remaining = ContinuousClock.now.duration(to: deadline)
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(http, deadline: .now() + TimeAmount(max(remaining, .milliseconds(1))))
        } catch {
            return .failed(Self.classify(error))
        }
        let status = Int(response.status.code)
        let headers = response.headers.map { Header($0.name, $0.value) }
        if status < 500, let mode = StreamChunker.Mode(contentType: headers) {
            let chunks = LineStreamProducer.stream(
                body: response.body, serviceID: service.serviceID, endpoint: endpoint.name, mode: mode,
                maxLineBytes: configuration.maxStreamLineBytes, maxEventBytes: service.maxResponseBodyBytes, deadline: deadline,
                timeout: service.requestTimeout)
            return .answered(.stream(status: status, headers: headers, chunks: chunks), serverError: false)
        }
        let limit = service.maxResponseBodyBytes
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            return .failed(AttemptFailure(kind: .tooLarge, reason: "answer larger than \(limit) bytes"))
        } catch {
            return .failed(Self.classify(error))
        }
        let declared = GzipBody.declaresGzip(headers)
        guard declared || GzipBody.hasMagic(body) else {
            return .answered(.complete(status: status, headers: headers, body: Array(body.readableBytesView)), serverError: status >= 500)
        }
        do {
            let inflated = try GzipBody.inflate(body, limit: limit)
            return .answered(
                .complete(status: status, headers: GzipBody.headers(headers, inflatedLength: inflated.count), body: inflated),
                serverError: status >= 500)
        } catch {
            switch error {
            case .tooLarge:
                return .failed(AttemptFailure(kind: .tooLarge, reason: "gzip answer inflates beyond \(limit) bytes"))
            case .corrupt(let why):
                // Bytes that merely start like gzip are passed on as they are.
                guard declared else {
                    return .answered(.complete(status: status, headers: headers, body: Array(body.readableBytesView)), serverError: status >= 500)
                }
                return .failed(AttemptFailure(kind: .invalid, reason: "answer says Content-Encoding: gzip but does not inflate (\(why))"))
            }
        }
    }

    /// What an HTTP client error says about the endpoint.
    static func classify(_ error: any Error) -> AttemptFailure {
        if error is CancellationError { return AttemptFailure(kind: .cancelled, reason: "request cancelled") }
        if let http = error as? HTTPClientError {
            switch http {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return AttemptFailure(kind: .timeout, reason: "no answer in time (\(http))")
            case .cancelled:
                return AttemptFailure(kind: .cancelled, reason: "request cancelled")
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                return AttemptFailure(kind: .connect, reason: "could not connect (\(http))")
            default:
                break
            }
        }
        if error is NIOConnectionError || error is IOError {
            return AttemptFailure(kind: .connect, reason: "could not connect (\(error))")
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel {
            return AttemptFailure(kind: .connect, reason: "could not connect (\(channel))")
        }
        return AttemptFailure(kind: .network, reason: "\(error)")
    }
}
