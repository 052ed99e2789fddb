import OperatorConfig
import Testing

/// Every key the relayer does not know is refused with its full path and,
/// where one is close, the key that was probably meant.
@Suite struct UnknownKeyTests {
    @Test func backendTypeMisspellingsGetHints() {
        let found = problems(relayerYAML(services: """
          eth:
            backends:
              jsonrpc:
                url: "http://a:8545"
              ws:
                url: "ws://a:8546"
              json_rpc:
                url: "http://b:8545"
              json-rpc:
                url: "http://c:8545"
              comet_bft:
                url: "http://d:26657"
        """))
        #expect(problem(at: "services.eth.backends.ws", in: found)?.message == #"unknown key (did you mean "websocket"?)"#)
        #expect(problem(at: "services.eth.backends.json_rpc", in: found)?.message == #"unknown key (did you mean "jsonrpc"?)"#)
        #expect(problem(at: "services.eth.backends.json-rpc", in: found)?.message == #"unknown key (did you mean "jsonrpc"?)"#)
        #expect(problem(at: "services.eth.backends.comet_bft", in: found)?.message == #"unknown key (did you mean "cometbft"?)"#)
        #expect(found.count == 4)
    }

    @Test func unknownKeysAtEveryLevel() {
        let yaml = relayerYAML(
            services: """
              eth:
                timeout_profle: fast
                backends:
                  jsonrpc:
                    url: "http://a:8545"
                    max_retry: 2
                    health_check:
                      enabled: false
                      intervall_seconds: 5
                    authentication:
                      bearer_tokn: "x"
                      bearer_token: "y"
            """,
            extra: """
            listen_address: "0.0.0.0:8080"
            redis:
              url: "redis://r:6379"
              poolsize: 3
            relay_meter:
              fail_behaviour: open
            logging:
              lvl: debug
            """
        )
        let found = problems(yaml)
        #expect(problem(at: "services.eth.timeout_profle", in: found)?.message == #"unknown key (did you mean "timeout_profile"?)"#)
        #expect(problem(at: "services.eth.backends.jsonrpc.max_retry", in: found)?.message == #"unknown key (did you mean "max_retries"?)"#)
        #expect(problem(at: "services.eth.backends.jsonrpc.health_check.intervall_seconds", in: found)?.message
            == #"unknown key (did you mean "interval_seconds"?)"#)
        #expect(problem(at: "services.eth.backends.jsonrpc.authentication.bearer_tokn", in: found)?.message
            == #"unknown key (did you mean "bearer_token"?)"#)
        #expect(problem(at: "listen_address", in: found)?.message == #"unknown key (did you mean "listen_addr"?)"#)
        #expect(problem(at: "redis.poolsize", in: found)?.message == #"unknown key (did you mean "pool_size"?)"#)
        #expect(problem(at: "relay_meter.fail_behaviour", in: found)?.message == #"unknown key (did you mean "fail_behavior"?)"#)
        #expect(problem(at: "logging.lvl", in: found)?.message == #"unknown key (did you mean "level"?)"#)
        #expect(found.count == 8)
    }

    @Test func unknownKeyWithoutCloseMatchListsTheKnownKeys() {
        let found = problems(minimalRelayerYAML + "\nresponse_compression:\n  turbo: true\n")
        #expect(problem(at: "response_compression.turbo", in: found)?.message == "unknown key (expected one of: enabled, min_size_bytes)")
    }

    @Test func listItemsAreNamedByIndex() {
        let found = problems(relayerYAML(services: """
          eth:
            backends:
              jsonrpc:
                urls:
                  - "http://a:8545"
                  - name: b
                    url: "http://b:8545"
                    weight: 3
        """))
        #expect(problem(at: "services.eth.backends.jsonrpc.urls[1].weight", in: found)?.message == "unknown key (expected one of: name, url)")
    }

    @Test func everyProblemIsCollectedInOneError() throws {
        let yaml = """
        listen_addr: "no-port"
        redis:
          url: "http://redis:6379"
        pocket_node:
          query_node_grpc_url: "node:9090"
        keys: {}
        services:
          eth:
            backends:
              jsonrpc:
                url: "ws://a:8545"
                max_retries: 7
        relay_meter:
          fail_behavior: sometimes
        bogus: 1
        """
        do {
            _ = try RelayerConfigFile.parse(yaml: yaml, file: "relayer.yaml")
            Issue.record("expected the configuration to be refused")
        } catch {
            let paths = error.problems.map(\.keyPath)
            #expect(paths == [
                "listen_addr", "redis.url", "pocket_node.query_node_rpc_url", "keys",
                "services.eth.backends.jsonrpc.url", "services.eth.backends.jsonrpc.max_retries",
                "relay_meter.fail_behavior", "bogus",
            ])
            let lines = error.description.split(separator: "\n").map(String.init)
            #expect(lines.first == "relayer.yaml: 8 configuration problems:")
            #expect(lines.dropFirst().map { String($0.prefix(while: { $0 != ":" })) } == paths)
            #expect(lines.contains("services.eth.backends.jsonrpc.max_retries: must be between 0 and 3, got 7"))
            #expect(lines.contains(#"relay_meter.fail_behavior: "sometimes" is not one of: open, closed"#))
        }
    }

    @Test func wrongTypesAreReported() {
        let found = problems(minimalRelayerYAML + """

        metrics:
          enabled: maybe
          addr: [1, 2]
        default_request_timeout_seconds: "thirty"
        response_compression: true
        """)
        #expect(problem(at: "metrics.enabled", in: found)?.message == #"expected true or false, found "maybe""#)
        #expect(problem(at: "metrics.addr", in: found)?.message == "expected a text value, found a list")
        #expect(problem(at: "default_request_timeout_seconds", in: found)?.message == #"expected a whole number, found "thirty""#)
        #expect(problem(at: "response_compression", in: found)?.message == "expected a mapping (key: value lines), found a single value")
    }

    @Test func duplicateKeysAndBadYAMLAreRefusedWithoutQuotingTheFile() {
        let duplicate = problems(minimalRelayerYAML + "\nlisten_addr: \"0.0.0.0:1\"\nlisten_addr: \"0.0.0.0:2\"\n")
        #expect(duplicate.count == 1)
        #expect(duplicate.first?.message.contains(#""listen_addr" appears twice"#) == true)
        let broken = problems("redis:\n  url: \"redis://:hunter2@r:6379\n  pool_size: [\n")
        #expect(broken.count == 1)
        #expect(broken.first?.message.hasPrefix("invalid YAML at line") == true)
        #expect(broken.first?.message.contains("hunter2") == false)
    }
}
