import Foundation
import OperatorConfig
import RelayRuntime
import RelayRuntimeLive
import Testing

/// Each endpoint accepts only the URL forms its client can use.
@Suite struct SchemeRuleTests {
    func backendProblems(_ transport: String, _ url: String) -> [ConfigProblem] {
        problems(relayerYAML(services: """
          eth:
            backends:
              \(transport):
                url: "\(url)"
        """))
    }

    func backendLoads(_ transport: String, _ url: String) throws -> BackendPoolSettings? {
        let settings = try RelayerConfigFile.parse(yaml: relayerYAML(services: """
          eth:
            backends:
              \(transport):
                url: "\(url)"
        """))
        return settings.backends.services["eth"]?.pools.values.first
    }

    @Test(arguments: ["jsonrpc", "rest", "cometbft"])
    func httpFamilyTakesHTTPAndHTTPS(_ transport: String) throws {
        #expect(try backendLoads(transport, "http://a:1")?.endpoints.first?.name == "a:1")
        #expect(try backendLoads(transport, "https://a.example/x")?.endpoints.first?.name == "a.example:443")
        #expect(try backendLoads(transport, "http://[::1]:8545")?.endpoints.first?.name == "[::1]:8545")
        let ws = backendProblems(transport, "ws://a:1")
        #expect(problem(at: "services.eth.backends.\(transport).url", in: ws)?.message
            == #"\#(transport) backends use http:// or https://, got ws:// ("ws://a:1") (a WebSocket backend goes under backends.websocket)"#)
        let bare = backendProblems(transport, "a:1")
        #expect(problem(at: "services.eth.backends.\(transport).url", in: bare)?.message == #""a:1" has no scheme; write it as http://a:1"#)
    }

    @Test func websocketTakesWSAndWSS() throws {
        #expect(try backendLoads("websocket", "ws://a:8546/ws")?.endpoints.first?.name == "a:8546")
        #expect(try backendLoads("websocket", "wss://a.example/ws")?.endpoints.first?.name == "a.example:443")
        let http = backendProblems("websocket", "http://a:8546")
        #expect(problem(at: "services.eth.backends.websocket.url", in: http)?.message
            == #"websocket backends must use ws:// or wss://, got http:// ("http://a:8546"); an http URL cannot be dialed as a WebSocket"#)
    }

    @Test func grpcTakesHostPortOrHTTP() throws {
        #expect(try backendLoads("grpc", "a:50051")?.endpoints.first == BackendEndpoint(name: "a:50051", url: "a:50051"))
        #expect(try backendLoads("grpc", "http://a:50051")?.endpoints.first?.name == "a:50051")
        #expect(try backendLoads("grpc", "https://a.example")?.endpoints.first?.name == "a.example:443")
        let scheme = backendProblems("grpc", "grpc://a:50051")
        #expect(problem(at: "services.eth.backends.grpc.url", in: scheme)?.message
            == #"grpc backends are host:port (h2c) or http(s)://host:port, got grpc:// ("grpc://a:50051")"#)
        let noPort = backendProblems("grpc", "a")
        #expect(problem(at: "services.eth.backends.grpc.url", in: noPort)?.message.hasSuffix("a grpc backend is host:port (h2c) or http(s)://host:port") == true)
    }

    @Test func backendURLsNeedAHostAndAValidPort() {
        #expect(problem(at: "services.eth.backends.jsonrpc.url", in: backendProblems("jsonrpc", "http://:8545"))?.message == #""http://:8545" has no host"#)
        #expect(problem(at: "services.eth.backends.jsonrpc.url", in: backendProblems("jsonrpc", "http://a:70000")) != nil)
        #expect(problem(at: "services.eth.backends.jsonrpc.url", in: backendProblems("jsonrpc", "http://a b:1"))?.message == #""http://a b:1" contains spaces"#)
    }

    @Test func redisTakesRedisURLsOnly() throws {
        func redis(_ url: String) -> [ConfigProblem] { problems(minimalRelayerYAML + "\nredis:\n  url: \"\(url)\"\n") }
        let loaded = try RelayerConfigFile.parse(yaml: minimalRelayerYAML + "\nredis:\n  url: \"redis://u:p@r:7000/3\"\n")
        #expect(loaded.redis.url == RedisURL(host: "r", port: 7000, username: "u", password: "p", database: 3))
        #expect(problem(at: "redis.url", in: redis("rediss://r:6380"))?.message
            == "rediss:// (TLS) is not supported yet; use redis:// on a private network or through a TLS tunnel")
        #expect(problem(at: "redis.url", in: redis("redis-sentinel://s1:26379,s2:26379/mymaster"))?.message
            == "Redis Sentinel URLs are not supported yet; point the URL at the current primary (redis://host:port)")
        #expect(problem(at: "redis.url", in: redis("redis-cluster://n1:7000,n2:7000"))?.message
            == "Redis Cluster URLs (several hosts) are not supported yet; use one redis://host:port")
        #expect(problem(at: "redis.url", in: redis("redis://n1:6379,n2:6379"))?.message
            == "Redis Cluster URLs (several hosts) are not supported yet; use one redis://host:port")
        #expect(problem(at: "redis.url", in: redis("http://r:6379"))?.message == "invalid Redis URL: unsupported scheme 'http' (only redis://, no TLS)")
    }

    @Test func redisURLOverrideReplacesTheFile() throws {
        let yaml = minimalRelayerYAML + "\nredis:\n  url: \"redis://from-file:6379\"\n"
        let settings = try RelayerConfigFile.parse(yaml: yaml, redisURLOverride: "redis://from-flag:6390/1")
        #expect(settings.redis.url == RedisURL(host: "from-flag", port: 6390, database: 1))
        // The override is checked like the file's URL and reported under the flag's name.
        let found = problems(yaml, redisURLOverride: "rediss://from-flag:6390")
        #expect(found.map(\.keyPath) == ["--redis-url"])
        // A broken URL in the file does not matter once the flag replaces it.
        let broken = minimalRelayerYAML + "\nredis:\n  url: \"redis-sentinel://x\"\n"
        #expect(try RelayerConfigFile.parse(yaml: broken, redisURLOverride: "redis://ok:6379").redis.url == RedisURL(host: "ok"))
    }

    @Test func chainEndpoints() throws {
        func chain(rpc: String, grpc: String) throws -> ChainEndpoints {
            let yaml = minimalRelayerYAML.replacingOccurrences(of: "http://node:26657", with: rpc)
                .replacingOccurrences(of: "\"node:9090\"", with: "\"\(grpc)\"")
            return try RelayerConfigFile.parse(yaml: yaml).chain
        }
        #expect(try chain(rpc: "http://n:26657", grpc: "n:9090").grpcURL == "n:9090")
        #expect(try chain(rpc: "tcp://n:26657", grpc: "grpcs://n.example").grpcURL == "n.example:443")
        #expect(try chain(rpc: "https://n.example", grpc: "http://n:9090/").grpcURL == "n:9090")
        let badGRPC = problems(minimalRelayerYAML.replacingOccurrences(of: "\"node:9090\"", with: "\"node\""))
        #expect(problem(at: "pocket_node.query_node_grpc_url", in: badGRPC)?.message == #"gRPC endpoint "node" has no port; expected host:port"#)
        let badRPC = problems(minimalRelayerYAML.replacingOccurrences(of: "http://node:26657", with: "ws://node:26657"))
        #expect(problem(at: "pocket_node.query_node_rpc_url", in: badRPC)?.message == "the node RPC URL must use http:// or https://, got ws://")
    }

    @Test func listenAddressesAreHostPort() {
        let found = problems(minimalRelayerYAML + """

        listen_addr: "http://0.0.0.0:8080"
        h2c_listen_addr: "0.0.0.0:99999"
        health_check:
          addr: "localhost"
        """)
        #expect(problem(at: "listen_addr", in: found)?.message == #""http://0.0.0.0:8080" has a scheme; a listen address is host:port such as 0.0.0.0:8080"#)
        #expect(problem(at: "h2c_listen_addr", in: found)?.message == #""0.0.0.0:99999": port "99999" is not a number from 0 to 65535"#)
        #expect(problem(at: "health_check.addr", in: found)?.message == #""localhost" has no port; expected host:port such as 0.0.0.0:8080"#)
    }
}
