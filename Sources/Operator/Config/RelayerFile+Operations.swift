import PocketProtocol
import RelayRuntime

/// Observability, logging, metering and the optional features.
extension RelayerFileReader {
    /// `metrics` / `health_check`: `enabled` and `addr`.
    func readToggle(_ map: YAMLMapping?, defaultEnabled: Bool, defaultAddress: String) -> EndpointToggle {
        guard let map else { return EndpointToggle(enabled: defaultEnabled, address: Self.fixed(defaultAddress)) }
        let enabled = map.bool("enabled") ?? defaultEnabled
        var address = Self.fixed(defaultAddress)
        if let text = map.string("addr") {
            if text.trimmingSpaces.isEmpty {
                if enabled { map.error("addr", "empty; set host:port (default \(defaultAddress)) or enabled: false") }
            } else if let parsed = parseListenAddress(text, path: map.childPath("addr")) {
                address = parsed
            }
        }
        map.finish()
        return EndpointToggle(enabled: enabled, address: address)
    }

    /// `pprof`: accepted so existing files load; there is no pprof server here.
    func readPprof(_ map: YAMLMapping?) -> EndpointToggle {
        guard let map else { return EndpointToggle(enabled: false, address: Self.fixed(RelayerDefaults.pprofAddress)) }
        let enabled = map.bool("enabled") ?? false
        var address = Self.fixed(RelayerDefaults.pprofAddress)
        if let text = map.string("addr"), !text.trimmingSpaces.isEmpty, let parsed = parseListenAddress(text, path: map.childPath("addr")) {
            address = parsed
        }
        if enabled {
            map.warn("enabled", "ignored: this relayer has no pprof server (profile with perf or the metrics on metrics.addr)")
        }
        map.finish()
        return EndpointToggle(enabled: enabled, address: address)
    }

    func readLogging(_ map: YAMLMapping?) -> LoggingSettings {
        guard let map else { return LoggingSettings(level: .info, format: .json) }
        var level = LoggingSettings.Level.info
        switch map.choice("level", ["trace", "debug", "info", "warn", "error"]) {
        case "trace":
            level = .debug
            map.warn("level", "trace is logged as debug (the most detailed level here)")
        case let text?: level = LoggingSettings.Level(rawValue: text) ?? .info
        case nil: break
        }
        let format = map.choice("format", ["json", "text"]).flatMap(LoggingSettings.Format.init(rawValue:)) ?? .json
        let ignored: [(String, String)] = [
            ("output", "logs always go to standard output"),
            ("enable_caller", "log lines carry no caller file:line"),
            ("async", "logging has no asynchronous buffer to configure"),
            ("async_buffer_size", "logging has no asynchronous buffer to configure"),
            ("async_poll_interval", "logging has no asynchronous buffer to configure"),
            ("sampling", "log sampling is not implemented; raise the level instead"),
            ("sampling_initial", "log sampling is not implemented; raise the level instead"),
            ("sampling_thereafter", "log sampling is not implemented; raise the level instead"),
        ]
        for (key, why) in ignored where map.has(key) {
            map.warn(key, "ignored: \(why)")
        }
        map.finish()
        return LoggingSettings(level: level, format: format)
    }

    /// `relay_meter`. The meter's keys live under the Redis key prefix
    /// (`redis.namespace.base_prefix`), so a different `redis_key_prefix` is flagged.
    func readRelayMeter(_ map: YAMLMapping?, keyPrefix: String) -> RelayerConfig.Meter {
        let defaultPolicy = RelayerConfig.MeterFailurePolicy(rawValue: RelayerDefaults.meterFailBehavior) ?? .failOpen
        guard let map else { return RelayerConfig.Meter(enabled: true, onRedisFailure: defaultPolicy, keyTTL: RelayerDefaults.meterCacheTTL) }
        let enabled = map.bool("enabled") ?? true
        if let prefix = map.string("redis_key_prefix"), prefix != keyPrefix {
            map.warn("redis_key_prefix", "ignored: meter keys use the Redis key prefix \"\(keyPrefix)\" (redis.namespace.base_prefix) like every other key")
        }
        let policy = map.choice("fail_behavior", ["open", "closed"]).flatMap(RelayerConfig.MeterFailurePolicy.init(rawValue:)) ?? defaultPolicy
        var ttl = RelayerDefaults.meterCacheTTL
        if let text = map.nonEmptyString("cache_ttl") {
            if let parsed = GoDuration.parse(text), parsed > .zero {
                ttl = parsed
            } else {
                map.error("cache_ttl", "expected a positive duration such as 2h, 90m or 7200s, got \"\(text)\"")
            }
        }
        map.finish()
        return RelayerConfig.Meter(enabled: enabled, onRedisFailure: policy, keyTTL: ttl)
    }

    func readResponseCompression(_ map: YAMLMapping?) -> ResponseCompression {
        let enabled = map?.bool("enabled") ?? false
        let minSize = map?.int("min_size_bytes", in: 0...Int.max) ?? RelayerDefaults.responseCompressionMinSizeBytes
        map?.finish()
        return ResponseCompression(enabled: enabled, minSizeBytes: minSize)
    }

    func readCacheWarmup(_ map: YAMLMapping?) -> CacheWarmupSettings {
        let enabled = map?.bool("enabled") ?? true
        var applications: [String] = []
        for item in map?.list("known_applications") ?? [] {
            guard case .scalar(let scalar) = item.node else {
                diagnostics.error(item.path, "expected an application address (pokt1…)")
                continue
            }
            let address = scalar.string.trimmingSpaces
            do {
                _ = try Bech32.decodeAddress(address)
                applications.append(address)
            } catch {
                diagnostics.error(item.path, "\"\(address)\" is not a pokt1… address: \(error.description)")
            }
        }
        _ = map?.bool("persist_discovered_apps")
        let concurrency = map?.int("warmup_concurrency", in: 1...Int.max) ?? 10
        let timeout = map?.int("warmup_timeout_seconds", in: 1...Int.max) ?? 5
        map?.finish()
        return CacheWarmupSettings(enabled: enabled, knownApplications: applications, concurrency: concurrency, timeoutPerApplication: .seconds(timeout))
    }

    /// `simulation`: a disabled section is accepted (and checked); enabling it is refused.
    func readSimulation(_ map: YAMLMapping?) {
        guard let map else { return }
        if map.bool("enabled") == true {
            map.error("enabled", "simulated relays are not supported yet; set simulation.enabled: false")
        }
        _ = map.int("max_concurrent", in: 0...Int.max)
        _ = map.int("freshness_window_seconds", in: 0...Int.max)
        for item in map.list("identities") ?? [] {
            guard let identity = YAMLMapping.read(item.node, path: item.path, diagnostics: diagnostics) else { continue }
            _ = identity.string("key_id")
            _ = identity.bool("enabled")
            _ = identity.string("not_after")
            _ = identity.int("max_rps", in: 0...Int.max)
            _ = identity.string("app_pubkey_hex")
            _ = identity.stringList("gateway_pubkeys_hex")
            _ = identity.stringList("allowed_services")
            identity.finish()
        }
        map.finish()
    }
}
