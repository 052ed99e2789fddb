import CompressNIO
import Hummingbird
import NIOCore
import RelayRuntime
import RelayRuntimeLive
import Testing

@Suite("HTTP forwarding: URL, headers, bodies")
struct HTTPForwardingTests {
    @Test("endpoint path, base path and request path merge with one slash each; queries merge endpoint first")
    func urlMerge() async throws {
        let server = try await TestHTTPBackend.start { _ in Response(status: .ok) }
        defer { Task { await server.stop() } }
        let cases: [(endpoint: String, basePath: String?, request: String, expected: String)] = [
            (server.url, nil, "/", "/"),
            (server.url + "/", "/v1", "/", "/v1"),
            (server.url + "/v1", "/eth/", "//blocks//latest", "/v1/eth/blocks/latest"),
            (server.url + "/v1/?key=abc", nil, "/status?height=5", "/v1/status?key=abc&height=5"),
            (server.url + "?key=abc", "base", "?only=query", "/base?key=abc&only=query"),
            (server.url + "/a", nil, "/b/", "/a/b/"),
        ]
        for (index, item) in cases.enumerated() {
            let pool = BackendPoolSettings(endpoints: endpoints(("e", item.endpoint)), basePath: item.basePath)
            try await withBackend(singlePool(pool)) { backend in
                _ = try await backend.forward(relayRequest(method: "GET", path: item.request, body: ""))
            }
            #expect(server.requests[index].uri == item.expected, "case \(index): \(item.endpoint) + \(item.basePath ?? "-") + \(item.request)")
        }
    }

    @Test("method and body pass through; Accept-Encoding becomes identity; pool headers replace the relay's")
    func headerRules() async throws {
        let server = try await TestHTTPBackend.start { _ in Response(status: .ok) }
        defer { Task { await server.stop() } }
        let pool = BackendPoolSettings(
            endpoints: endpoints(("e", server.url)), headers: [Header("X-Override", "pool"), Header("X-Pool-Only", "yes")])
        try await withBackend(singlePool(pool)) { backend in
            let request = relayRequest(
                method: "PUT", path: "/thing",
                headers: [
                    Header("X-Override", "client"), Header("x-override", "client-again"), Header("Accept-Encoding", "gzip, br"),
                    Header("Content-Length", "999"), Header("Pocket-Supplier", "pokt1supplier"), Header("X-Client", "kept"),
                ],
                body: "{\"id\":1}")
            _ = try await backend.forward(request)
        }
        let seen = try #require(server.requests.first)
        #expect(seen.method == "PUT")
        #expect(String(decoding: seen.body, as: UTF8.self) == "{\"id\":1}")
        #expect(seen.values("Accept-Encoding") == ["identity"])
        #expect(seen.values("X-Override") == ["pool"])
        #expect(seen.values("X-Pool-Only") == ["yes"])
        #expect(seen.values("X-Client") == ["kept"])
        #expect(seen.values("Pocket-Supplier") == ["pokt1supplier"])
        #expect(seen.values("Content-Length") == ["8"])
    }

    @Test("each credential kind becomes the Authorization header, replacing the relay's", arguments: [
        (BackendAuthentication.basic(username: "alice", password: "s3cret"), "Basic YWxpY2U6czNjcmV0"),
        (BackendAuthentication.bearer("tok-123"), "Bearer tok-123"),
        (BackendAuthentication.plain("ApiKey xyz"), "ApiKey xyz"),
    ])
    func authentication(kind: BackendAuthentication, expected: String) async throws {
        let server = try await TestHTTPBackend.start { _ in Response(status: .ok) }
        defer { Task { await server.stop() } }
        let pool = BackendPoolSettings(endpoints: endpoints(("e", server.url)), authentication: kind)
        try await withBackend(singlePool(pool)) { backend in
            _ = try await backend.forward(relayRequest(headers: [Header("Authorization", "Bearer from-client")]))
        }
        #expect(try #require(server.requests.first).values("Authorization") == [expected])
    }

    @Test("a gzip answer is inflated; Content-Encoding dropped, Content-Length fixed (declared, and by magic bytes only)")
    func gzipAnswer() async throws {
        let plain = String(repeating: "{\"jsonrpc\":\"2.0\",\"result\":\"0x1\"}", count: 200)
        var source = ByteBuffer(string: plain)
        let compressed = try source.compress(with: .gzip())
        let server = try await TestHTTPBackend.start { request in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            if request.uri == "/declared" { headers[.contentEncoding] = "gzip" }
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: compressed))
        }
        defer { Task { await server.stop() } }
        try await withBackend(singlePool(BackendPoolSettings(endpoints: endpoints(("e", server.url))))) { backend in
            for path in ["/declared", "/undeclared"] {
                let answer = try completeAnswer(try await backend.forward(relayRequest(path: path)))
                #expect(answer.status == 200)
                #expect(String(decoding: answer.body, as: UTF8.self) == plain, "\(path)")
                #expect(value("Content-Encoding", in: answer.headers).isEmpty, "\(path)")
                #expect(value("Content-Length", in: answer.headers) == [String(plain.utf8.count)], "\(path)")
            }
        }
        #expect(compressed.readableBytes < plain.utf8.count / 10)
    }

    @Test("an answer over the limit is responseTooLarge, compressed or not")
    func bodyLimit() async throws {
        let big = String(repeating: "x", count: 5_000)
        var source = ByteBuffer(string: big)
        let compressed = try source.compress(with: .gzip())
        let server = try await TestHTTPBackend.start { request in
            if request.uri == "/gzip" {
                var headers = HTTPFields()
                headers[.contentEncoding] = "gzip"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: compressed))
            }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: big)))
        }
        defer { Task { await server.stop() } }
        let configuration = singlePool(BackendPoolSettings(endpoints: endpoints(("e", server.url))), maxResponseBodyBytes: 4_096)
        try await withBackend(configuration) { backend in
            #expect(await forwardError(backend, relayRequest(path: "/plain")) == .responseTooLarge(service: "svc", limit: 4_096))
            #expect(await forwardError(backend, relayRequest(path: "/gzip")) == .responseTooLarge(service: "svc", limit: 4_096))
            #expect(backend.health().first?.healthy == true)
        }
        #expect(compressed.readableBytes < 4_096)
    }

    @Test("no pool for the (service, transport) is notConfigured")
    func notConfigured() async throws {
        try await withBackend(singlePool(BackendPoolSettings(endpoints: endpoints(("e", "http://127.0.0.1:1"))))) { backend in
            #expect(await forwardError(backend, relayRequest(transport: .rest)) == .notConfigured(service: "svc", transport: "rest"))
            #expect(await forwardError(backend, relayRequest(service: "other")) == .notConfigured(service: "other", transport: "jsonrpc"))
        }
    }

    @Test("a URL whose scheme does not fit the transport is refused at startup")
    func badURL() throws {
        let configuration = singlePool(BackendPoolSettings(endpoints: endpoints(("e", "ws://127.0.0.1:1"))))
        #expect(throws: LiveBackendConfigurationError.self) { try LiveBackend(configuration: configuration, telemetry: NullTelemetry()) }
    }
}
