import GRPCCore
import GRPCNIOTransportHTTP2
import RelayRuntime
import RelayRuntimeLive
import Testing

/// A gRPC service over raw bytes: `Echo` answers "echo:" + the request with
/// metadata and trailers, `Deny` fails with PERMISSION_DENIED.
struct RawEchoService: RegistrableRPCService {
    struct Bytes: MessageSerializer, MessageDeserializer {
        func serialize<Out: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Out { Out(message) }
        func deserialize<In: GRPCContiguousBytes>(_ bytes: In) throws -> [UInt8] { bytes.withUnsafeBytes { Array($0) } }
    }

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: MethodDescriptor(fullyQualifiedService: "test.Echo", method: "Echo"), deserializer: Bytes(), serializer: Bytes()
        ) { request, _ in
            var received: [UInt8] = []
            for try await message in request.messages { received = message }
            let supplier = request.metadata[stringValues: "pocket-supplier"].first(where: { _ in true }) ?? "none"
            var metadata = Metadata()
            metadata.addString(supplier, forKey: "x-echo-supplier")
            let reply = Array("echo:".utf8) + received
            return StreamingServerResponse(metadata: metadata) { writer in
                try await writer.write(reply)
                return ["x-trailer": "done"]
            }
        }
        router.registerHandler(
            forMethod: MethodDescriptor(fullyQualifiedService: "test.Echo", method: "Deny"), deserializer: Bytes(), serializer: Bytes()
        ) { _, _ in
            StreamingServerResponse(error: RPCError(code: .permissionDenied, message: "not for you", metadata: ["x-reason": "test"]))
        }
    }
}

@Suite("gRPC pass-through")
struct GRPCForwardingTests {
    static func frame(_ text: String, compressed: Bool = false) -> [UInt8] {
        let bytes = Array(text.utf8)
        let n = UInt32(bytes.count)
        return [compressed ? 1 : 0, UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)] + bytes
    }

    /// Runs a server for the duration of `body` (with its port).
    static func withServer(_ body: (Int) async throws -> Void) async throws {
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext),
            services: [RawEchoService()])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            guard let port = try await server.transport.listeningAddress.ipv4?.port else {
                server.beginGracefulShutdown()
                throw TestSetupError("gRPC test server did not bind")
            }
            do {
                try await body(port)
            } catch {
                server.beginGracefulShutdown()
                throw error
            }
            server.beginGracefulShutdown()
            try await group.waitForAll()
        }
    }

    static func request(_ path: String, body: [UInt8]) -> BackendRequest {
        BackendRequest(
            serviceID: "svc", transport: .grpc, method: "POST", path: path,
            headers: [Header("content-type", "application/grpc+proto"), Header("te", "trailers"), Header("Pocket-Supplier", "pokt1s")],
            body: body)
    }

    @Test("a unary call passes through: message, metadata and trailers, grpc-status 0, the reply re-framed")
    func echo() async throws {
        try await Self.withServer { port in
            let configuration = singlePool(transport: .grpc, BackendPoolSettings(endpoints: endpoints(("g", "127.0.0.1:\(port)"))))
            try await withBackend(configuration) { backend in
                let answer = try completeAnswer(try await backend.forward(Self.request("/test.Echo/Echo", body: Self.frame("ping"))))
                #expect(answer.status == 200)
                #expect(answer.body == Self.frame("echo:ping"))
                #expect(value("grpc-status", in: answer.headers) == ["0"])
                #expect(value("x-echo-supplier", in: answer.headers) == ["pokt1s"])
                #expect(value("x-trailer", in: answer.headers) == ["done"])
                #expect(value("content-type", in: answer.headers) == ["application/grpc"])
            }
        }
    }

    @Test("a gRPC error status from the backend is an answer with grpc-status and grpc-message in its headers")
    func errorStatus() async throws {
        try await Self.withServer { port in
            let configuration = singlePool(transport: .grpc, BackendPoolSettings(endpoints: endpoints(("g", "http://127.0.0.1:\(port)"))))
            try await withBackend(configuration) { backend in
                let answer = try completeAnswer(try await backend.forward(Self.request("/test.Echo/Deny", body: Self.frame("x"))))
                #expect(answer.status == 200)
                #expect(answer.body.isEmpty)
                #expect(value("grpc-status", in: answer.headers) == ["7"])
                #expect(value("grpc-message", in: answer.headers) == ["not for you"])
                #expect(value("x-reason", in: answer.headers) == ["test"])
                #expect(backend.health().first?.healthy == true)
            }
        }
    }

    @Test("a compressed frame or a path that is not a method is refused with a clear transport error, nothing sent")
    func badRequests() async throws {
        try await Self.withServer { port in
            let configuration = singlePool(transport: .grpc, BackendPoolSettings(endpoints: endpoints(("g", "127.0.0.1:\(port)"))))
            try await withBackend(configuration) { backend in
                guard case .transport(_, let reason)? = await forwardError(backend, Self.request("/test.Echo/Echo", body: Self.frame("x", compressed: true))) else {
                    Issue.record("expected a transport error for a compressed frame")
                    return
                }
                #expect(reason.contains("compressed"))
                guard case .transport(_, let pathReason)? = await forwardError(backend, Self.request("/not-a-method", body: Self.frame("x"))) else {
                    Issue.record("expected a transport error for a bad path")
                    return
                }
                #expect(pathReason.contains("/package.Service/Method"))
            }
        }
    }

    @Test("active probes call a gRPC method: an OK reply with the expected text keeps the endpoint up, an error status takes it down")
    func grpcProbes() async throws {
        try await Self.withServer { port in
            func pool(probing method: String) -> LiveBackendConfiguration {
                let check = BackendHealthCheck(
                    enabled: true, path: method, interval: .milliseconds(50), timeout: .seconds(2), unhealthyThreshold: 2,
                    healthyThreshold: 1, requestBody: "probe", expectedBody: "echo:probe")
                return singlePool(transport: .grpc, BackendPoolSettings(
                    endpoints: endpoints(("g", "127.0.0.1:\(port)")), healthCheck: check, recoveryTimeout: .seconds(3600)))
            }
            let telemetry = RecordingTelemetry()
            let labels: TelemetryLabels = [("service", "svc"), ("transport", "grpc"), ("endpoint", "g")]
            try await withBackend(pool(probing: "/test.Echo/Echo"), telemetry: telemetry, clock: ManualClock(), start: true) { backend in
                try await eventually("three passing probes") { telemetry.counter(RelayerMetrics.backendHealthProbes, labels + [("result", "pass")]) >= 3 }
                #expect(telemetry.counter(RelayerMetrics.backendHealthProbes, labels + [("result", "fail")]) == 0)
                #expect(backend.health().first?.healthy == true)
            }
            try await withBackend(pool(probing: "/test.Echo/Deny"), clock: ManualClock(), start: true) { backend in
                try await eventually("the endpoint marked unhealthy") { backend.health().first?.healthy == false }
                guard case .unavailable? = await forwardError(backend, Self.request("/test.Echo/Echo", body: Self.frame("x"))) else {
                    Issue.record("a probed-down gRPC endpoint takes no relays")
                    return
                }
            }
        }
    }

    @Test("a reply over the answer limit is responseTooLarge")
    func replyLimit() async throws {
        try await Self.withServer { port in
            let configuration = singlePool(
                transport: .grpc, BackendPoolSettings(endpoints: endpoints(("g", "127.0.0.1:\(port)"))), maxResponseBodyBytes: 8)
            try await withBackend(configuration) { backend in
                let error = await forwardError(backend, Self.request("/test.Echo/Echo", body: Self.frame("a long request")))
                #expect(error == .responseTooLarge(service: "svc", limit: 8))
                #expect(backend.health().first?.healthy == true)
            }
        }
    }

    @Test("no server at the endpoint is a transport failure (502)")
    func connectionRefused() async throws {
        let refusing = try RefusingPort()
        let port = refusing.port
        defer { withExtendedLifetime(refusing) {} }
        let configuration = singlePool(transport: .grpc, BackendPoolSettings(endpoints: endpoints(("g", "127.0.0.1:\(port)")), maxRetries: 0))
        try await withBackend(configuration) { backend in
            let error = await forwardError(backend, Self.request("/test.Echo/Echo", body: Self.frame("x")))
            guard case .transport(let service, _)? = error else {
                Issue.record("expected transport, got \(String(describing: error))")
                return
            }
            #expect(service == "svc")
        }
    }
}
