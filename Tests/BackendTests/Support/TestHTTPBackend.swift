#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RelayRuntime

/// A request as the test backend received it.
struct ReceivedRequest: Sendable {
    let method: String
    /// Path and query as sent on the wire.
    let uri: String
    let headers: [Header]
    let body: [UInt8]

    /// Every value of `name` (case-insensitive), in order.
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

/// A Hummingbird server on 127.0.0.1 (a free port) whose answers a test
/// writes as a closure; it records every request it gets, so a test can
/// count what reached the backend. WebSocket upgrades go to `webSocket`.
final class TestHTTPBackend: Sendable {
    typealias Handler = @Sendable (ReceivedRequest) async throws -> Response
    typealias WebSocketHandler = @Sendable (ReceivedRequest, WebSocketInboundStream, WebSocketOutboundWriter) async throws -> Void

    let id: String
    let port: Int
    private let received: NIOLockedValueBox<[ReceivedRequest]>
    private let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [ReceivedRequest] { received.withLockedValue { $0 } }
    var requestCount: Int { received.withLockedValue { $0.count } }

    private init(id: String, port: Int, received: NIOLockedValueBox<[ReceivedRequest]>, task: Task<Void, any Error>) {
        self.id = id
        self.port = port
        self.received = received
        self.task = task
    }

    static func start(id: String = "backend", webSocket: WebSocketHandler? = nil, _ handler: @escaping Handler) async throws -> TestHTTPBackend {
        let received = NIOLockedValueBox<[ReceivedRequest]>([])
        let (ports, portContinuation) = AsyncStream<Int>.makeStream(bufferingPolicy: .bufferingNewest(1))
        var logger = Logger(label: "test-backend-\(id)")
        logger.logLevel = .critical
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
            let recorded = ReceivedRequest(
                method: request.method.rawValue, uri: request.uri.string,
                headers: request.headers.map { Header($0.name.rawName, $0.value) }, body: Array(body.readableBytesView))
            received.withLockedValue { $0.append(recorded) }
            return try await handler(recorded)
        }
        let app = Application(
            responder: responder,
            server: .http1WebSocketUpgrade { head, _, _ in
                guard let webSocket else { return .dontUpgrade }
                let recorded = ReceivedRequest(
                    method: head.method.rawValue, uri: head.path ?? "/", headers: head.headerFields.map { Header($0.name.rawName, $0.value) },
                    body: [])
                received.withLockedValue { $0.append(recorded) }
                return .upgrade([:], { inbound, outbound, _ in try await webSocket(recorded, inbound, outbound) })
            },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)
        let task = Task { try await app.runService() }
        var port = 0
        for await bound in ports {
            port = bound
            break
        }
        guard port > 0 else {
            task.cancel()
            throw TestSetupError("test backend \(id) did not start")
        }
        return TestHTTPBackend(id: id, port: port, received: received, task: task)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

}

/// A loopback port that refuses connections: bound by a socket that never
/// listens, so no other test's server can take it while it is held.
final class RefusingPort: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw TestSetupError("bind() failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            close(fd)
            throw TestSetupError("getsockname() failed: errno \(errno)")
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Response {
    /// A plain answer tagged with the backend's id (`X-Backend-Id`).
    static func tagged(_ id: String, status: HTTPResponse.Status = .ok, body: String = "") -> Response {
        var headers = HTTPFields()
        headers[.init("X-Backend-Id")!] = id
        headers[.contentType] = "text/plain"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body.isEmpty ? id : body)))
    }
}
