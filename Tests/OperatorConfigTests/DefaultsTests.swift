import Foundation
import OperatorConfig
import RelayRuntime
import RelayRuntimeLive
import Testing

/// Every key left out takes a documented default (the reference's, or ours for our keys).
@Suite struct DefaultsTests {
    func load() throws -> RelayerSettings { try RelayerConfigFile.parse(yaml: minimalRelayerYAML) }

    @Test func minimalFileLoadsWithoutWarnings() throws {
        #expect(try load().warnings == [])
    }

    @Test func serverDefaults() throws {
        let server = try load().server
        #expect(server.listenAddress == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(server.grpcListenAddress == ListenAddress(host: "0.0.0.0", port: 8082))
        #expect(server.h2cListenAddress == nil)
        #expect(server.limits == ServerLimits(maxConnections: 10_000, readHeaderTimeout: .seconds(10), idleTimeout: .seconds(120), shutdownGracePeriod: .seconds(30)))
    }

    @Test func sideServerDefaults() throws {
        let settings = try load()
        #expect(settings.metrics == EndpointToggle(enabled: true, address: ListenAddress(host: "0.0.0.0", port: 9090)))
        #expect(settings.health == EndpointToggle(enabled: true, address: ListenAddress(host: "0.0.0.0", port: 8081)))
        #expect(settings.pprof == EndpointToggle(enabled: false, address: ListenAddress(host: "0.0.0.0", port: 6060)))
        #expect(settings.logging == LoggingSettings(level: .info, format: .json))
        #expect(settings.responseCompression == ResponseCompression(enabled: false, minSizeBytes: 1024))
        #expect(settings.cacheWarmup == CacheWarmupSettings(enabled: true, knownApplications: [], concurrency: 10, timeoutPerApplication: .seconds(5)))
    }

    @Test func redisChainAndKeysDefaults() throws {
        let settings = try load()
        #expect(settings.redis.url == RedisURL(host: "localhost", port: 6379))
        #expect(settings.redis.maxConnections == 50)
        #expect(settings.chain.grpcInsecure == false)
        #expect(settings.chain.chainID == nil)
        #expect(settings.keys == KeysSource(keysFile: "/keys/supplier-keys.yaml"))
        #expect(settings.keysReloadInterval == .seconds(30))
    }

    @Test func meterDefaultsToTheReferenceFailOpen() throws {
        let core = try load().relayer
        #expect(core.meter.enabled == true)
        #expect(core.meter.onRedisFailure == .failOpen)
        #expect(core.meter.keyTTL == .seconds(7_200))
        #expect(core.redisKeys.prefix == "ha")
    }

    @Test func serviceDefaults() throws {
        let settings = try load()
        let service = try #require(settings.relayer.services["eth"])
        #expect(service.maxRequestBodyBytes == 10 * 1024 * 1024)
        #expect(service.backendDeadline == .seconds(30))
        #expect(service.transports == [.jsonRPC])
        #expect(settings.relayer.maxRequestBodyBytes == 10 * 1024 * 1024)
        #expect(settings.relayer.defaultTransport == .jsonRPC)
        #expect(settings.defaultBackends == ["eth": .jsonRPC])
    }

    @Test func poolDefaults() throws {
        let backends = try load().backends
        #expect(backends.connections == BackendConnectionSettings(maxConnectionsPerHost: 500, idleTimeout: .seconds(90), connectTimeout: .seconds(5)))
        let service = try #require(backends.services["eth"])
        #expect(service.requestTimeout == .seconds(30))
        #expect(service.maxResponseBodyBytes == 10 * 1024 * 1024)
        let pool = try #require(service.pools[.jsonRPC])
        #expect(pool.endpoints == [BackendEndpoint(name: "geth:8545", url: "http://geth:8545")])
        #expect(pool.basePath == nil)
        #expect(pool.loadBalancing == .firstHealthy)
        #expect(pool.headers == [])
        #expect(pool.authentication == nil)
        #expect(pool.maxRetries == 1)
        #expect(pool.recoveryTimeout == .seconds(30))
        #expect(pool.unhealthyThreshold == 5)
        #expect(pool.healthCheck == BackendHealthCheck())
    }

    @Test func twoURLsBalanceRoundRobinByDefault() throws {
        let yaml = relayerYAML(services: """
          eth:
            backends:
              jsonrpc:
                urls: ["http://a:8545", "http://b:8545"]
        """)
        let pool = try #require(try RelayerConfigFile.parse(yaml: yaml).backends.services["eth"]?.pools[.jsonRPC])
        #expect(pool.loadBalancing == .roundRobin)
    }

    @Test func healthCheckDefaultsWhenOnlyEnabled() throws {
        let yaml = relayerYAML(services: """
          eth:
            backends:
              jsonrpc:
                url: "http://a:8545"
                health_check:
                  enabled: true
                  endpoint: /status
                  interval_seconds: 7
        """)
        let pool = try #require(try RelayerConfigFile.parse(yaml: yaml).backends.services["eth"]?.pools[.jsonRPC])
        #expect(pool.healthCheck == BackendHealthCheck(
            enabled: true, path: "/status", interval: .seconds(7), timeout: .seconds(5), unhealthyThreshold: 3, healthyThreshold: 2, method: "GET"
        ))
        #expect(pool.unhealthyThreshold == 5)
    }

    @Test func serviceWithoutJSONRPCDefaultsToItsOnlyBackend() throws {
        let yaml = relayerYAML(services: """
          feed:
            backends:
              websocket:
                url: "ws://feed:8546"
          multi:
            backends:
              rest:
                url: "http://a:1"
              grpc:
                url: "a:2"
        """)
        let settings = try RelayerConfigFile.parse(yaml: yaml)
        #expect(settings.defaultBackends == ["feed": .websocket])
        #expect(settings.relayer.defaultTransport == .jsonRPC)
    }

    @Test func emptyGRPCListenAddressTurnsTheGRPCPortOff() throws {
        let quoted = try RelayerConfigFile.parse(yaml: minimalRelayerYAML + "\ngrpc_listen_addr: \"\"\n")
        #expect(quoted.server.grpcListenAddress == nil)
        let bare = try RelayerConfigFile.parse(yaml: minimalRelayerYAML + "\ngrpc_listen_addr:\n")
        #expect(bare.server.grpcListenAddress == nil)
        let h2c = try RelayerConfigFile.parse(yaml: minimalRelayerYAML + "\nh2c_listen_addr: \"127.0.0.1:8443\"\n")
        #expect(h2c.server.h2cListenAddress == ListenAddress(host: "127.0.0.1", port: 8443))
    }

    @Test func ourKeysAreRead() throws {
        let yaml = minimalRelayerYAML.replacingOccurrences(of: "keys_file: \"/keys/supplier-keys.yaml\"", with: """
        keys_file: "/keys/supplier-keys.yaml"
          reload_interval_seconds: 0
        """) + """

        server:
          max_connections: 5
          read_header_timeout_seconds: 2
          idle_timeout_seconds: 3
          shutdown_timeout_seconds: 4
        """
        let settings = try RelayerConfigFile.parse(yaml: yaml)
        #expect(settings.server.limits == ServerLimits(maxConnections: 5, readHeaderTimeout: .seconds(2), idleTimeout: .seconds(3), shutdownGracePeriod: .seconds(4)))
        #expect(settings.keysReloadInterval == .zero)
    }
}
