import Foundation

/// Builds the responses a relay miner sends back (docs/protocol.md#relay-signing,
/// docs/protocol.md#relay-transport): HTTP payloads wrapped as `POKTHTTPResponse`, supplier-signed
/// `RelayResponse`s, and the reference's unsigned error replies. Pure values:
/// the caller supplies the key and the bytes.
public enum RelayResponseBuilder {
    /// Codespace of the reference relay miner's error replies.
    public static let errorCodespace = "relayer_proxy"

    /// Go's `textproto.CanonicalMIMEHeaderKey` for the common case: the first
    /// letter and every letter after a `-` upper-cased, the rest lower-cased.
    /// Keys with characters outside the HTTP token set are returned unchanged,
    /// as Go does.
    public static func canonicalHeaderName(_ name: String) -> String {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy(isTokenByte) else { return name }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var upper = true
        for b in bytes {
            var c = b
            if upper, c >= 0x61, c <= 0x7a { c -= 0x20 } else if !upper, c >= 0x41, c <= 0x5a { c += 0x20 }
            out.append(c)
            upper = c == 0x2d
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5a, 0x61...0x7a: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    /// A header map as `POKTHTTPRequest/Response` carry it: canonical names,
    /// values of repeated names kept in order under one key.
    public static func headerMap(_ headers: [(name: String, value: String)]) -> [String: Sdk_Types_Header] {
        var map: [String: Sdk_Types_Header] = [:]
        for (name, value) in headers {
            let key = canonicalHeaderName(name)
            var entry = map[key] ?? Sdk_Types_Header()
            entry.key = key
            entry.values.append(value)
            map[key] = entry
        }
        return map
    }

    /// Deterministic `POKTHTTPResponse` bytes (map entries sorted by key, as Go's
    /// `proto.MarshalOptions{Deterministic: true}`).
    public static func httpPayload(status: Int, headers: [(name: String, value: String)], body: Bytes) throws(WireError) -> Bytes {
        var response = Sdk_Types_POKTHTTPResponse()
        response.statusCode = UInt32(clamping: status)
        response.header = headerMap(headers)
        response.bodyBz = Data(body)
        return try CanonicalCodec.encode(response)
    }

    /// A `RelayResponse` for `sessionHeader` carrying `payload`, with
    /// `payload_hash = sha256(payload)` and the supplier's signature over its
    /// signable hash (ECDSA over sha256 of it, docs/protocol.md#relay-signing).
    public static func signed(sessionHeader: Pocket_Session_SessionHeader, payload: Bytes, key: PrivateKey) throws(RelaySigningError) -> Pocket_Service_RelayResponse {
        var (response, hash) = try unsigned(sessionHeader: sessionHeader, payload: payload)
        response.meta.supplierOperatorSignature = Data(SupplierSignature.sign(hash, with: key))
        return response
    }

    /// The response with its payload hash set but no signature yet, and the
    /// hash the supplier signs: for signers that keep the key elsewhere
    /// (a keyring, a remote signer) and only return the signature.
    public static func unsigned(sessionHeader: Pocket_Session_SessionHeader, payload: Bytes) throws(RelaySigningError) -> (response: Pocket_Service_RelayResponse, signableHash: Bytes) {
        var response = Pocket_Service_RelayResponse()
        response.meta.sessionHeader = sessionHeader
        response.payload = Data(payload)
        try response.updatePayloadHash()
        do { return (response, try response.signableHash()) } catch { throw .wire(error) }
    }

    /// The reference's unsigned error reply: the request's session header (when
    /// known), the error text as payload, and a `RelayMinerError`.
    public static func error(
        sessionHeader: Pocket_Session_SessionHeader?, code: UInt32, description: String, message: String,
        codespace: String = errorCodespace
    ) -> Pocket_Service_RelayResponse {
        var response = Pocket_Service_RelayResponse()
        if let sessionHeader { response.meta.sessionHeader = sessionHeader }
        response.payload = Data(message.utf8)
        var minerError = Pocket_Service_RelayMinerError()
        minerError.codespace = codespace
        minerError.code = code
        minerError.description_p = description
        minerError.message = message
        response.relayMinerError = minerError
        return response
    }

    /// Whether `response` carries a valid signature of the supplier whose key is `publicKey`.
    public static func verifySupplierSignature(_ response: Pocket_Service_RelayResponse, publicKey: PublicKey) -> Bool {
        guard let hash = try? response.signableHash() else { return false }
        return SupplierSignature.verify(Bytes(response.meta.supplierOperatorSignature), message: hash, publicKey: publicKey)
    }

    /// The same check on received bytes (payload_hash presence taken from the wire).
    public static func verifySupplierSignature(responseBytes: Bytes, publicKey: PublicKey) -> Bool {
        guard let received = try? ReceivedRelayResponse(bytes: responseBytes), let hash = try? received.signableHash() else { return false }
        return SupplierSignature.verify(Bytes(received.message.meta.supplierOperatorSignature), message: hash, publicKey: publicKey)
    }
}
