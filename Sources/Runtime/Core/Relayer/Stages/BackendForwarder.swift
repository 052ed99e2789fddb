import PocketProtocol

/// The backend stage: rebuilds the operator-facing request from the relay's
/// `POKTHTTPRequest` and forwards it under the service's deadline, measured
/// on the monotonic clock so a wall-clock step never cuts a request short.
struct BackendForwarder: Sendable {
    let backend: any BackendPort
    let clock: any ClockPort

    /// The backend request for an HTTP-family relay: method, path and headers
    /// from the `POKTHTTPRequest`, plus who it is for.
    static func request(for admitted: AdmittedRelay, incoming: IncomingRelay?) -> BackendRequest {
        let http = admitted.http ?? Sdk_Types_POKTHTTPRequest()
        var path = pathAndQuery(of: http.url)
        if path.isEmpty { path = incoming?.path ?? "/" }
        if path.isEmpty { path = "/" }
        let pocketHeaders: [Header] = [
            Header("Pocket-Supplier", admitted.supplier),
            Header("Pocket-Service", admitted.header.serviceID),
            Header("Pocket-Application", admitted.header.applicationAddress),
        ]
        let reserved = Set(pocketHeaders.map { $0.name.lowercased() })
        var headers: [Header] = []
        for key in http.header.keys.sorted() where !reserved.contains(key.lowercased()) {
            for value in http.header[key]!.values { headers.append(Header(key, value)) }
        }
        headers += pocketHeaders
        var present = Set(headers.map { $0.name.lowercased() })
        for h in incoming?.headers ?? [] where h.name.lowercased().hasPrefix("pocket-") && !present.contains(h.name.lowercased()) {
            headers.append(h)
            present.insert(h.name.lowercased())
        }
        return BackendRequest(
            serviceID: admitted.header.serviceID, transport: admitted.transport,
            method: http.method.isEmpty ? "POST" : http.method, path: path, headers: headers, body: Bytes(http.bodyBz)
        )
    }

    /// `/path?query` of a URL (absolute or already a path); empty for an empty URL.
    static func pathAndQuery(of url: String) -> String {
        guard !url.isEmpty else { return "" }
        if url.hasPrefix("/") { return url }
        guard let scheme = url.range(of: "://") else { return "/" + url }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let tail = String(rest[slash...])
        return tail.hasPrefix("?") ? "/" + tail : tail
    }

    private enum Race: Sendable {
        case answered(BackendResponse)
        case failed(BackendError)
        case deadline
        case timerCancelled
    }

    /// Forwards with the service's deadline (a structured race against the clock).
    func forward(_ request: BackendRequest, deadline: Duration) async -> Result<BackendResponse, RelayRejection> {
        let backend = self.backend
        let clock = self.clock
        let due = clock.monotonicNow.advanced(by: deadline)
        let outcome: Race = await withTaskGroup(of: Race.self) { group in
            group.addTask {
                do throws(BackendError) { return .answered(try await backend.forward(request)) } catch { return .failed(error) }
            }
            group.addTask {
                do { try await clock.sleep(until: due) } catch { return .timerCancelled }
                return .deadline
            }
            var first: Race = .timerCancelled
            while let next = await group.next() {
                if case .timerCancelled = next { continue }
                first = next
                break
            }
            group.cancelAll()
            return first
        }
        switch outcome {
        case .answered(let response): return .success(response)
        case .failed(let error): return .failure(Self.rejection(for: error))
        case .deadline, .timerCancelled:
            return .failure(RelayRejection(.backendTimeout(service: request.serviceID, afterMilliseconds: deadline.milliseconds)))
        }
    }

    static func rejection(for error: BackendError) -> RelayRejection {
        switch error {
        case .notConfigured, .unavailable: return RelayRejection(.backendUnavailable(error))
        case .timeout(let service, let ms): return RelayRejection(.backendTimeout(service: service, afterMilliseconds: ms))
        case .transport, .responseTooLarge: return RelayRejection(.backendFailed(error))
        }
    }
}
