import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import SimRedis
import Testing

// MARK: - Ports around the real simulator components

/// Counts the chain queries the relayer makes (to prove "no I/O before …"
/// and that caches work) and can tamper with answers or fail them.
final class ObservedChain: ChainPort, @unchecked Sendable {
    let inner: FakeChain
    private let lock = NSLock()
    private var calls: [String] = []
    private var sessionTamper: (@Sendable (inout Pocket_Session_SessionHeader) -> Void)?
    private var applicationTamper: (@Sendable (inout Pocket_Application_Application) -> Void)?
    private var unavailable = false

    init(_ inner: FakeChain) { self.inner = inner }

    var callCount: Int { locked { calls.count } }
    var callLog: [String] { locked { calls } }
    func resetCalls() { locked { calls = [] } }
    func tamperSessions(_ body: (@Sendable (inout Pocket_Session_SessionHeader) -> Void)?) { locked { sessionTamper = body } }
    func tamperApplications(_ body: (@Sendable (inout Pocket_Application_Application) -> Void)?) { locked { applicationTamper = body } }
    func setUnavailable(_ on: Bool) { locked { unavailable = on } }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    private func note(_ call: String) throws(ChainError) {
        let down: Bool = locked {
            calls.append(call)
            return unavailable
        }
        if down { throw .unavailable("injected: chain node unreachable") }
    }

    func latestBlock() async throws(ChainError) -> ChainBlock { try note("latestBlock"); return try await inner.latestBlock() }
    func block(at height: Int64) async throws(ChainError) -> ChainBlock { try note("block"); return try await inner.block(at: height) }
    func subscribeBlocks() async throws(ChainError) -> AsyncStream<ChainBlock> { try note("subscribeBlocks"); return try await inner.subscribeBlocks() }
    func sharedParams(atHeight height: Int64) async throws(ChainError) -> SharedParams {
        try note("sharedParams(\(height))")
        return try await inner.sharedParams(atHeight: height)
    }
    func numSuppliersPerSession() async throws(ChainError) -> UInt64 { try note("numSuppliersPerSession"); return try await inner.numSuppliersPerSession() }
    func proofParams() async throws(ChainError) -> ProofParams { try note("proofParams"); return try await inner.proofParams() }
    func session(application: String, serviceID: String, height: Int64) async throws(ChainError) -> Pocket_Session_Session {
        try note("session(\(height))")
        var session = try await inner.session(application: application, serviceID: serviceID, height: height)
        if let tamper = locked({ sessionTamper }) {
            var header = session.header
            tamper(&header)
            session.header = header
        }
        return session
    }
    func application(address: String) async throws(ChainError) -> Pocket_Application_Application {
        try note("application")
        var application = try await inner.application(address: address)
        if let tamper = locked({ applicationTamper }) { tamper(&application) }
        return application
    }
    func account(address: String) async throws(ChainError) -> ChainAccount { try note("account"); return try await inner.account(address: address) }
    func balance(address: String) async throws(ChainError) -> UInt64 { try note("balance"); return try await inner.balance(address: address) }
    func supplier(operatorAddress: String) async throws(ChainError) -> Pocket_Shared_Supplier {
        try note("supplier")
        return try await inner.supplier(operatorAddress: operatorAddress)
    }
    func service(id: String) async throws(ChainError) -> Pocket_Shared_Service { try note("service"); return try await inner.service(id: id) }
    func computeUnitsPerRelay(serviceID: String, atHeight height: Int64) async throws(ChainError) -> UInt64 {
        try note("cupr(\(height))")
        return try await inner.computeUnitsPerRelay(serviceID: serviceID, atHeight: height)
    }
    func relayDifficultyTarget(serviceID: String, atHeight height: Int64) async throws(ChainError) -> [UInt8] {
        try note("difficulty(\(height))")
        return try await inner.relayDifficultyTarget(serviceID: serviceID, atHeight: height)
    }
    func claims(supplierOperatorAddress: String) async throws(ChainError) -> [Pocket_Proof_Claim] {
        try note("claims")
        return try await inner.claims(supplierOperatorAddress: supplierOperatorAddress)
    }
    func simulate(txBytes: [UInt8]) async throws(ChainError) -> UInt64 { try note("simulate"); return try await inner.simulate(txBytes: txBytes) }
    func broadcast(txBytes: [UInt8]) async throws(ChainError) -> BroadcastResult { try note("broadcast"); return try await inner.broadcast(txBytes: txBytes) }
}

/// The simulator's Redis client with per-command failures injected, and a
/// log of every command the relayer sent.
final class ObservedRedis: RedisClient, @unchecked Sendable {
    let inner: RedisModelClient
    private let lock = NSLock()
    private var failing: (@Sendable (RedisCommand) -> Bool)?
    private var sent: [String] = []

    init(_ inner: RedisModelClient) { self.inner = inner }

    /// Commands matching `predicate` fail with `.unavailable` without reaching the server.
    func fail(when predicate: (@Sendable (RedisCommand) -> Bool)?) {
        lock.lock()
        failing = predicate
        lock.unlock()
    }

    var commandNames: [String] {
        lock.lock()
        defer { lock.unlock() }
        return sent
    }

    func resetLog() {
        lock.lock()
        sent = []
        lock.unlock()
    }

    private func check(_ command: RedisCommand) throws(RedisError) {
        lock.lock()
        sent.append(command.name)
        let fails = failing?(command) ?? false
        lock.unlock()
        if fails { throw .unavailable("injected: redis unreachable for \(command.name)") }
    }

    func send(_ command: RedisCommand) async throws(RedisError) -> RedisReply {
        try check(command)
        return try await inner.send(command)
    }

    func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisReply] {
        for command in commands { try check(command) }
        return try await inner.pipeline(commands)
    }

    func subscribe(channels: [String]) async throws(RedisError) -> RedisSubscription { try await inner.subscribe(channels: channels) }
    func close() async { await inner.close() }
}

/// A backend whose answer each test scripts; records what it was asked.
final class ScriptedBackend: BackendPort, @unchecked Sendable {
    enum Behaviour: Sendable {
        case answer(status: Int, headers: [Header], body: [UInt8])
        case fail(BackendError)
        /// Sleeps on the clock for `delay`, then answers 200.
        case slow(Duration)
        case stream(status: Int, headers: [Header], chunks: [[UInt8]], failAfter: BackendError?)
    }

    private let lock = NSLock()
    private let clock: any ClockPort
    private var behaviour: Behaviour = .answer(status: 200, headers: [Header("Content-Type", "application/json")], body: Array(#"{"jsonrpc":"2.0","id":1,"result":"0x10"}"#.utf8))
    private var received: [BackendRequest] = []
    private var duplexes: [ScriptedDuplex] = []

    init(clock: any ClockPort) { self.clock = clock }

    func behave(_ b: Behaviour) {
        lock.lock()
        behaviour = b
        lock.unlock()
    }

    var requests: [BackendRequest] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    var openedDuplexes: [ScriptedDuplex] {
        lock.lock()
        defer { lock.unlock() }
        return duplexes
    }

    func forward(_ request: BackendRequest) async throws(BackendError) -> BackendResponse {
        let b: Behaviour = lock.withLock {
            received.append(request)
            return behaviour
        }
        switch b {
        case .answer(let status, let headers, let body):
            return .complete(status: status, headers: headers, body: body)
        case .fail(let error):
            throw error
        case .slow(let delay):
            do { try await clock.sleep(for: delay) } catch { throw .transport(service: request.serviceID, reason: "cancelled") }
            return .complete(status: 200, headers: [], body: Array("late".utf8))
        case .stream(let status, let headers, let chunks, let failAfter):
            let (stream, continuation) = BackendStream<[UInt8]>.makeStream(serviceID: request.serviceID)
            for chunk in chunks { continuation.yield(chunk) }
            if let failAfter { continuation.finish(throwing: failAfter) } else { continuation.finish() }
            return .stream(status: status, headers: headers, chunks: stream)
        }
    }

    func openDuplex(serviceID: String, path: String, headers: [Header]) async throws(BackendError) -> any BackendDuplex {
        let duplex = ScriptedDuplex()
        lock.withLock { duplexes.append(duplex) }
        return duplex
    }
}

/// A WebSocket backend the test drives: it records what the relayer sent and
/// pushes messages when told.
final class ScriptedDuplex: BackendDuplex, @unchecked Sendable {
    let inbound: BackendStream<DuplexMessage>
    private let continuation: BackendStream<DuplexMessage>.Continuation
    private let lock = NSLock()
    private var sentMessages: [DuplexMessage] = []
    private var closed = false

    init() {
        (inbound, continuation) = BackendStream<DuplexMessage>.makeStream(serviceID: "scripted")
    }

    var sent: [DuplexMessage] {
        lock.lock()
        defer { lock.unlock() }
        return sentMessages
    }

    var isClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closed
    }

    func push(_ message: DuplexMessage) { continuation.yield(message) }
    func finish() { continuation.finish() }

    func send(_ message: DuplexMessage) async throws(BackendError) {
        lock.withLock { sentMessages.append(message) }
    }

    func close() async {
        lock.withLock { closed = true }
        continuation.finish()
    }
}

// MARK: - The world of one relayer test

/// One relayer against the simulator's fake chain and Redis model, with a
/// scripted backend, all on one `SimKernel`.
///
/// Actors (keys derived from fixed secrets):
/// - `app`: staked for `svc`, delegates to `gateway`; big stake.
/// - `poorApp`: staked for `svc` with a stake that pays for exactly 2 relays per supplier.
/// - `supplier`: staked for `svc`, key held by the relayer.
/// - `keylessSupplier`: staked for `svc`, key NOT held.
/// - `outsider`: staked only for `other`, key held (never in a `svc` session).
final class RelayerWorld: @unchecked Sendable {
    static let service = "svc"
    static let otherService = "other"
    static let computeUnitsPerRelay: UInt64 = 1
    /// cupr × CUTTM / granularity with localnet params: 1 × 42 000 000 / 1 000 000.
    static let relayCost: Int64 = 42
    /// 3 000 / 15 suppliers per session / (ceil(9/10) + 1) pending sessions = 100 uPOKT: two relays.
    static let poorStake: UInt64 = 3_000
    static let poorLimit: UInt64 = 100

    let kernel: SimKernel
    let fakeChain: FakeChain
    let chain: ObservedChain
    let model: RedisModel
    let redis: ObservedRedis
    let backend: ScriptedBackend
    let telemetry: TraceTelemetry
    let blocks: BlockTracker
    let relayer: Relayer
    let config: RelayerConfig

    let app = PrivateKey.fromSecret("relayer-test-app")
    let poorApp = PrivateKey.fromSecret("relayer-test-poor-app")
    let gateway = PrivateKey.fromSecret("relayer-test-gateway")
    let stranger = PrivateKey.fromSecret("relayer-test-stranger")
    let supplier = PrivateKey.fromSecret("relayer-test-supplier")
    let keylessSupplier = PrivateKey.fromSecret("relayer-test-keyless-supplier")
    let outsider = PrivateKey.fromSecret("relayer-test-outsider")

    var appAddress: String { app.publicKey.address() }
    var supplierAddress: String { supplier.publicKey.address() }

    init(
        seed: UInt64 = 7, difficultyTarget: [UInt8] = RelayDifficulty.baseTargetHash,
        configure: (inout RelayerConfig) -> Void = { _ in }
    ) {
        kernel = SimKernel(seed: seed)
        let genesis = ChainGenesis(
            services: [
                GenesisService(id: Self.service, computeUnitsPerRelay: Self.computeUnitsPerRelay, relayDifficultyTarget: difficultyTarget),
                GenesisService(id: Self.otherService),
            ],
            gateways: [GenesisGateway(privateKey: gateway), GenesisGateway(privateKey: stranger)],
            applications: [
                GenesisApplication(privateKey: app, serviceID: Self.service, delegatedGateways: [gateway.publicKey.address()]),
                GenesisApplication(privateKey: poorApp, stakeUPOKT: Self.poorStake, serviceID: Self.service),
            ],
            suppliers: [
                GenesisSupplier(privateKey: supplier, services: [Self.service]),
                GenesisSupplier(privateKey: keylessSupplier, services: [Self.service]),
                GenesisSupplier(privateKey: outsider, services: [Self.otherService]),
            ]
        )
        fakeChain = FakeChain(genesis: genesis, kernel: kernel)
        chain = ObservedChain(fakeChain)
        model = RedisModel(clock: kernel.clock)
        redis = ObservedRedis(RedisModelClient(model: model, name: "relayer"))
        backend = ScriptedBackend(clock: kernel.clock)
        telemetry = TraceTelemetry(trace: kernel.trace, clock: kernel.clock, node: "relayer-1")
        blocks = BlockTracker(chain: chain, clock: kernel.clock, telemetry: telemetry, component: "relayer.blocks")
        var config = RelayerConfig(services: [
            RelayerConfig.Service(id: Self.service, transports: [.jsonRPC, .rest, .websocket], maxRequestBodyBytes: 64 * 1024, backendDeadline: .seconds(5)),
            RelayerConfig.Service(id: Self.otherService, transports: [.jsonRPC]),
        ])
        configure(&config)
        self.config = config
        let ports = RuntimePorts(redis: redis, keys: StaticKeys([supplier, outsider]), clock: kernel.clock, entropy: kernel.entropy, telemetry: telemetry)
        relayer = Relayer(config: config, ports: ports, chain: chain, backend: backend, blocks: blocks)
    }

    /// Runs `body` on the simulator.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        try kernel.run(body)
    }

    /// Produces blocks up to `height` (virtual time moves with them) and tells the relayer's tracker.
    func advance(to height: Int64) async {
        while await fakeChain.height < height {
            try? await kernel.clock.sleep(for: fakeChain.genesis.blockTime)
            let block = await fakeChain.produceBlock()
            await blocks.observe(block)
        }
    }

    var currentHeight: Int64 {
        get async { await fakeChain.height }
    }

    /// The chain's session header for `application` at `height` (the current one by default).
    func header(for application: PrivateKey? = nil, height: Int64? = nil) async throws -> Pocket_Session_SessionHeader {
        let h: Int64
        if let height { h = height } else { h = await fakeChain.height }
        return try await fakeChain.session(application: (application ?? app).publicKey.address(), serviceID: Self.service, height: h).header
    }

    static let defaultPayload: [UInt8] = {
        var http = Sdk_Types_POKTHTTPRequest()
        http.method = "POST"
        http.url = "http://backend.invalid/v1?x=1"
        http.header = RelayResponseBuilder.headerMap([("content-type", "application/json")])
        http.bodyBz = Data(#"{"jsonrpc":"2.0","method":"eth_blockNumber","id":1}"#.utf8)
        return try! CanonicalCodec.encode(http)
    }()

    /// A ring-signed request as a gateway builds it (PATH's ring: app + its gateways).
    func signedRequest(
        header: Pocket_Session_SessionHeader, supplier: String? = nil, payload: [UInt8] = RelayerWorld.defaultPayload,
        signer: PrivateKey? = nil, ring: [PublicKey]? = nil
    ) throws -> SignedRelayRequest {
        let signer = signer ?? gateway
        let ring = ring ?? RelayRequestBuilder.ring(application: app.publicKey, delegatedGateways: [gateway.publicKey])
        var rng = kernel.entropy.stream(for: "test.gateway")
        return try RelayRequestBuilder.build(
            sessionHeader: header, supplierOperatorAddress: supplier ?? supplierAddress, payload: payload,
            signer: signer, ring: ring, using: &rng
        )
    }

    func relay(_ bytes: [UInt8], rpcType: BackendTransport? = .jsonRPC) async -> RelayAnswer {
        await relayer.handle(IncomingRelay(body: bytes, rpcType: rpcType, path: "/relay"))
    }

    /// uPOKT charged so far on the (session, supplier) meter (0 when the key does not exist).
    func meter(_ header: Pocket_Session_SessionHeader, supplier: String? = nil) async throws -> Int64 {
        let key = config.redisKeys.meter(sessionID: header.sessionID, supplier: supplier ?? supplierAddress)
        guard let bytes = try await redis.inner.get(key) else { return 0 }
        return Int64(String(decoding: bytes, as: UTF8.self)) ?? -1
    }

    /// Entries of the supplier's relay stream.
    func published(supplier: String? = nil) async throws -> [StreamEntry] {
        try await redis.inner.xrange(config.redisKeys.relayStream(supplier: supplier ?? supplierAddress))
    }

    func seal(_ header: Pocket_Session_SessionHeader, supplier: String? = nil) async throws {
        let key = config.redisKeys.seal(supplier: supplier ?? supplierAddress, sessionID: header.sessionID)
        _ = try await redis.inner.hset(key, [FieldValue("last_id", Array("0-0".utf8))])
    }
}

/// Data from a protobuf `Data` field.
extension Data {
    var byteArray: [UInt8] { [UInt8](self) }
}

/// The rejection of an answer, or a test failure.
func expectRejected(_ answer: RelayAnswer, sourceLocation: SourceLocation = #_sourceLocation) -> RelayRejection? {
    guard case .rejected(let rejection) = answer else {
        Issue.record("expected a rejection, got \(answer)", sourceLocation: sourceLocation)
        return nil
    }
    return rejection
}

/// The served relay of an answer, or a test failure.
func expectServed(_ answer: RelayAnswer, sourceLocation: SourceLocation = #_sourceLocation) -> ServedRelay? {
    guard case .served(let served) = answer else {
        Issue.record("expected a served relay, got \(answer)", sourceLocation: sourceLocation)
        return nil
    }
    return served
}
