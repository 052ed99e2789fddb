/// The ports every runtime process is built from. The simulator fills it
/// with models (Redis model, virtual clock, seeded entropy, trace
/// telemetry); the binaries with live adapters. The chain and the backend
/// are passed per process, because each process gets only the half it uses.
public struct RuntimePorts: Sendable {
    public var redis: any RedisClient
    public var keys: any KeysPort
    public var clock: any ClockPort
    public var entropy: any EntropyPort
    public var telemetry: any TelemetryPort

    public init(redis: any RedisClient, keys: any KeysPort, clock: any ClockPort, entropy: any EntropyPort, telemetry: any TelemetryPort) {
        self.redis = redis
        self.keys = keys
        self.clock = clock
        self.entropy = entropy
        self.telemetry = telemetry
    }
}

/// A process the simulator's node host and the CLI can run the same way:
/// `run()` until cancelled (a crash: nothing is cleaned up) or until `stop()`
/// has finished its graceful shutdown.
public protocol RuntimeProcess: Sendable {
    func run() async
    func stop() async
}
