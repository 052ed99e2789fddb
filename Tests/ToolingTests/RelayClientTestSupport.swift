import Foundation
import PocketProtocol
import RelayClient
import RelayRuntime
import RelayRuntimeLive
import SimChain
import StandInServer

/// Throwaway identities of the relay-client tests.
enum RelayClientKeys {
    /// Delegates to `gateway`.
    static let app = PrivateKey.fromSecret("relayclient-app")
    /// Delegates to nobody: its ring is [app, app].
    static let soloApp = PrivateKey.fromSecret("relayclient-solo-app")
    static let gateway = PrivateKey.fromSecret("relayclient-gateway")
    /// Staked, but no application delegates to it.
    static let otherGateway = PrivateKey.fromSecret("relayclient-other-gateway")
    static let supplier = PrivateKey.fromSecret("relayclient-supplier")
    static let supplier2 = PrivateKey.fromSecret("relayclient-supplier-2")

    static let suppliers = [supplier, supplier2]

    /// The private key of a supplier by operator address (what the test relayers sign with).
    static func supplierKey(_ address: String) -> PrivateKey? {
        suppliers.first { $0.publicKey.address() == address }
    }
}

/// A clock that moves only when a test produces a block.
final class RelayClientTestClock: ClockPort, @unchecked Sendable {
    private let lock = NSLock()
    private var nanoseconds: Int64 = 1_767_225_600_000_000_000

    var now: RuntimeInstant { lock.withLock { RuntimeInstant(unixNanoseconds: nanoseconds) } }
    var monotonicNow: MonotonicInstant { lock.withLock { MonotonicInstant(nanoseconds: nanoseconds) } }

    func advance(by duration: Duration) {
        lock.withLock { nanoseconds += duration.nanoseconds }
    }

    func sleep(until deadline: MonotonicInstant) async throws {
        try Task.checkCancellation()
        lock.withLock { nanoseconds = max(nanoseconds, deadline.nanoseconds) }
    }
}

/// The chain stand-in in process: a FakeChain whose blocks the test produces
/// on demand (so session boundaries come exactly when the test says), served
/// by the stand-in's gRPC and CometBFT servers on free loopback ports, and the
/// client's live chain reader (`RelayChain.withLiveChain`) connected to them.
/// Sessions are 4 blocks: [1, 4], [5, 8], …
struct RelayClientChain: Sendable {
    static let chainID = "relayclient-test"
    static let service = "anvil"
    static let blockTime: Duration = .seconds(1)

    let chain: FakeChain
    let clock: RelayClientTestClock
    /// The client's view: LiveChainQueries + CometBFTClient over the sockets.
    let reader: any ChainReader
    let grpcPort: Int
    let rpcPort: Int

    static func genesis(start: RuntimeInstant) -> ChainGenesis {
        ChainGenesis(
            chainID: chainID, genesisTime: start, blockTime: blockTime,
            sharedParams: SharedParams(numBlocksPerSession: 4, gracePeriodEndOffsetBlocks: 1,
                                       claimWindowOpenOffsetBlocks: 1, claimWindowCloseOffsetBlocks: 4,
                                       proofWindowOpenOffsetBlocks: 0, proofWindowCloseOffsetBlocks: 4),
            numSuppliersPerSession: 15,
            services: [GenesisService(id: service)],
            gateways: [GenesisGateway(privateKey: RelayClientKeys.gateway), GenesisGateway(privateKey: RelayClientKeys.otherGateway)],
            applications: [
                GenesisApplication(privateKey: RelayClientKeys.app, serviceID: service,
                                   delegatedGateways: [RelayClientKeys.gateway.publicKey.address()]),
                GenesisApplication(privateKey: RelayClientKeys.soloApp, serviceID: service),
            ],
            suppliers: RelayClientKeys.suppliers.map { GenesisSupplier(privateKey: $0, services: [service]) }
        )
    }

    /// Produces blocks until `height` is the latest, one block time apart.
    func produceBlocks(through height: Int64) async {
        while await chain.height < height {
            if await chain.height > 0 { clock.advance(by: Self.blockTime) }
            await chain.produceBlock()
        }
    }

    /// A fresh chain at height 2 (inside session [1, 4]) for the duration of `body`.
    static func run<T: Sendable>(_ body: (RelayClientChain) async throws -> T) async throws -> T {
        let clock = RelayClientTestClock()
        let chain = FakeChain(genesis: genesis(start: clock.now), clock: clock, entropy: SystemEntropy(), telemetry: NullTelemetry())
        return try await ChainGRPCServer.withServer(chain: chain, host: "127.0.0.1", port: 0) { _, grpcPort in
            try await CometRPCServer.withServer(chain: chain, host: "127.0.0.1", port: 0) { _, rpcPort in
                try await RelayChain.withLiveChain(node: "127.0.0.1:\(grpcPort)", nodeRPC: "http://127.0.0.1:\(rpcPort)", chainID: chainID) { reader in
                    let world = RelayClientChain(chain: chain, clock: clock, reader: reader, grpcPort: grpcPort, rpcPort: rpcPort)
                    await world.produceBlocks(through: 2)
                    return try await body(world)
                }
            }
        }
    }

    /// A resolver for `keys`' application that checks the height on every call.
    func resolver(for keys: RelaySigningKeys) -> SessionResolver {
        SessionResolver(chain: reader, applicationAddress: keys.applicationAddress, serviceID: Self.service,
                        knownKeys: [keys.signerAddress: keys.signer.publicKey], heightCheckInterval: .zero)
    }

    func preparer(for keys: RelaySigningKeys, transport: RelayTransport, selection: SupplierSelection = .firstOfSession,
                  body: String? = nil) throws -> RelayPreparer {
        RelayPreparer(resolver: resolver(for: keys), factory: RelayRequestFactory(keys: keys), selection: selection,
                      payload: try RelayPayloads.payload(RelayPayloadOptions(transport: transport, body: body)))
    }
}

struct RelayClientTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
