import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import RelayRuntime
import RelayRuntimeLive
import SimChain
import StandInServer
import Testing

/// The CometBFT face of the stand-in under test: the stand-in tests' chain,
/// its blocks produced on the wall clock by the stand-in's producer, served
/// by `CometRPCServer` on a free loopback port.
enum CometStandIn {
    static let blockTime = Duration.milliseconds(150)

    static func makeChain(blockTime: Duration = blockTime) -> (FakeChain, WallClockBlockProducer) {
        let clock = SystemClock()
        var genesis = StandIn.genesis(start: clock.now)
        genesis.blockTime = blockTime
        let chain = FakeChain(genesis: genesis, clock: clock, entropy: SystemEntropy(), telemetry: NullTelemetry())
        return (chain, WallClockBlockProducer(chain: chain, blockTime: blockTime, clock: clock))
    }

    /// Runs `body` with a producing chain and its CometBFT server's port.
    static func run(_ body: @Sendable (FakeChain, WallClockBlockProducer, Int) async throws -> Void) async throws {
        let (chain, producer) = makeChain()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await producer.run() }
            defer { group.cancelAll() }
            try await CometRPCServer.withServer(chain: chain, producer: producer) { _, port in
                try await body(chain, producer, port)
            }
        }
    }

    /// A live client of the server on `port`, shut down after `body`.
    static func withClient<T>(port: Int, timeout: Duration = .seconds(2), _ body: (CometBFTClient) async throws -> T) async throws -> T {
        let configuration = CometBFTConfiguration(
            rpcURL: "http://127.0.0.1:\(port)", requestTimeout: timeout,
            reconnectBackoff: ReconnectBackoffPolicy(initial: .milliseconds(50), maximum: .milliseconds(400))
        )
        return try await CometBFTClient.withClient(configuration: configuration, body)
    }

    /// A loopback port nothing listens on (bound, read, released).
    static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress!.port!
        try channel.close().wait()
        return port
    }
}

/// Raw HTTP against the server, for the JSON shapes and error bodies.
enum RawHTTP {
    struct Answer: Sendable {
        let status: UInt
        let body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    static func get(_ port: Int, _ path: String) async throws -> Answer {
        try await send(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"))
    }

    static func post(_ port: Int, _ path: String, _ body: String) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request)
    }

    private static func send(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: response.status.code, body: String(buffer: body))
    }
}

/// Raw WebSocket exchange: sends `requests`, returns the first `count` text messages.
func webSocketExchange(port: Int, send requests: [String], receive count: Int) async throws -> [String] {
    let received = NIOLockedValueBoxStrings()
    var logger = Logger(label: "test.ws")
    logger.logLevel = .critical
    try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/websocket", logger: logger) { inbound, outbound, _ in
        for request in requests { try await outbound.write(.text(request)) }
        for try await message in inbound.messages(maxSize: 1 << 20) {
            guard case .text(let text) = message else { continue }
            if received.append(text) >= count { break }
        }
    }
    return received.values
}

final class NIOLockedValueBoxStrings: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ text: String) -> Int { lock.withLock { items.append(text); return items.count } }
    var values: [String] { lock.withLock { items } }
}

/// Expects `body` to fail with the `ChainError` case `kind` names; returns the error.
@discardableResult
func expectChainError<T>(_ kind: String, sourceLocation: SourceLocation = #_sourceLocation,
                         _ body: () async throws -> T) async -> ChainError? {
    do {
        let value = try await body()
        Issue.record("expected .\(kind), got \(value)", sourceLocation: sourceLocation)
    } catch let error as ChainError {
        let actual: String
        switch error {
        case .unavailable: actual = "unavailable"
        case .timeout: actual = "timeout"
        case .notFound: actual = "notFound"
        case .invalidResponse: actual = "invalidResponse"
        }
        #expect(actual == kind, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a ChainError .\(kind), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Polls `condition` for up to `seconds` of wall time.
func eventually(_ what: String, seconds: Int = 15, _ condition: () async throws -> Bool) async throws {
    for _ in 0..<(seconds * 20) {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestFailure("timed out waiting for \(what)")
}
