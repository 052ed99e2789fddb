import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import PocketChainAPI
import PocketProtocol
import Testing

/// Failures come back as the standard gRPC statuses a node uses: unknown
/// objects NOT_FOUND, malformed requests INVALID_ARGUMENT, and bytes that are
/// not a request at all a status too, never a crash or a hang.
@Suite(.timeLimit(.minutes(1)))
struct StatusTests {
    static let stranger = Keys.stranger.publicKey.address()
    static let noSession = String(repeating: "ab", count: 32)

    @Test func unknownObjectsAreNotFound() async throws {
        try await StandIn.run { chain, client in
            try await StandIn.waitForHeight(1, on: chain)
            let supplier = Keys.supplier.publicKey.address()
            let sessions = Pocket_Session_Query.Client(wrapping: client)
            await expectStatus(.notFound) {
                try await sessions.getSession(.with { $0.applicationAddress = Self.stranger; $0.serviceID = StandIn.service; $0.blockHeight = 1 })
            }
            // Its start block does not exist yet.
            await expectStatus(.notFound) {
                try await sessions.getSession(.with { $0.applicationAddress = Keys.app.publicKey.address(); $0.serviceID = StandIn.service; $0.blockHeight = 100_000 })
            }
            await expectStatus(.notFound) { try await Pocket_Application_Query.Client(wrapping: client).application(.with { $0.address = Self.stranger }) }
            await expectStatus(.notFound) { try await Pocket_Supplier_Query.Client(wrapping: client).supplier(.with { $0.operatorAddress = Self.stranger }) }
            await expectStatus(.notFound) { try await Cosmos_Auth_V1beta1_Query.Client(wrapping: client).account(.with { $0.address = Self.stranger }) }

            let services = Pocket_Service_Query.Client(wrapping: client)
            await expectStatus(.notFound) { try await services.service(.with { $0.id = "nope" }) }
            await expectStatus(.notFound) { try await services.computeUnitsPerRelayAtHeight(.with { $0.serviceID = "nope"; $0.blockHeight = 1 }) }
            await expectStatus(.notFound) { try await services.relayMiningDifficultyAtHeight(.with { $0.serviceID = "nope"; $0.blockHeight = 1 }) }

            let proofs = Pocket_Proof_Query.Client(wrapping: client)
            await expectStatus(.notFound) { try await proofs.claim(.with { $0.sessionID = Self.noSession; $0.supplierOperatorAddress = supplier }) }
            await expectStatus(.notFound) { try await proofs.proof(.with { $0.sessionID = Self.noSession; $0.supplierOperatorAddress = supplier }) }
            #expect(try await proofs.allClaims(.with { $0.sessionID = Self.noSession }).claims.isEmpty)

            await expectStatus(.notFound) { try await Cosmos_Tx_V1beta1_Service.Client(wrapping: client).getTx(.with { $0.hash = Self.noSession }) }
        }
    }

    @Test func malformedRequestsAreInvalidArguments() async throws {
        try await StandIn.run { chain, client in
            try await StandIn.waitForHeight(1, on: chain)
            let sessions = Pocket_Session_Query.Client(wrapping: client)
            await expectStatus(.invalidArgument) {
                try await sessions.getSession(.with { $0.applicationAddress = "cosmos1notpokt"; $0.serviceID = StandIn.service })
            }
            await expectStatus(.invalidArgument) {
                try await sessions.getSession(.with { $0.applicationAddress = Keys.app.publicKey.address(); $0.serviceID = "bad service!" })
            }
            await expectStatus(.invalidArgument) { try await Pocket_Shared_Query.Client(wrapping: client).paramsAtHeight(.with { $0.height = -1 }) }
            await expectStatus(.invalidArgument) {
                try await Pocket_Service_Query.Client(wrapping: client).computeUnitsPerRelayAtHeight(.with { $0.serviceID = StandIn.service; $0.blockHeight = -5 })
            }
            await expectStatus(.invalidArgument) {
                try await Cosmos_Bank_V1beta1_Query.Client(wrapping: client).balance(.with { $0.address = Keys.app.publicKey.address(); $0.denom = "" })
            }
            await expectStatus(.invalidArgument) { try await Cosmos_Auth_V1beta1_Query.Client(wrapping: client).account(.with { $0.address = "pokt1xyz" }) }
            await expectStatus(.invalidArgument) {
                try await Pocket_Proof_Query.Client(wrapping: client).claim(.with { $0.sessionID = ""; $0.supplierOperatorAddress = Keys.supplier.publicKey.address() })
            }
            let txs = Cosmos_Tx_V1beta1_Service.Client(wrapping: client)
            await expectStatus(.invalidArgument) { try await txs.broadcastTx(.with { $0.mode = .sync }) }
            await expectStatus(.invalidArgument) { try await txs.broadcastTx(.with { $0.txBytes = Data([1, 2, 3]); $0.mode = .block }) }
            await expectStatus(.invalidArgument) { try await txs.simulate(.init()) }
            await expectStatus(.invalidArgument) { try await txs.getTx(.with { $0.hash = "not-a-hash" }) }
            // Bytes that are no transaction: the SDK reports failed simulations as UNKNOWN.
            await expectStatus(.unknown) { try await txs.simulate(.with { $0.txBytes = Data([0xFF, 0x01]) }) }
        }
    }

    @Test func garbageAndUnknownMethodsGetAStatusAndTheServerCarriesOn() async throws {
        try await StandIn.run { chain, client in
            try await StandIn.waitForHeight(1, on: chain)
            // Not a protobuf message at all: a length-delimited field running past the end.
            let garbage: [UInt8] = [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]
            let getSession = MethodDescriptor(fullyQualifiedService: "pocket.session.Query", method: "GetSession")
            let message = await expectStatus(.invalidArgument) { try await Self.rawCall(client, getSession, garbage) }
            #expect(message != nil)
            let unknown = MethodDescriptor(fullyQualifiedService: "pocket.session.Query", method: "GetSessions")
            await expectStatus(.unimplemented) { try await Self.rawCall(client, unknown, []) }
            let unknownService = MethodDescriptor(fullyQualifiedService: "pocket.gateway.Query", method: "Gateway")
            await expectStatus(.unimplemented) { try await Self.rawCall(client, unknownService, []) }
            // Still serving.
            #expect(try await Pocket_Session_Query.Client(wrapping: client).params(.init()).params.numSuppliersPerSession == 15)
        }
    }

    /// A unary call with hand-made request bytes.
    static func rawCall(_ client: GRPCClient<HTTP2ClientTransport.Posix>, _ method: MethodDescriptor, _ bytes: [UInt8]) async throws -> [UInt8] {
        try await client.unary(request: ClientRequest(message: bytes), descriptor: method, serializer: RawBytes(), deserializer: RawBytes(),
                               options: .defaults) { response in try response.message }
    }
}

/// Passes message bytes through untouched.
struct RawBytes: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
