import AsyncHTTPClient
import DemoBackend
import Foundation
import NIOCore
import Testing

/// Runs demo backends in process on free loopback ports for the tests.
enum DemoBackendHarness {
    /// Runs `body` against a fresh backend (both listeners on 127.0.0.1, port 0), then stops it.
    static func run<T: Sendable>(
        id: String = "demo-test", startHeight: Int64 = 1,
        _ body: (DemoBackendServer, DemoBackendEndpoints) async throws -> T
    ) async throws -> T {
        var configuration = DemoBackendConfiguration.loopback(backendID: id)
        configuration.startHeight = startHeight
        let server = DemoBackendServer(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            let endpoints = try await server.endpoints
            return try await body(server, endpoints)
        }
    }
}

/// One HTTP answer, body read whole.
struct DemoHTTPAnswer: Sendable {
    let status: Int
    /// Header (name, value) pairs as received.
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as Foundation JSON (an independent parser from the backend's own).
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    }

    func object() throws -> [String: Any] {
        guard let object = try json() as? [String: Any] else { throw DemoTestFailure("not a JSON object: \(text)") }
        return object
    }

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
}

enum DemoHTTP {
    /// Sends one request with AsyncHTTPClient. The shared client inflates gzip bodies
    /// (`Content-Encoding: gzip`); pass a client without decompression to see the raw bytes.
    static func send(
        _ method: String, _ url: String, body: String? = nil, headers: [(String, String)] = [],
        client: HTTPClient = .shared, timeout: TimeAmount = .seconds(30)
    ) async throws -> DemoHTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: timeout)
        let collected = try await response.body.collect(upTo: 64 << 20)
        return DemoHTTPAnswer(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Array(buffer: collected))
    }

    static func post(_ url: String, _ body: String, headers: [(String, String)] = []) async throws -> DemoHTTPAnswer {
        try await send("POST", url, body: body, headers: headers)
    }

    static func get(_ url: String, headers: [(String, String)] = []) async throws -> DemoHTTPAnswer {
        try await send("GET", url, headers: headers)
    }

    /// The backend's `/stats`, read back over HTTP.
    static func stats(_ endpoints: DemoBackendEndpoints) async throws -> DemoBackendStats {
        try await stats(httpURL: endpoints.httpURL)
    }

    static func stats(httpURL: String) async throws -> DemoBackendStats {
        let answer = try await get(httpURL + "/stats")
        guard let stats = DemoBackendStats(json: try DemoJSON.parse(answer.body)) else { throw DemoTestFailure("bad /stats: \(answer.text)") }
        return stats
    }
}

/// `0x2a` → 42.
func demoHexQuantity(_ value: Any?) throws -> Int64 {
    guard let text = value as? String, text.hasPrefix("0x"), let number = Int64(text.dropFirst(2), radix: 16) else {
        throw DemoTestFailure("not a hex quantity: \(String(describing: value))")
    }
    return number
}

struct DemoTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
