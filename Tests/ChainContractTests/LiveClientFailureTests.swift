import Foundation
import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
@testable import RelayRuntimeLive
import SimChain
import StandInServer
import SwiftProtobuf
import Testing

/// How the live client fails: every failure is a `ChainError` of the right
/// kind whose message names the method and the endpoint, and the client
/// recovers on its own when the node comes back.
@Suite(.timeLimit(.minutes(2)))
struct LiveClientFailureTests {
    /// A port nothing listens on: bound once by a throwaway server, then released.
    static func closedPort() async throws -> Int {
        try await ScriptedNode().serve { port in port }
    }

    @Test func aNodeThatIsNotRunningIsUnavailable() async throws {
        let port = try await Self.closedPort()
        try await withLiveClient(port: port) { queries in
            let error = await chainError { () async throws(ChainError) in try await queries.numSuppliersPerSession() }
            guard case .unavailable(let message)? = error else { Issue.record("expected unavailable, got \(String(describing: error))"); return }
            #expect(message.contains("/pocket.session.Query/Params") && message.contains("127.0.0.1:\(port)"), "\(message)")
            #expect(error?.isTransient == true)
            // Every method says the same, fast (no waiting for a connection that cannot come).
            let started = ContinuousClock.now
            let broadcast = await chainError { () async throws(ChainError) in try await queries.broadcast(txBytes: [1, 2, 3]) }
            #expect(broadcast?.kind == "unavailable" && ContinuousClock.now - started < .seconds(3), "\(String(describing: broadcast))")
        }
    }

    @Test func aDeadlineShorterThanASlowNodeIsATimeout() async throws {
        try await ScriptedNode(delay: .seconds(3)).serve { port in
            try await withLiveClient(port: port, callTimeout: .milliseconds(200)) { queries in
                let started = ContinuousClock.now
                let error = await chainError { () async throws(ChainError) in try await queries.numSuppliersPerSession() }
                guard case .timeout(let message)? = error else { Issue.record("expected timeout, got \(String(describing: error))"); return }
                #expect(message.contains("/pocket.session.Query/Params") && message.contains("127.0.0.1:\(port)"), "\(message)")
                #expect(ContinuousClock.now - started < .seconds(2))
            }
        }
    }

    /// Only an explicit NOT_FOUND is notFound: a node saying "not found" as
    /// INTERNAL is a broken answer, not proof that the session does not exist.
    @Test func notFoundInAnotherStatusIsAnInvalidResponse() async throws {
        try await ScriptedNode().serve { port in
            try await withLiveClient(port: port) { queries in
                let error = await chainError { () async throws(ChainError) in
                    try await queries.session(application: Keys.app.publicKey.address(), serviceID: "anvil", height: 5)
                }
                #expect(error?.kind == "invalidResponse" && error?.description.contains("/pocket.session.Query/GetSession") == true)
            }
        }
    }

    @Test func anUndecodableAccountIsAnInvalidResponse() async throws {
        let address = Keys.supplier.publicKey.address()
        func account(_ configure: (inout Cosmos_Auth_V1beta1_BaseAccount) -> Void) throws -> Google_Protobuf_Any {
            var base = Cosmos_Auth_V1beta1_BaseAccount()
            base.address = address
            base.accountNumber = 9
            base.sequence = 4
            configure(&base)
            return .with {
                $0.typeURL = "/cosmos.auth.v1beta1.BaseAccount"
                $0.value = try! base.serializedData()
            }
        }
        let garbage = Google_Protobuf_Any.with {
            $0.typeURL = "/cosmos.auth.v1beta1.BaseAccount"
            $0.value = Data([0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x01])
        }
        let moduleAccount = Google_Protobuf_Any.with { $0.typeURL = "/cosmos.auth.v1beta1.ModuleAccount" }
        let ed25519 = try account { $0.pubKey = .with { $0.typeURL = "/cosmos.crypto.ed25519.PubKey"; $0.value = Data([0x0A, 0x01, 0x00]) } }
        let shortKey = try account {
            $0.pubKey = .with { $0.typeURL = CosmosTx.secp256k1PubKeyTypeURL; $0.value = Data([0x0A, 0x02, 0x02, 0x01]) }
        }
        for (label, packed, expected) in [("garbage", garbage, "undecodable BaseAccount"), ("module account", moduleAccount, "ModuleAccount"),
                                          ("ed25519 key", ed25519, "ed25519"), ("short key", shortKey, "unusable public key")] {
            try await ScriptedNode(account: packed).serve { port in
                try await withLiveClient(port: port) { queries in
                    let error = await chainError { () async throws(ChainError) in try await queries.account(address: address) }
                    guard case .invalidResponse(let message)? = error else {
                        Issue.record("\(label): expected invalidResponse, got \(String(describing: error))")
                        return
                    }
                    #expect(message.contains(expected) && message.contains("/cosmos.auth.v1beta1.Query/Account"), "\(label): \(message)")
                }
            }
        }

        // An account that never signed has no key: nil, not an error.
        try await ScriptedNode(account: try account { _ in }).serve { port in
            try await withLiveClient(port: port) { queries in
                let keyless = try await queries.account(address: address)
                #expect(keyless == ChainAccount(address: address, accountNumber: 9, sequence: 4, publicKey: nil))
            }
        }
    }

    /// The transport reconnects with backoff: while the node is down calls
    /// fail fast as unavailable, and once it is back on the same port they
    /// succeed again without a new client.
    @Test func theClientReconnectsWhenTheNodeComesBack() async throws {
        let clock = SystemClock()
        let chain = FakeChain(genesis: ContractGenesis.make(start: clock.now), clock: clock, entropy: SystemEntropy(), telemetry: NullTelemetry())
        let port = try await ChainGRPCServer.withServer(chain: chain) { _, port in port }
        try await withLiveClient(port: port) { queries in
            #expect(await chainError { () async throws(ChainError) in try await queries.numSuppliersPerSession() }?.kind == "unavailable")
            try await ChainGRPCServer.withServer(chain: chain, port: port) { _, _ in
                var answer: UInt64?
                for _ in 0..<100 where answer == nil {
                    answer = try? await queries.numSuppliersPerSession()
                    if answer == nil { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(answer == 15)
            }
            // Down again: unavailable again, quickly.
            #expect(await chainError { () async throws(ChainError) in try await queries.numSuppliersPerSession() }?.kind == "unavailable")
        }
    }

    /// The mapping table itself, status by status (GRPCChainErrors).
    @Test func everyStatusMapsAsDocumented() {
        let expected: [(RPCError.Code, String)] = [
            (.notFound, "notFound"),
            (.unavailable, "unavailable"), (.resourceExhausted, "unavailable"), (.aborted, "unavailable"), (.cancelled, "unavailable"),
            (.deadlineExceeded, "timeout"),
            (.invalidArgument, "invalidResponse"), (.unknown, "invalidResponse"), (.internalError, "invalidResponse"),
            (.unimplemented, "invalidResponse"), (.failedPrecondition, "invalidResponse"), (.outOfRange, "invalidResponse"),
            (.alreadyExists, "invalidResponse"), (.permissionDenied, "invalidResponse"), (.unauthenticated, "invalidResponse"),
            (.dataLoss, "invalidResponse"),
        ]
        for (code, kind) in expected {
            let error = GRPCChainErrors.chainError(RPCError(code: code, message: "why"), method: "/m.Q/M", endpoint: "node:9090")
            #expect(error.kind == kind, "\(code)")
            #expect(error.description.contains("/m.Q/M at node:9090: \(code): why"), "\(error)")
        }
        func map(_ error: any Error) -> ChainError { GRPCChainErrors.chainError(error, method: "/m.Q/M", endpoint: "node:9090") }
        #expect(map(RuntimeError(code: .clientIsStopped, message: "stopped")).kind == "unavailable")
        #expect(map(RuntimeError(code: .transportError, message: "boom")).kind == "unavailable")
        #expect(map(CancellationError()).kind == "unavailable")
        #expect(map(BinaryDecodingError.truncated).kind == "invalidResponse")
        #expect(map(ChainError.notFound("kept")) == .notFound("kept"))
    }
}
