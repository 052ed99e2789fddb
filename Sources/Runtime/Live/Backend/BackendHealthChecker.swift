import AsyncHTTPClient
import GRPCCore
import NIOCore
import NIOHTTP1
import RelayRuntime

/// The active probes of one pool: every `interval`, each endpoint is probed
/// concurrently with the pool's `BackendHealthCheck`, and the verdict goes
/// into the same circuits the passive breaker uses.
///
/// * HTTP-family pools: `method` on the endpoint URL + `path` (the pool's
///   `basePath` is not added), with `requestBody`/`contentType`, the pool's
///   headers and credentials, then the probe's own `headers`. Passes when the
///   status is `expectedStatus` (any 2xx when unset) and the body contains
///   `expectedBody` (when set).
/// * WebSocket pools: the same HTTP probe at the endpoint's `http(s)://` twin.
/// * gRPC pools: a unary call of the method at `path` with `requestBody` as
///   the message; passes when the gRPC status is `expectedStatus` (0 when
///   unset) and the reply contains `expectedBody`.
struct BackendHealthChecker: Sendable {
    let pool: BackendPool
    let backend: LiveBackend

    /// Largest probe answer read (enough for any status page).
    static let maxProbeBodyBytes = 1024 * 1024

    func run() async {
        let interval = pool.settings.healthCheck.interval
        while !Task.isCancelled {
            await withTaskGroup(of: Void.self) { group in
                for endpoint in pool.endpoints {
                    group.addTask {
                        let passed = await probe(endpoint)
                        if !Task.isCancelled { pool.probed(endpoint.index, passed: passed) }
                    }
                }
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    func probe(_ endpoint: PoolEndpoint) async -> Bool {
        let check = pool.settings.healthCheck
        let deadline = ContinuousClock.now.advanced(by: check.timeout)
        do throws(BackendError) {
            return try await LiveBackend.withDeadline(deadline, onExpiry: .timeout(service: pool.serviceID, afterMilliseconds: check.timeout.milliseconds)) {
                () async throws(BackendError) -> Bool in
                switch endpoint.target {
                case .url(let url): return await httpProbe(url, check: check)
                case .grpc: return await grpcProbe(endpoint, check: check)
                }
            }
        } catch {
            return false
        }
    }

    private func httpProbe(_ url: BackendURL, check: BackendHealthCheck) async -> Bool {
        let scheme: String
        switch url.scheme {
        case "ws": scheme = "http"
        case "wss": scheme = "https"
        default: scheme = url.scheme
        }
        let target = scheme + String(url.resolving(basePath: nil, request: check.path).dropFirst(url.scheme.count))
        var request = HTTPClientRequest(url: target)
        request.method = HTTPMethod(rawValue: check.method.uppercased())
        var headers = BackendHeaderRules.applyingPool(
            pool.settings.headers, authentication: pool.settings.authentication, to: [Header("Accept-Encoding", "identity")])
        if let contentType = check.contentType { headers.append(Header("Content-Type", contentType)) }
        headers = BackendHeaderRules.applyingPool(check.headers, authentication: nil, to: headers)
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let body = check.requestBody { request.body = .bytes(Array(body.utf8)) }
        do {
            let response = try await backend.httpClient.execute(request, deadline: .now() + TimeAmount(check.timeout))
            let status = Int(response.status.code)
            let body = try await response.body.collect(upTo: Self.maxProbeBodyBytes)
            let statusPasses = check.expectedStatus.map { $0 == status } ?? (200..<300).contains(status)
            return statusPasses && Self.contains(Array(body.readableBytesView), check.expectedBody)
        } catch {
            return false
        }
    }

    private func grpcProbe(_ endpoint: PoolEndpoint, check: BackendHealthCheck) async -> Bool {
        let key = LiveBackend.PoolKey(serviceID: pool.serviceID, transport: .grpc)
        guard let clients = backend.grpcClients[key], endpoint.index < clients.count,
              let method = GRPCFrames.method(fromPath: check.path) else { return false }
        var metadata = Metadata()
        for header in check.headers { metadata.addString(header.value, forKey: header.name.lowercased()) }
        let result = await LiveBackend.unary(
            client: clients[endpoint.index], method: method, message: Array((check.requestBody ?? "").utf8), metadata: metadata,
            maxResponseBytes: Self.maxProbeBodyBytes)
        guard case .answered(.complete(_, let headers, let body), _) = result else { return false }
        let status = headers.last { $0.name == "grpc-status" }.flatMap { Int($0.value) } ?? -1
        let message = body.count >= 5 ? Array(body.dropFirst(5)) : []
        return status == (check.expectedStatus ?? 0) && Self.contains(message, check.expectedBody)
    }

    static func contains(_ body: [UInt8], _ expected: String?) -> Bool {
        guard let expected, !expected.isEmpty else { return true }
        let needle = Array(expected.utf8)
        guard body.count >= needle.count else { return false }
        for start in 0...(body.count - needle.count) where body[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
