import OperatorConfig
import RelayRuntime
import RelayRuntimeLive
import Testing

/// A relayer file written the way operators of the reference relay miner
/// write theirs, touching every section, must load and map onto our settings.
@Suite struct ReferenceFileTests {
    static let yaml = """
    listen_addr: "0.0.0.0:8545"
    redis:
      url: "redis://:s3cret@redis.internal:6380/2"
      pool_size: 120
      min_idle_conns: 10
      pool_timeout_seconds: 4
      conn_max_idle_time_seconds: 300
      namespace:
        base_prefix: "prod"
    pocket_node:
      query_node_rpc_url: "https://rpc.pocket.example:443"
      query_node_grpc_url: "https://grpc.pocket.example:443"
      grpc_insecure: false
    keys:
      keys_file: "/etc/relayer/supplier-keys.yaml"
      keys_dir: "keys.d"
    services:
      eth:
        validation_mode: eager
        timeout_profile: fast
        pool_profile: medium
        max_body_size_bytes: 2097152
        default_backend: jsonrpc
        backends:
          jsonrpc:
            load_balancing: round_robin
            urls:
              - "http://geth-1:8545"
              - name: geth-backup
                url: "https://geth-2.example:8443/rpc"
            base_path: "/v1"
            headers:
              X-Api-Key: "abc"
              X-Tier: 2
            authentication:
              bearer_token: "tok"
            health_check:
              enabled: true
              endpoint: "/health"
              interval_seconds: 15
              timeout_seconds: 3
              unhealthy_threshold: 4
              healthy_threshold: 1
              method: post
              request_body: '{"jsonrpc":"2.0","method":"eth_blockNumber","id":1}'
              expected_body: "result"
              expected_status: [200]
              headers:
                X-Probe: "1"
            max_retries: 2
            recovery_timeout_seconds: 45
          websocket:
            url: "wss://geth-1.example/ws"
            authentication:
              username: "user"
              password: "pass"
      llm:
        validation_mode: eager
        timeout_profile: streaming
        default_backend: rest
        backends:
          rest:
            url: "http://llm:8000"
            load_balancing: first_healthy
            authentication:
              plain_token: "raw-token"
          grpc:
            url: "llm-grpc:50051"
          cometbft:
            url: "http://validator:26657"
    default_validation_mode: eager
    default_request_timeout_seconds: 20
    default_max_body_size_bytes: 1048576
    grace_period_extra_blocks: 2
    metrics:
      enabled: true
      addr: "0.0.0.0:9100"
    pprof:
      enabled: false
      addr: "localhost:6060"
    health_check:
      enabled: false
      addr: "0.0.0.0:8081"
    relay_meter:
      enabled: true
      redis_key_prefix: "prod"
      fail_behavior: "closed"
      cache_ttl: 90m
    http_transport:
      max_idle_conns: 500
      max_idle_conns_per_host: 100
      max_conns_per_host: 250
      idle_conn_timeout_seconds: 60
      dial_timeout_seconds: 3
      tls_handshake_timeout_seconds: 10
      response_header_timeout_seconds: 30
      expect_continue_timeout_seconds: 1
      tcp_keep_alive_seconds: 30
      disable_compression: true
    response_compression:
      enabled: true
      min_size_bytes: 2048
    timeout_profiles:
      fast:
        request_timeout_seconds: 12
        response_header_timeout_seconds: 12
        dial_timeout_seconds: 5
        tls_handshake_timeout_seconds: 10
      streaming:
        name: streaming
        request_timeout_seconds: 900
        response_header_timeout_seconds: 0
        dial_timeout_seconds: 10
        tls_handshake_timeout_seconds: 15
    pool_profiles:
      medium:
        max_conns_per_host: 100
        max_idle_conns_per_host: 20
        idle_conn_timeout_seconds: 90
    cache_warmup:
      enabled: true
      known_applications:
        - "pokt1z62kdqv7708qema5sl5yydsc7cvvkvlyrr4fu0"
      persist_discovered_apps: true
      warmup_concurrency: 4
      warmup_timeout_seconds: 7
    logging:
      level: "warn"
      format: "text"
    simulation:
      enabled: false
      max_concurrent: 32
      freshness_window_seconds: 30
      identities:
        - key_id: "probe-1"
          enabled: true
          not_after: "2030-01-01T00:00:00Z"
          max_rps: 5
          app_pubkey_hex: "02aa"
          gateway_pubkeys_hex: ["03bb"]
          allowed_services: ["eth"]
    """

    func load() throws -> RelayerSettings {
        try RelayerConfigFile.parse(yaml: Self.yaml, file: "/etc/relayer/relayer.yaml", baseDirectory: "/etc/relayer")
    }

    @Test func loadsWithoutWarnings() throws {
        let settings = try load()
        #expect(settings.warnings == [])
    }

    @Test func servicesMapOntoTheCoreConfig() throws {
        let core = try load().relayer
        #expect(core.services.keys.sorted() == ["eth", "llm"])
        let eth = try #require(core.services["eth"])
        #expect(eth.transports == [.jsonRPC, .websocket])
        #expect(eth.maxRequestBodyBytes == 2_097_152)
        #expect(eth.backendDeadline == .seconds(12))
        let llm = try #require(core.services["llm"])
        #expect(llm.transports == [.rest, .grpc, .cometBFT])
        #expect(llm.maxRequestBodyBytes == 1_048_576)
        #expect(llm.backendDeadline == .seconds(900))
        #expect(core.maxRequestBodyBytes == 2_097_152)
        #expect(core.meter == RelayerConfig.Meter(enabled: true, onRedisFailure: .failClosed, keyTTL: .seconds(5_400)))
        #expect(core.redisKeys.prefix == "prod")
        #expect(core.defaultTransport == .jsonRPC)
    }

    @Test func perServiceDefaultBackends() throws {
        let settings = try load()
        #expect(settings.defaultBackends == ["eth": .jsonRPC, "llm": .rest])
    }

    @Test func backendPoolsCarryEveryKey() throws {
        let backends = try load().backends
        let eth = try #require(backends.services["eth"])
        #expect(eth.requestTimeout == .seconds(12))
        #expect(eth.maxResponseBodyBytes == 2_097_152)
        let pool = try #require(eth.pools[.jsonRPC])
        #expect(pool.endpoints == [
            BackendEndpoint(name: "geth-1:8545", url: "http://geth-1:8545"),
            BackendEndpoint(name: "geth-backup", url: "https://geth-2.example:8443/rpc"),
        ])
        #expect(pool.basePath == "/v1")
        #expect(pool.loadBalancing == .roundRobin)
        #expect(pool.headers == [Header("X-Api-Key", "abc"), Header("X-Tier", "2")])
        #expect(pool.authentication == .bearer("tok"))
        #expect(pool.maxRetries == 2)
        #expect(pool.recoveryTimeout == .seconds(45))
        #expect(pool.unhealthyThreshold == 4)
        #expect(pool.healthCheck == BackendHealthCheck(
            enabled: true, path: "/v1/health", interval: .seconds(15), timeout: .seconds(3), unhealthyThreshold: 4, healthyThreshold: 1,
            method: "POST", requestBody: #"{"jsonrpc":"2.0","method":"eth_blockNumber","id":1}"#, contentType: "application/json",
            expectedBody: "result", expectedStatus: 200, headers: [Header("X-Probe", "1")]
        ))
        let ws = try #require(eth.pools[.websocket])
        #expect(ws.endpoints == [BackendEndpoint(name: "geth-1.example:443", url: "wss://geth-1.example/ws")])
        #expect(ws.authentication == .basic(username: "user", password: "pass"))
        #expect(ws.loadBalancing == .firstHealthy)
        #expect(ws.healthCheck.enabled == false)

        let llm = try #require(backends.services["llm"])
        #expect(llm.pools[.rest]?.authentication == .plain("raw-token"))
        #expect(llm.pools[.rest]?.loadBalancing == .firstHealthy)
        #expect(llm.pools[.grpc]?.endpoints == [BackendEndpoint(name: "llm-grpc:50051", url: "llm-grpc:50051")])
        #expect(llm.pools[.cometBFT]?.endpoints.map(\.url) == ["http://validator:26657"])
        #expect(backends.connections == BackendConnectionSettings(maxConnectionsPerHost: 250, idleTimeout: .seconds(60), connectTimeout: .seconds(3)))
    }

    @Test func processSections() throws {
        let settings = try load()
        #expect(settings.redis.url == RedisURL(host: "redis.internal", port: 6380, password: "s3cret", database: 2))
        #expect(settings.redis.maxConnections == 120)
        #expect(settings.chain.grpcURL == "grpc.pocket.example:443")
        #expect(settings.chain.rpcURL == "https://rpc.pocket.example:443")
        #expect(settings.chain.grpcInsecure == false)
        #expect(settings.chain.chainID == nil)
        #expect(settings.keys == KeysSource(keysFile: "/etc/relayer/supplier-keys.yaml", keysDirectory: "/etc/relayer/keys.d"))
        #expect(settings.server.listenAddress == ListenAddress(host: "0.0.0.0", port: 8545))
        #expect(settings.server.grpcListenAddress == ListenAddress(host: "0.0.0.0", port: 8082))
        #expect(settings.metrics == EndpointToggle(enabled: true, address: ListenAddress(host: "0.0.0.0", port: 9100)))
        #expect(settings.health == EndpointToggle(enabled: false, address: ListenAddress(host: "0.0.0.0", port: 8081)))
        #expect(settings.pprof == EndpointToggle(enabled: false, address: ListenAddress(host: "localhost", port: 6060)))
        #expect(settings.logging == LoggingSettings(level: .warn, format: .text))
        #expect(settings.responseCompression == ResponseCompression(enabled: true, minSizeBytes: 2048))
        #expect(settings.cacheWarmup == CacheWarmupSettings(
            enabled: true, knownApplications: ["pokt1z62kdqv7708qema5sl5yydsc7cvvkvlyrr4fu0"], concurrency: 4, timeoutPerApplication: .seconds(7)
        ))
    }
}
