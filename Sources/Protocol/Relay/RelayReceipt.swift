import Foundation

/// A relay receipt: the supplier's signed statement that it answered a
/// particular request with a particular response. A gateway that asked for
/// one (header `Pocket-Sign-Receipt: true`) can later prove, to anyone who
/// knows the supplier's public key, which answer it got; it costs the
/// supplier one extra signature and changes nothing on chain.
///
/// Digest: sha256("POKT-RELAY-RECEIPT-v1\0" ‖ request.meta.signature ‖
/// response.payload_hash); signature: the supplier's Cosmos secp256k1
/// signature over that digest (sha256 applied once more inside, RFC 6979,
/// low S), carried in header `Pocket-Relay-Receipt` as `v1.<128 lowercase hex>`.
public enum RelayReceipt {
    /// Request header a client sets to ask for a receipt (value `true`, any case).
    public static let requestHeader = "Pocket-Sign-Receipt"
    /// Response header carrying the receipt.
    public static let responseHeader = "Pocket-Relay-Receipt"
    /// Domain separator: the version tag and a NUL, so a receipt can never be
    /// mistaken for a signature over a relay response or a transaction.
    public static let domain: Bytes = Array("POKT-RELAY-RECEIPT-v1".utf8) + [0]
    static let prefix = "v1."

    /// Whether a request header value asks for a receipt: exactly `true`, ignoring case and surrounding spaces.
    public static func isRequested(headerValue: String?) -> Bool {
        guard let v = headerValue else { return false }
        return v.trimmingCharacters(in: .whitespaces).lowercased() == "true"
    }

    /// The 32-byte digest the supplier signs.
    public static func digest(requestSignature: Bytes, responsePayloadHash: Bytes) -> Bytes {
        var hasher = SHA256Hasher()
        hasher.update(domain)
        hasher.update(requestSignature)
        hasher.update(responsePayloadHash)
        return hasher.finalize()
    }

    /// The header value for a 64-byte supplier signature over `digest(...)`.
    public static func headerValue(signature: Bytes) -> String {
        prefix + Hex.encode(signature)
    }

    /// Signs with the supplier's key (tools and tests; the relayer signs through its signer port).
    public static func sign(requestSignature: Bytes, responsePayloadHash: Bytes, key: PrivateKey) -> String {
        headerValue(signature: SupplierSignature.sign(digest(requestSignature: requestSignature, responsePayloadHash: responsePayloadHash), with: key))
    }

    /// Checks a received header value against the request and response it claims to cover.
    public static func verify(
        headerValue: String, requestSignature: Bytes, responsePayloadHash: Bytes, supplierPublicKey: PublicKey
    ) throws(RelayReceiptError) {
        guard headerValue.hasPrefix(prefix) else { throw .unknownVersion(String(headerValue.prefix(8))) }
        let hex = headerValue.dropFirst(prefix.count)
        guard hex.count == 128, hex.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }),
              let signature = try? Hex.decode(String(hex)) else {
            throw .malformed("expected 128 lowercase hex characters after \"v1.\", got \(hex.count) characters")
        }
        let d = digest(requestSignature: requestSignature, responsePayloadHash: responsePayloadHash)
        guard SupplierSignature.verify(signature, message: d, publicKey: supplierPublicKey) else { throw .badSignature }
    }
}

/// Why a relay receipt was refused.
public enum RelayReceiptError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownVersion(String)
    case malformed(String)
    /// Well-formed, but not the supplier's signature over this request and response.
    case badSignature

    public var description: String {
        switch self {
        case .unknownVersion(let p): return "relay receipt has an unknown version prefix \"\(p)\" (expected \"v1.\")"
        case .malformed(let d): return "relay receipt is malformed: \(d)"
        case .badSignature: return "relay receipt signature does not match the supplier key, request signature and response payload hash"
        }
    }
}
