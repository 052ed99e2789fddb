import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import SimRedis

/// Throwaway identities of the miner tests.
enum MinerTestKeys {
    static let app = PrivateKey.fromSecret("miner-test-app")
    static func app(_ i: Int) -> PrivateKey { i == 0 ? app : PrivateKey.fromSecret("miner-test-app-\(i)") }
    static let gateway = PrivateKey.fromSecret("miner-test-gateway")
    static func supplier(_ i: Int) -> PrivateKey { PrivateKey.fromSecret("miner-test-supplier-\(i)") }
}

/// Every telemetry event of a run, kept in memory for assertions (and also
/// written to the kernel's trace, so runs stay hash-comparable).
final class MinerEventLog: @unchecked Sendable {
    struct Event: Sendable, CustomStringConvertible {
        let time: RuntimeInstant
        let node: String
        let component: String
        let name: String
        let fields: [(String, String)]

        subscript(_ key: String) -> String? { fields.first { $0.0 == key }?.1 }
        func int(_ key: String) -> Int64? { self[key].flatMap { Int64($0) } }
        var seconds: Double { Double(time.unixNanoseconds - SimKernel.epoch.unixNanoseconds) / 1e9 }

        var description: String {
            "\(seconds)s \(node)/\(component) \(name) " + fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        }
    }

    private let lock = NSLock()
    private var items: [Event] = []
    let clock: SimClock
    let trace: SimTrace

    init(kernel: SimKernel) {
        clock = kernel.clock
        trace = kernel.trace
    }

    func append(_ e: Event) {
        lock.lock()
        items.append(e)
        lock.unlock()
        trace.record(at: e.time, component: "\(e.node)/\(e.component)", event: e.name, fields: e.fields)
    }

    var all: [Event] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }

    func named(_ name: String, node: String? = nil, where predicate: (Event) -> Bool = { _ in true }) -> [Event] {
        all.filter { $0.name == name && (node == nil || $0.node == node) && predicate($0) }
    }

    func telemetry(node: String) -> NodeTelemetry { NodeTelemetry(log: self, node: node) }
}

struct NodeTelemetry: TelemetryPort {
    let log: MinerEventLog
    let node: String

    func count(_ metric: MetricDescriptor, _ labels: TelemetryLabels, by amount: Int64) {}
    func observe(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {}
    func gauge(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {}
    func event(_ component: String, _ name: String, level: EventLevel, _ fields: TelemetryLabels) {
        log.append(.init(time: log.clock.now, node: node, component: component, name: name, fields: fields))
    }
}

/// Relays of one (session, supplier), signed for real: ring-signed requests
/// from the application's gateway, supplier-signed responses. Unchecked
/// Sendable: used only on the simulator's thread.
struct SessionRelays: @unchecked Sendable {
    let header: Pocket_Session_SessionHeader
    let supplier: String
    let relays: [DehydratedRelay]

    var sessionID: String { header.sessionID }

    /// The tree of `relays[range]` with the service's weight: the root a claim must carry.
    func tree(_ subset: [DehydratedRelay]? = nil, weight: UInt64 = MinerWorld.cupr) -> SparseMerkleSumTrie {
        let tree = SparseMerkleSumTrie()
        for r in subset ?? relays { tree.update(key: r.hash, value: r.bytes, weight: weight) }
        return tree
    }

    func message(_ relay: DehydratedRelay, arrival: Int64) -> Bytes {
        var m = Pocket_Relayminer_MinedRelayMessage()
        m.relayHash = Data(relay.hash)
        m.relayBytes = Data(relay.bytes)
        m.computeUnitsPerRelay = MinerWorld.cupr
        m.sessionID = header.sessionID
        m.sessionStartHeight = header.sessionStartBlockHeight
        m.sessionEndHeight = header.sessionEndBlockHeight
        m.supplierOperatorAddress = supplier
        m.serviceID = header.serviceID
        m.applicationAddress = header.applicationAddress
        m.arrivalBlockHeight = arrival
        return try! CanonicalCodec.encode(m)
    }
}

/// A simulated world for the miner: kernel, Redis model, fake chain with
/// localnet windows (session [1, 10], claim window [12, 16], seed block 15,
/// proof window [16, 20], settlement at 20) and 10 s blocks (block h at
/// t = 10·(h−1) s).
struct MinerWorld: @unchecked Sendable {
    static let service = "anvil"
    static let cupr: UInt64 = 3
    static let blockTime = Duration.seconds(10)

    let kernel: SimKernel
    let chain: FakeChain
    let model: RedisModel
    let log: MinerEventLog
    let suppliers: [PrivateKey]
    let keys = RedisKeys()

    /// `probability`/`threshold`: the proof requirement (1 / 0 = always, 0 / max = never).
    init(seed: UInt64 = 1, suppliers: Int = 1, applications: Int = 1, probability: Double = 0, thresholdUPOKT: UInt64 = .max) {
        kernel = SimKernel(seed: seed)
        let supplierKeys = (0..<suppliers).map { MinerTestKeys.supplier($0) }
        self.suppliers = supplierKeys
        let genesis = ChainGenesis(
            chainID: "pocket-sim", blockTime: Self.blockTime, sharedParams: .localnet,
            proofParams: ProofParams(proofRequestProbability: probability, proofRequirementThresholdUPOKT: thresholdUPOKT,
                                     proofMissingPenaltyUPOKT: 320_000_000, proofSubmissionFeeUPOKT: 1_000_000),
            numSuppliersPerSession: 15,
            services: [GenesisService(id: Self.service, computeUnitsPerRelay: Self.cupr)],
            gateways: [GenesisGateway(privateKey: MinerTestKeys.gateway)],
            applications: (0..<applications).map {
                GenesisApplication(privateKey: MinerTestKeys.app($0), serviceID: Self.service,
                                   delegatedGateways: [MinerTestKeys.gateway.publicKey.address()])
            },
            suppliers: supplierKeys.map { GenesisSupplier(privateKey: $0, services: [Self.service]) })
        chain = FakeChain(genesis: genesis, kernel: kernel)
        model = RedisModel(clock: kernel.clock)
        log = MinerEventLog(kernel: kernel)
    }

    func address(_ i: Int) -> String { suppliers[i].publicKey.address() }

    /// The virtual time at which block `height` is produced.
    static func time(ofBlock height: Int64) -> RuntimeInstant {
        SimKernel.epoch.advanced(by: blockTime * Int(height - 1))
    }

    static func seconds(_ s: Double) -> RuntimeInstant {
        SimKernel.epoch.advanced(by: .nanoseconds(Int64(s * 1e9)))
    }

    /// Sleeps until just after block `height` (1 ms, so every node has reacted to it).
    func waitFor(height: Int64) async throws {
        try await kernel.clock.sleep(until: Self.time(ofBlock: height).advanced(by: .milliseconds(1)))
    }

    func waitUntil(seconds: Double) async throws {
        try await kernel.clock.sleep(until: Self.seconds(seconds))
    }

    func config(_ instance: String) -> MinerConfig {
        MinerConfig.standard(instanceID: instance, blockTime: Self.blockTime, chainID: chain.genesis.chainID, keys: keys)
    }

    /// A miner node named `name` (its Redis connection and chain link carry the name).
    func miner(_ name: String, suppliers indices: [Int]? = nil, config: MinerConfig? = nil, redis: RedisModelClient? = nil) -> Miner {
        let held = (indices ?? Array(suppliers.indices)).map { suppliers[$0] }
        let ports = RuntimePorts(redis: redis ?? RedisModelClient(model: model, name: name), keys: StaticKeys(held), clock: kernel.clock,
                                 entropy: kernel.entropy, telemetry: log.telemetry(node: name))
        // Built by the same assembly as the simulator's nodes and the `miner` command.
        return MinerProcess(config: config ?? self.config(name), ports: ports, chain: chain.link(for: name)).miner
    }

    /// `count` signed relays for supplier `i` in the session containing `height`.
    func relays(supplier i: Int, application: Int = 0, height: Int64 = 1, count: Int, tag: String = "") async throws -> SessionRelays {
        let app = MinerTestKeys.app(application).publicKey.address()
        let session = try await chain.session(application: app, serviceID: Self.service, height: height)
        let application = try await chain.application(address: app)
        var ring: [PublicKey] = []
        for a in RelayRequestBuilder.ringAddresses(for: application) { ring.append(try await chain.account(address: a).publicKey!) }
        var rng = kernel.entropy.stream(for: "test.gateway")
        let supplier = suppliers[i]
        var out: [DehydratedRelay] = []
        for n in 0..<count {
            let request = try RelayRequestBuilder.build(
                sessionHeader: session.header, supplierOperatorAddress: supplier.publicKey.address(),
                payload: Bytes(#"{"jsonrpc":"2.0","id":\#(n),"method":"eth_blockNumber","tag":"\#(tag)"}"#.utf8),
                signer: MinerTestKeys.gateway, ring: ring, using: &rng)
            let response = try RelayResponseBuilder.signed(sessionHeader: session.header,
                                                           payload: Bytes(#"{"id":\#(n),"result":"0x\#(n)\#(tag)"}"#.utf8), key: supplier)
            out.append(try DehydratedRelay(request: request.request, response: response))
        }
        return SessionRelays(header: session.header, supplier: supplier.publicKey.address(), relays: out)
    }

    /// Publishes relays as the relayer does (`appendUnlessSealed`); returns
    /// the ids, nil for relays refused because the session is sealed.
    @discardableResult
    func publish(_ session: SessionRelays, _ subset: [DehydratedRelay]? = nil, via redis: any RedisClient, arrival: Int64 = 0) async throws -> [StreamID?] {
        var ids: [StreamID?] = []
        for relay in subset ?? session.relays {
            ids.append(try await redis.appendUnlessSealed(
                keys.relayStream(supplier: session.supplier), sealKey: keys.seal(supplier: session.supplier, sessionID: session.sessionID),
                fields: [FieldValue(RedisKeys.relayField, session.message(relay, arrival: arrival))]))
        }
        return ids
    }

    func client(_ name: String) -> RedisModelClient { RedisModelClient(model: model, name: name) }

    /// Every key of any type that mentions `text`.
    func keys(containing text: String) -> [String] {
        [RedisValueKind.string, .hash, .set, .stream].flatMap { model.keys(ofType: $0) }.filter { $0.contains(text) }.sorted()
    }
}

/// A way to crash a node from the test: `kill()` cancels its `run()`
/// (in-memory state lost, leases not released), as a process kill would.
final class KillSwitch: @unchecked Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() { (stream, continuation) = AsyncStream<Void>.makeStream() }

    func kill() { continuation.finish() }
}

extension Miner {
    /// Runs the miner until it returns or `killSwitch` fires.
    func run(until killSwitch: KillSwitch) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.run() }
            group.addTask { for await _ in killSwitch.stream {} }
            _ = await group.next()
            group.cancelAll()
        }
    }
}
