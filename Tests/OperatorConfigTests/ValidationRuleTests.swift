import Foundation
import OperatorConfig
import RelayRuntime
import RelayRuntimeLive
import Testing

/// The rules `relayer validate` enforces beyond key names and schemes.
@Suite struct ValidationRuleTests {
    func pool(_ body: String) -> String {
        relayerYAML(services: """
          eth:
            backends:
              jsonrpc:
        \(body)
        """)
    }

    @Test func servicesAndBackendsAreRequired() {
        let none = problems("""
        pocket_node:
          query_node_rpc_url: "http://n:26657"
          query_node_grpc_url: "n:9090"
        keys:
          keys_dir: "/keys"
        """)
        #expect(problem(at: "services", in: none)?.message
            == "no services configured: add at least one service id with its backends (the relayer would refuse every relay)")
        let noBackends = problems(relayerYAML(services: "  eth:\n    validation_mode: eager"))
        #expect(problem(at: "services.eth.backends", in: noBackends)?.message
            == "required: at least one backend (jsonrpc, rest, websocket, grpc or cometbft) with its url")
        let noURL = problems(pool("        max_retries: 1"))
        #expect(problem(at: "services.eth.backends.jsonrpc", in: noURL)?.message == "needs url (one endpoint) or urls (several)")
        let both = problems(pool("        url: \"http://a:1\"\n        urls: [\"http://b:1\"]"))
        #expect(problem(at: "services.eth.backends.jsonrpc", in: both)?.message
            == "url and urls are mutually exclusive: keep url for one endpoint or urls for several")
    }

    @Test func serviceIDsFollowTheChainRule() {
        let found = problems(relayerYAML(services: "  \"eth mainnet\":\n    backends:\n      jsonrpc:\n        url: \"http://a:1\""))
        #expect(problem(at: "services.eth mainnet", in: found)?.message
            == #""eth mainnet" is not a valid service id: 1 to 42 characters of letters, digits, '_' or '-'"#)
    }

    @Test func poolRules() {
        let found = problems(pool("""
                urls:
                  - "http://a:1"
                  - "http://A:1/"
                  - name: x
                    url: "http://b:1"
                  - name: x
                    url: "http://c:1"
                base_path: "v1"
                load_balancing: least_conn
                max_retries: -1
                recovery_timeout_seconds: -5
        """))
        #expect(problem(at: "services.eth.backends.jsonrpc.urls[1]", in: found)?.message == "http://A:1/ is listed twice in this pool")
        #expect(problem(at: "services.eth.backends.jsonrpc.urls[3]", in: found)?.message
            == #"the name "x" is used twice in this pool; names label metrics and must differ"#)
        #expect(problem(at: "services.eth.backends.jsonrpc.base_path", in: found)?.message == #"must start with "/" (e.g. /v1), got "v1""#)
        #expect(problem(at: "services.eth.backends.jsonrpc.load_balancing", in: found)?.message
            == #""least_conn" is not one of: round_robin, first_healthy, auto"#)
        #expect(problem(at: "services.eth.backends.jsonrpc.max_retries", in: found)?.message == "must be between 0 and 3, got -1")
        #expect(problem(at: "services.eth.backends.jsonrpc.recovery_timeout_seconds", in: found)?.message == "must not be negative, got -5")
        #expect(found.count == 6)
    }

    @Test func loadBalancingAutoAndZeroRecoveryTakeDefaults() throws {
        let yaml = pool("        urls: [\"http://a:1\", \"http://b:1\"]\n        load_balancing: auto\n        recovery_timeout_seconds: 0\n        max_retries: 0")
        let settings = try RelayerConfigFile.parse(yaml: yaml)
        let p = try #require(settings.backends.services["eth"]?.pools[.jsonRPC])
        #expect(p.loadBalancing == .roundRobin)
        #expect(p.recoveryTimeout == .seconds(30))
        #expect(p.maxRetries == 0)
    }

    @Test func authenticationRules() {
        let two = problems(pool("        url: \"http://a:1\"\n        authentication:\n          bearer_token: t\n          plain_token: p"))
        #expect(problem(at: "services.eth.backends.jsonrpc.authentication", in: two)?.message
            == "set only one of username/password, bearer_token or plain_token")
        let half = problems(pool("        url: \"http://a:1\"\n        authentication:\n          username: u"))
        #expect(problem(at: "services.eth.backends.jsonrpc.authentication.password", in: half)?.message == "required with username")
        let empty = problems(pool("        url: \"http://a:1\"\n        authentication: {}"))
        #expect(problem(at: "services.eth.backends.jsonrpc.authentication", in: empty)?.message
            == "no credentials: set username and password, bearer_token or plain_token (or remove authentication)")
    }

    @Test func healthCheckRules() {
        let found = problems(pool("""
                url: "http://a:1"
                health_check:
                  enabled: true
                  timeout_seconds: 0
                  expected_status: [200, 204]
        """))
        #expect(problem(at: "services.eth.backends.jsonrpc.health_check.endpoint", in: found)?.message
            == "required when the health check is enabled (a path such as /health), unless the backend sets base_path")
        #expect(problem(at: "services.eth.backends.jsonrpc.health_check.interval_seconds", in: found)?.message
            == "required when the health check is enabled (seconds between probes)")
        #expect(problem(at: "services.eth.backends.jsonrpc.health_check.timeout_seconds", in: found)?.message == "must be positive, got 0")
        #expect(problem(at: "services.eth.backends.jsonrpc.health_check.expected_status", in: found)?.message
            == "only one expected status is supported; list one, or remove the key to accept any 2xx")
    }

    @Test func healthCheckFallsBackToTheBasePath() throws {
        let yaml = pool("        url: \"http://a:1\"\n        base_path: /ext/bc/C/rpc\n        health_check:\n          enabled: true\n          interval_seconds: 3")
        let p = try #require(try RelayerConfigFile.parse(yaml: yaml).backends.services["eth"]?.pools[.jsonRPC])
        #expect(p.healthCheck.path == "/ext/bc/C/rpc")
    }

    @Test func defaultBackendMustBeConfigured() {
        let missing = problems(relayerYAML(services: "  eth:\n    default_backend: rest\n    backends:\n      jsonrpc:\n        url: \"http://a:1\""))
        #expect(problem(at: "services.eth.default_backend", in: missing)?.message
            == #""rest" has no backend in this service; add backends.rest or choose one of: jsonrpc"#)
        let unknown = problems(relayerYAML(services: "  eth:\n    default_backend: ws\n    backends:\n      jsonrpc:\n        url: \"http://a:1\""))
        #expect(problem(at: "services.eth.default_backend", in: unknown)?.message
            == #""ws" is not a backend type (did you mean "websocket"?); use one of: cometbft, grpc, jsonrpc, rest, websocket"#)
    }

    @Test func timeoutsAndProfiles() throws {
        let found = problems(relayerYAML(
            services: "  eth:\n    timeout_profile: slow\n    pool_profile: huge\n    backends:\n      jsonrpc:\n        url: \"http://a:1\"",
            extra: "default_request_timeout_seconds: 0\ntimeout_profiles:\n  fast:\n    request_timeout_seconds: -1"
        ))
        #expect(problem(at: "default_request_timeout_seconds", in: found)?.message == "must be positive, got 0")
        #expect(problem(at: "timeout_profiles.fast.request_timeout_seconds", in: found)?.message == "must not be negative, got -1")
        #expect(problem(at: "services.eth.timeout_profile", in: found)?.message == #"unknown timeout profile "slow" (defined: fast, streaming)"#)
        #expect(problem(at: "services.eth.pool_profile", in: found)?.message == #"unknown pool profile "huge" (defined: high, low, medium)"#)

        // A profile without a request timeout uses default_request_timeout_seconds; a custom profile can be named.
        let custom = try RelayerConfigFile.parse(yaml: relayerYAML(
            services: "  eth:\n    timeout_profile: slow\n    backends:\n      jsonrpc:\n        url: \"http://a:1\"\n  btc:\n    backends:\n      rest:\n        url: \"http://b:1\"",
            extra: "default_request_timeout_seconds: 45\ntimeout_profiles:\n  slow:\n    request_timeout_seconds: 120\n  fast:\n    dial_timeout_seconds: 2"
        ))
        #expect(custom.relayer.services["eth"]?.backendDeadline == .seconds(120))
        #expect(custom.relayer.services["btc"]?.backendDeadline == .seconds(45))
    }

    @Test func meterRules() throws {
        let bad = problems(minimalRelayerYAML + "\nrelay_meter:\n  fail_behavior: half\n  cache_ttl: 7200\n")
        #expect(problem(at: "relay_meter.fail_behavior", in: bad)?.message == #""half" is not one of: open, closed"#)
        #expect(problem(at: "relay_meter.cache_ttl", in: bad)?.message == #"expected a positive duration such as 2h, 90m or 7200s, got "7200""#)
        let off = try RelayerConfigFile.parse(yaml: minimalRelayerYAML + "\nrelay_meter:\n  enabled: false\n  cache_ttl: 1h30m\n")
        #expect(off.relayer.meter == RelayerConfig.Meter(enabled: false, onRedisFailure: .failOpen, keyTTL: .seconds(5_400)))
    }

    @Test func listenersMustNotShareAPort() {
        let found = problems(minimalRelayerYAML + """

        listen_addr: "0.0.0.0:8080"
        grpc_listen_addr: "127.0.0.1:8080"
        metrics:
          addr: "127.0.0.1:8081"
        health_check:
          addr: "0.0.0.0:8081"
        """)
        #expect(problem(at: "grpc_listen_addr", in: found)?.message == """
            127.0.0.1:8080 uses the same port as listen_addr (0.0.0.0:8080); give each server its own port \
            (or set grpc_listen_addr to "" to turn the gRPC port off)
            """)
        #expect(problem(at: "health_check.addr", in: found)?.message
            == "0.0.0.0:8081 uses the same port as metrics.addr (127.0.0.1:8081); give each server its own port")
        #expect(found.count == 2)
    }

    @Test func disabledSideServersMayShareAPort() throws {
        let yaml = minimalRelayerYAML + "\nmetrics:\n  enabled: false\n  addr: \"0.0.0.0:8080\"\nhealth_check:\n  enabled: false\n  addr: \"0.0.0.0:8080\"\n"
        let settings = try RelayerConfigFile.parse(yaml: yaml)
        #expect(settings.metrics.enabled == false)
        #expect(settings.health.enabled == false)
    }

    @Test func simulationIsRefusedOnlyWhenEnabled() throws {
        let on = problems(minimalRelayerYAML + "\nsimulation:\n  enabled: true\n")
        #expect(problem(at: "simulation.enabled", in: on)?.message == "simulated relays are not supported yet; set simulation.enabled: false")
        _ = try RelayerConfigFile.parse(yaml: minimalRelayerYAML + "\nsimulation:\n  enabled: false\n  identities:\n    - key_id: a\n      max_rps: 3\n")
        let typo = problems(minimalRelayerYAML + "\nsimulation:\n  enabled: false\n  identities:\n    - key_idd: a\n")
        #expect(problem(at: "simulation.identities[0].key_idd", in: typo)?.message == #"unknown key (did you mean "key_id"?)"#)
    }

    @Test func keySourceRules() {
        let keyring = problems(minimalRelayerYAML.replacingOccurrences(of: "keys_file: \"/keys/supplier-keys.yaml\"", with: "keyring:\n    backend: test"))
        #expect(problem(at: "keys.keyring", in: keyring)?.message
            == "keyring is not supported; export the key to a keys file (keys.keys_file) or a keys directory (keys.keys_dir)")
        #expect(keyring.count == 1)
        let none = problems(minimalRelayerYAML.replacingOccurrences(of: "keys:\n  keys_file: \"/keys/supplier-keys.yaml\"\n", with: ""))
        #expect(problem(at: "keys", in: none)?.message == "required: set keys.keys_file (a supplier-keys.yaml) or keys.keys_dir")
    }

    @Test func relativeKeyPathsAreResolvedNextToTheFile() throws {
        let yaml = minimalRelayerYAML.replacingOccurrences(of: "\"/keys/supplier-keys.yaml\"", with: "\"supplier-keys.yaml\"\n  keys_dir: \"../keys.d\"")
        let settings = try RelayerConfigFile.parse(yaml: yaml, baseDirectory: "/etc/relayer")
        #expect(settings.keys == KeysSource(keysFile: "/etc/relayer/supplier-keys.yaml", keysDirectory: "/etc/relayer/../keys.d"))
        #expect(try RelayerConfigFile.parse(yaml: yaml).keys.keysFile == "supplier-keys.yaml")
    }

    @Test func warningsForWhatWeDoDifferently() throws {
        let yaml = relayerYAML(
            services: "  eth:\n    validation_mode: optimistic\n    backends:\n      jsonrpc:\n        url: \"http://a:1\"",
            extra: """
            default_validation_mode: optimistic
            pprof:
              enabled: true
            logging:
              level: trace
              output: "/var/log/relayer.log"
            redis:
              namespace:
                base_prefix: "fleet"
                streams_prefix: "streams"
            relay_meter:
              redis_key_prefix: "ha"
            """
        )
        let settings = try RelayerConfigFile.parse(yaml: yaml)
        #expect(settings.warnings.map(\.keyPath) == [
            "redis.namespace.streams_prefix", "default_validation_mode", "services.eth.validation_mode", "pprof.enabled",
            "logging.level", "logging.output", "relay_meter.redis_key_prefix",
        ])
        #expect(settings.warnings[1].message
            == "optimistic is served as eager: this relayer validates every relay before serving it and never serves an unvalidated relay")
        #expect(settings.relayer.redisKeys.prefix == "fleet")
        #expect(settings.logging.level == .debug)
        #expect(settings.pprof.enabled == true)
    }
}
