import Foundation
import PocketProtocol

/// A response that passed every check, with its payload opened.
public struct VerifiedRelayResponse: Sendable {
    public let response: Pocket_Service_RelayResponse
    /// The POKTHTTPResponse inside, for transports that wrap (nil for WebSocket).
    public let http: Sdk_Types_POKTHTTPResponse?
    /// Whether a receipt was checked and verified.
    public let receiptVerified: Bool

    /// What the backend said: the HTTP body, or the raw WebSocket message.
    public var body: Bytes { http.map { Bytes($0.bodyBz) } ?? Bytes(response.payload) }
}

/// Checks an answer the way a gateway must before trusting it: it is a
/// RelayResponse and not an error reply, its payload hash is sha256 of its
/// payload, the supplier signed it (key from the chain), it is for the
/// request's session, and, when a receipt was asked for, the receipt binds
/// it to this very request. Each refusal is a specific `RelayFailure`.
public struct ResponseVerifier: Sendable {
    public let supplierKey: PublicKey
    /// Verify the `Pocket-Relay-Receipt` header (and fail without one).
    public let requireReceipt: Bool

    public init(supplierKey: PublicKey, requireReceipt: Bool = false) {
        self.supplierKey = supplierKey
        self.requireReceipt = requireReceipt
    }

    /// The cryptographic checks on `bytes` answering `request`; `receiptHeader`
    /// is the response's `Pocket-Relay-Receipt` value, if any.
    public func verify(bytes: Bytes, request: SignedRelayRequest, receiptHeader: String? = nil) throws(RelayFailure) -> ReceivedRelayResponse {
        let received: ReceivedRelayResponse
        do {
            received = try ReceivedRelayResponse(bytes: bytes)
        } catch {
            throw RelayFailure(RelayFailure.Reason.malformedResponse, "the answer is not a RelayResponse (\(bytes.count) bytes): \(error)")
        }
        let response = received.message
        if response.hasRelayMinerError {
            let e = response.relayMinerError
            let text = e.message.isEmpty ? String(decoding: response.payload, as: UTF8.self) : e.message
            throw RelayFailure(RelayFailure.Reason.relayMinerError,
                               "the relayer answered an error reply: code \(e.code) (\(e.codespace)) \(e.description_p): \(text)")
        }
        guard received.payloadHashPresent, !response.payloadHash.isEmpty else {
            throw RelayFailure(RelayFailure.Reason.missingPayloadHash, "the response carries no payload_hash, so its signature cannot cover the payload")
        }
        let computed = Hash.sha256(Bytes(response.payload))
        guard Bytes(response.payloadHash) == computed else {
            throw RelayFailure(RelayFailure.Reason.payloadHashMismatch,
                               "payload_hash \(Bytes(response.payloadHash).hex) is not sha256(payload) \(computed.hex) (\(response.payload.count)-byte payload)")
        }
        guard !response.meta.supplierOperatorSignature.isEmpty else {
            throw RelayFailure(RelayFailure.Reason.missingSupplierSignature, "the response is not signed")
        }
        let hash: Bytes
        do {
            hash = try received.signableHash()
        } catch {
            throw RelayFailure(RelayFailure.Reason.malformedResponse, "cannot compute the response's signable hash: \(error)")
        }
        guard SupplierSignature.verify(Bytes(response.meta.supplierOperatorSignature), message: hash, publicKey: supplierKey) else {
            throw RelayFailure(RelayFailure.Reason.badSupplierSignature,
                               "the supplier signature does not verify with the public key of \(request.request.meta.supplierOperatorAddress) "
                                   + "(\(supplierKey.compressed.hex))")
        }
        let sent = request.request.meta.sessionHeader
        guard response.meta.sessionHeader == sent else {
            let got = response.meta.sessionHeader
            throw RelayFailure(RelayFailure.Reason.sessionHeaderMismatch,
                               "the response is for session \(got.sessionID) [\(got.sessionStartBlockHeight), \(got.sessionEndBlockHeight)], "
                                   + "the request was for \(sent.sessionID) [\(sent.sessionStartBlockHeight), \(sent.sessionEndBlockHeight)]")
        }
        if requireReceipt {
            guard let receiptHeader, !receiptHeader.isEmpty else {
                throw RelayFailure(RelayFailure.Reason.missingReceipt,
                                   "a receipt was requested (\(RelayReceipt.requestHeader): true) but the answer has no \(RelayReceipt.responseHeader) header")
            }
            do {
                try RelayReceipt.verify(headerValue: receiptHeader, requestSignature: Bytes(request.request.meta.signature),
                                        responsePayloadHash: Bytes(response.payloadHash), supplierPublicKey: supplierKey)
            } catch {
                throw RelayFailure(RelayFailure.Reason.badReceipt, error.description)
            }
        }
        return received
    }

    /// `verify`, then opens the payload for `transport` and checks what the
    /// backend said (an HTTP status ≥ 400, a JSON-RPC error, a gRPC status).
    public func verifyAnswer(bytes: Bytes, request: SignedRelayRequest, transport: RelayTransport,
                             receiptHeader: String? = nil) throws(RelayFailure) -> VerifiedRelayResponse {
        let received = try verify(bytes: bytes, request: request, receiptHeader: receiptHeader)
        let verified = try BackendAnswerCheck.check(received.message, transport: transport, receiptVerified: requireReceipt)
        return verified
    }
}

/// What the backend answered, inside a verified response: a failure there is
/// the backend's (the relay itself went through and was signed).
enum BackendAnswerCheck {
    static func check(_ response: Pocket_Service_RelayResponse, transport: RelayTransport, receiptVerified: Bool) throws(RelayFailure) -> VerifiedRelayResponse {
        guard transport != .websocket else {
            try checkJSONRPC(Bytes(response.payload))
            return VerifiedRelayResponse(response: response, http: nil, receiptVerified: receiptVerified)
        }
        let http: Sdk_Types_POKTHTTPResponse
        do {
            http = try CanonicalCodec.decode(Sdk_Types_POKTHTTPResponse.self, from: Bytes(response.payload))
        } catch {
            throw RelayFailure(RelayFailure.Reason.malformedHTTPPayload, "the signed payload is not a POKTHTTPResponse: \(error)")
        }
        let status = Int(http.statusCode)
        if status >= 400 {
            throw RelayFailure(RelayFailure.Reason.backendHTTP(status), "the backend answered HTTP \(status): \(preview(Bytes(http.bodyBz)))")
        }
        if transport == .grpc, let code = header("grpc-status", in: http), code != "0" {
            let message = header("grpc-message", in: http) ?? ""
            throw RelayFailure(RelayFailure.Reason.backendGRPCStatus(Int(code) ?? -1), "the backend's gRPC call ended with status \(code) \(message)")
        }
        if transport.speaksJSONRPC { try checkJSONRPC(Bytes(http.bodyBz)) }
        return VerifiedRelayResponse(response: response, http: http, receiptVerified: receiptVerified)
    }

    /// A JSON-RPC answer (or batch) with an `error` member is the backend refusing the call.
    static func checkJSONRPC(_ body: Bytes) throws(RelayFailure) {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) else { return }
        let objects = (json as? [Any])?.compactMap { $0 as? [String: Any] } ?? [json as? [String: Any]].compactMap { $0 }
        for object in objects {
            guard let error = object["error"], !(error is NSNull) else { continue }
            let fields = error as? [String: Any]
            let code = fields?["code"].map { "\($0)" } ?? "?"
            let message = fields?["message"] as? String ?? "\(error)"
            throw RelayFailure(RelayFailure.Reason.jsonRPCError, "the backend answered JSON-RPC error \(code): \(message)")
        }
    }

    static func header(_ name: String, in http: Sdk_Types_POKTHTTPResponse) -> String? {
        http.header.first { $0.key.lowercased() == name }?.value.values.first
    }

    static func preview(_ body: Bytes) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return body.count > 200 ? text + "…" : text
    }
}
