import Foundation
import PocketProtocol
import RelayRuntime
import SimKernel

/// Something a gateway can send a relay to: a relayer node of the world.
public protocol RelayerEndpoint: Sendable {
    var name: String { get }
    func deliver(_ relay: IncomingRelay) async -> RelayDelivery
    /// A WebSocket upgrade; nil when no relayer process is listening.
    func openDuplex(serviceID: String) async -> DuplexOpenAnswer?
}

/// The scenario's gateways and self-signing applications, as PATH would
/// behave: for every block of a workload phase, look up the current session,
/// pick a supplier of it, build a real ring-signed relay request (fresh
/// signature per request, so relays do not collapse), send it to a relayer
/// and record what came back. Relays are spread evenly over the block time
/// and sent concurrently.
final class GatewayTraffic: Sendable {
    struct Sender: Sendable {
        let applicationName: String
        let application: PrivateKey
        let serviceID: String
        /// The key that signs (the first delegated gateway, or the application itself).
        let signer: PrivateKey
        let ring: [PublicKey]
    }

    let spec: ScenarioSpec
    let senders: [String: Sender]
    let chain: any ChainPort
    let clock: any ClockPort
    let entropy: any EntropyPort
    let relayers: [any RelayerEndpoint]
    let outcomes: RelayOutcomes
    let blocks: BlockTracker
    let sessions = SessionLookup()
    let bridges = DuplexBridges()
    let networkLatency: Duration = .milliseconds(1)
    /// Long-lived work (WebSocket readers) started from inside a send.
    private let spawned: AsyncStream<@Sendable () async -> Void>
    private let spawn: AsyncStream<@Sendable () async -> Void>.Continuation

    init(spec: ScenarioSpec, identities: WorldIdentities, chain: any ChainPort, clock: any ClockPort, entropy: any EntropyPort,
         telemetry: any TelemetryPort, relayers: [any RelayerEndpoint], outcomes: RelayOutcomes) {
        self.spec = spec
        var senders: [String: Sender] = [:]
        for app in spec.applications {
            let appKey = identities.applications[app.name]!
            let gatewayKeys = app.gateways.map { identities.gateways[$0]! }
            let ring = RelayRequestBuilder.ring(application: appKey.publicKey, delegatedGateways: gatewayKeys.map(\.publicKey))
            senders[app.name] = Sender(applicationName: app.name, application: appKey, serviceID: app.service, signer: gatewayKeys.first ?? appKey, ring: ring)
        }
        self.senders = senders
        self.chain = chain
        self.clock = clock
        self.entropy = entropy
        self.relayers = relayers
        self.outcomes = outcomes
        (spawned, spawn) = AsyncStream<@Sendable () async -> Void>.makeStream()
        blocks = BlockTracker(chain: chain, clock: clock, telemetry: telemetry, component: "gateway")
    }

    /// Sends the whole workload; returns after the last phase's last block.
    func run() async {
        guard let last = spec.workload.map(\.toBlock).max() else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.blocks.run() }
            group.addTask {
                await withTaskGroup(of: Void.self) { jobs in
                    for await job in self.spawned { jobs.addTask { await job() } }
                }
            }
            await withTaskGroup(of: Void.self) { senders in
                var counter = 0
                for await block in await blocks.blocks() {
                    if block.height > last { break }
                    for (phaseIndex, phase) in spec.workload.enumerated() where phase.fromBlock <= block.height && block.height <= phase.toBlock {
                        let start = counter
                        counter += phase.relaysPerBlock
                        senders.addTask { await self.sendBlock(block, phase: phase, phaseIndex: phaseIndex, firstRelay: start) }
                    }
                }
                await senders.waitForAll()
            }
            await bridges.closeAll()
            spawn.finish()
            group.cancelAll()
        }
    }

    private func sendBlock(_ block: ChainBlock, phase: WorkloadPhase, phaseIndex: Int, firstRelay: Int) async {
        let apps = (phase.applications.isEmpty ? spec.applications.map(\.name) : phase.applications).sorted()
        guard !apps.isEmpty, phase.relaysPerBlock > 0 else { return }
        let spacing = spec.blockTime / phase.relaysPerBlock
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<phase.relaysPerBlock {
                do { try await clock.sleep(for: i == 0 ? .zero : spacing) } catch { return }
                let app = apps[(firstRelay + i) % apps.count]
                let sequence = firstRelay + i
                group.addTask { await self.sendOne(app: app, height: block.height, sequence: sequence, phase: phase) }
            }
        }
    }

    private func sendOne(app: String, height: Int64, sequence: Int, phase: WorkloadPhase) async {
        guard let sender = senders[app] else { return }
        let session: Pocket_Session_Session
        do throws(ChainError) {
            session = try await sessions.session(chain: chain, application: sender.application.publicKey.address(), serviceID: sender.serviceID,
                                                 height: max(1, height - phase.lateByBlocks))
        } catch {
            return
        }
        guard !session.suppliers.isEmpty else { return }
        let supplier = session.suppliers[sequence % session.suppliers.count].operatorAddress
        let random = entropy.stream(for: "gateway/\(app)")
        var rng = random
        let body = Array(#"{"jsonrpc":"2.0","id":\#(sequence),"method":"eth_blockNumber","params":[]}"#.utf8)
        let webSocket = phase.transport == "websocket"
        var http = Sdk_Types_POKTHTTPRequest()
        http.method = "POST"
        http.url = "/"
        http.bodyBz = Data(body)
        // WebSocket frames carry the raw message; HTTP relays a POKTHTTPRequest.
        guard let payload = webSocket ? body : (try? http.serializedBytes() as [UInt8]),
              let signed = try? RelayRequestBuilder.build(
                sessionHeader: session.header, supplierOperatorAddress: supplier, payload: payload,
                signer: sender.signer, ring: sender.ring, using: &rng) else { return }
        let duplicate = phase.duplicateRate > 0 && Double(random.next() % 1_000_000) / 1_000_000 < phase.duplicateRate
        let relayerIndex = sequence % max(relayers.count, 1)
        if webSocket {
            await sendFrame(signed.bytes, app: app, supplier: supplier, serviceID: sender.serviceID, relayerIndex: relayerIndex, session: session)
            return
        }
        await deliver(signed.bytes, relayerIndex: relayerIndex, session: session, duplicate: false)
        if duplicate {
            await deliver(signed.bytes, relayerIndex: relayerIndex + 1, session: session, duplicate: true)
        }
    }

    /// Sends to the chosen relayer, failing over to the next ones when a relayer is down (a load balancer's behaviour).
    private func deliver(_ bytes: [UInt8], relayerIndex: Int, session: Pocket_Session_Session, duplicate: Bool) async {
        outcomes.recordSent(duplicate: duplicate)
        var delivery = RelayDelivery.relayerDown
        for attempt in 0..<relayers.count {
            let relayer = relayers[(relayerIndex + attempt) % relayers.count]
            do { try await clock.sleep(for: networkLatency) } catch { return }
            delivery = await relayer.deliver(IncomingRelay(body: bytes, rpcType: .jsonRPC))
            if case .relayerDown = delivery { continue }
            break
        }
        let now = clock.now.unixNanoseconds - SimKernel.epoch.unixNanoseconds
        outcomes.record(delivery, sessionID: session.header.sessionID, sessionEnd: session.header.sessionEndBlockHeight, at: now)
    }
}

extension GatewayTraffic {
    /// Sends one relay as a frame on the (application, supplier) WebSocket
    /// bridge, opening it (and its reader) on first use and replacing it when
    /// the session changes.
    fileprivate func sendFrame(_ bytes: [UInt8], app: String, supplier: String, serviceID: String, relayerIndex: Int, session: Pocket_Session_Session) async {
        outcomes.recordSent(duplicate: false)
        let header = session.header
        let record: @Sendable (RelayDelivery) -> Void = { [outcomes, clock] delivery in
            outcomes.record(delivery, sessionID: header.sessionID, sessionEnd: header.sessionEndBlockHeight,
                            at: clock.now.unixNanoseconds - SimKernel.epoch.unixNanoseconds)
        }
        let key = "\(app)|\(supplier)"
        var bridge = await bridges.bridge(key, sessionID: header.sessionID)
        if bridge == nil {
            let relayer = relayers[relayerIndex % relayers.count]
            switch await relayer.openDuplex(serviceID: serviceID) {
            case nil:
                record(.relayerDown)
                return
            case .rejected(let r):
                record(.answered(.rejected(r)))
                return
            case .opened(let duplex):
                bridge = duplex
                await bridges.set(key, sessionID: header.sessionID, session: duplex)
                spawn.yield {
                    for await frame in duplex.backendFrames {
                        switch frame {
                        case .relay(let served): record(.answered(.served(served)))
                        case .close(let r): record(.answered(.rejected(r)))
                        }
                    }
                }
            }
        }
        guard let bridge else { return }
        if case .rejected(let r, _) = await bridge.clientFrame(.binary(bytes)) { record(.answered(.rejected(r))) }
    }
}

/// The gateways' open WebSocket bridges, one per (application, supplier),
/// each for one session.
actor DuplexBridges {
    private var open: [String: (sessionID: String, session: DuplexSession)] = [:]

    /// The bridge for `key` if it serves `sessionID`; a bridge for an older session is closed.
    func bridge(_ key: String, sessionID: String) async -> DuplexSession? {
        guard let current = open[key] else { return nil }
        if current.sessionID == sessionID { return current.session }
        open[key] = nil
        await current.session.close()
        return nil
    }

    func set(_ key: String, sessionID: String, session: DuplexSession) {
        open[key] = (sessionID, session)
    }

    func closeAll() async {
        for key in open.keys.sorted() { await open[key]?.session.close() }
        open = [:]
    }
}

/// The current session per (application, service), so a gateway asks the
/// chain once per session as PATH does.
actor SessionLookup {
    private var cache: [String: Pocket_Session_Session] = [:]

    func session(chain: any ChainPort, application: String, serviceID: String, height: Int64) async throws(ChainError) -> Pocket_Session_Session {
        let key = "\(application)/\(serviceID)"
        if let hit = cache[key], hit.header.sessionStartBlockHeight <= height, height <= hit.header.sessionEndBlockHeight {
            return hit
        }
        let session = try await chain.session(application: application, serviceID: serviceID, height: height)
        cache[key] = session
        return session
    }
}
