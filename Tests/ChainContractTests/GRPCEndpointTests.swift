import RelayRuntimeLive
import Testing

/// `host:port` as operators write it, and the typos refused at startup.
struct GRPCEndpointTests {
    @Test func validEndpoints() throws {
        #expect(try GRPCEndpoint(parsing: "127.0.0.1:9090") == GRPCEndpoint(host: "127.0.0.1", port: 9090))
        #expect(try GRPCEndpoint(parsing: " shannon-grpc.example.org:443 ") == GRPCEndpoint(host: "shannon-grpc.example.org", port: 443))
        let v6 = try GRPCEndpoint(parsing: "[::1]:9090")
        #expect(v6 == GRPCEndpoint(host: "::1", port: 9090) && v6.description == "[::1]:9090")
        #expect(try LiveChainQueriesConfiguration(endpoint: "node:9090").endpoint.description == "node:9090")
    }

    @Test func typosAreRefusedWithTheReason() {
        let cases: [(String, GRPCEndpointError)] = [
            ("", .empty),
            ("localhost", .missingPort("localhost")),
            ("http://node:9090", .schemeNotAllowed("http://node:9090")),
            ("node:0", .invalidPort("node:0", "0")),
            ("node:70000", .invalidPort("node:70000", "70000")),
            ("node:90a", .invalidPort("node:90a", "90a")),
            (":9090", .malformed(":9090", "empty host")),
            ("::1:9090", .malformed("::1:9090", "an IPv6 address must be written in brackets, [addr]:port")),
            ("[::1]", .missingPort("[::1]")),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { try GRPCEndpoint(parsing: text) }
        }
    }
}
