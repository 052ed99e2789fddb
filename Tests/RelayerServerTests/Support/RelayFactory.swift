import Foundation
import PocketProtocol
import RelayRuntime
import RelayRuntimeLive
import SwiftProtobuf

/// Builds ring-signed relay requests as a gateway does: the current session
/// from the chain, the application's ring from its delegations and the
/// accounts' public keys, a fresh signature per request.
struct RelayFactory: Sendable {
    let queries: LiveChainQueries
    let blocks: CometBFTClient

    struct Built: Sendable {
        let request: Pocket_Service_RelayRequest
        let bytes: [UInt8]
        let session: Pocket_Session_Session
    }

    func session(application: String, service: String) async throws -> Pocket_Session_Session {
        let height = try await blocks.latestBlock().height
        return try await queries.session(application: application, serviceID: service, height: height)
    }

    /// A relay for `supplier` whose payload is `payload` (a `POKTHTTPRequest`, or raw bytes for WebSocket).
    func relay(
        application: PrivateKey, signer: PrivateKey, service: String, supplier: String, payload: [UInt8],
        session: Pocket_Session_Session? = nil
    ) async throws -> Built {
        let app = application.publicKey.address()
        let current: Pocket_Session_Session
        if let session { current = session } else { current = try await self.session(application: app, service: service) }
        let onChain = try await queries.application(address: app)
        var ring: [PublicKey] = []
        for address in RelayRequestBuilder.ringAddresses(for: onChain) {
            guard let key = try await queries.account(address: address).publicKey else { throw TestFailure("ring member \(address) has no public key") }
            ring.append(key)
        }
        var rng = SystemRandomNumberGenerator()
        let signed = try RelayRequestBuilder.build(
            sessionHeader: current.header, supplierOperatorAddress: supplier, payload: payload, signer: signer, ring: ring, using: &rng
        )
        return Built(request: signed.request, bytes: signed.bytes, session: current)
    }

    static func httpPayload(method: String = "POST", path: String = "/", body: String, headers: [String: String] = ["Content-Type": "application/json"]) -> [UInt8] {
        var http = Sdk_Types_POKTHTTPRequest()
        http.method = method
        http.url = path
        for (name, value) in headers {
            var header = Sdk_Types_Header()
            header.key = name
            header.values = [value]
            http.header[name] = header
        }
        http.bodyBz = Data(body.utf8)
        return Array(try! http.serializedData())
    }

    /// Decodes and verifies a signed answer: payload hash and the supplier's signature.
    static func verify(_ bytes: [UInt8], supplier: PublicKey) throws -> Pocket_Service_RelayResponse {
        let received = try ReceivedRelayResponse(bytes: bytes)
        let response = received.message
        guard Array(response.payloadHash) == Hash.sha256(Array(response.payload)) else { throw TestFailure("payload hash does not match the payload") }
        guard SupplierSignature.verify(Array(response.meta.supplierOperatorSignature), message: try received.signableHash(), publicKey: supplier) else {
            throw TestFailure("supplier signature does not verify")
        }
        return response
    }
}
