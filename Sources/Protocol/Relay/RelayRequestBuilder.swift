import Foundation

/// Builds signed relay requests the way a gateway (PATH) or an application
/// signing for itself does (docs/protocol.md#relay-signing, docs/protocol.md#ring-membership): the request for a session and a
/// supplier, its signable hash, a bLSAG ring signature over that hash, and
/// the canonical bytes sent to the relay miner.
///
/// The ring is PATH's (`protocol/shannon/signer.go getOrCreateRing`):
/// `[app, delegated gateways…]` in delegation order, unsorted, and `[app, app]`
/// when the application delegates to nobody. The chain and relay miners accept
/// it because they test set membership only (`RingMembership.accepts`).
public enum RelayRequestBuilder {
    /// The ring addresses PATH signs over for `application` (current
    /// delegations only; pending undelegations are not used by signers).
    public static func ringAddresses(application: String, delegatedGateways: [String]) -> [String] {
        delegatedGateways.isEmpty ? [application, application] : [application] + delegatedGateways
    }

    /// `ringAddresses` for an on-chain application.
    public static func ringAddresses(for application: Pocket_Application_Application) -> [String] {
        ringAddresses(application: application.address, delegatedGateways: application.delegateeGatewayAddresses)
    }

    /// The same ring as public keys (the caller looks the keys up on chain).
    public static func ring(application: PublicKey, delegatedGateways: [PublicKey]) -> [PublicKey] {
        delegatedGateways.isEmpty ? [application, application] : [application] + delegatedGateways
    }

    /// Builds and ring-signs a request. `signer` must be one of the ring's
    /// members (the application itself or one of its gateways); the nonces of
    /// the ring signature come from `rng`, so a seeded generator reproduces
    /// the bytes exactly.
    public static func build<R: RandomNumberGenerator>(
        sessionHeader: Pocket_Session_SessionHeader,
        supplierOperatorAddress: String,
        payload: Bytes,
        signer: PrivateKey,
        ring: [PublicKey],
        using rng: inout R
    ) throws(RelayRequestBuildError) -> SignedRelayRequest {
        guard let signerIndex = ring.firstIndex(of: signer.publicKey) else { throw .signerNotInRing }
        var request = Pocket_Service_RelayRequest()
        request.meta.sessionHeader = sessionHeader
        request.meta.supplierOperatorAddress = supplierOperatorAddress
        request.payload = Data(payload)
        let message: Bytes
        do { message = try request.signableHash() } catch { throw .wire(error) }
        let signature: RingSignature
        do {
            signature = try RingSignature.sign(message: message, ring: ring, signerIndex: signerIndex, privateKey: signer, using: &rng)
        } catch {
            throw .ring(error)
        }
        request.meta.signature = Data(signature.serialized())
        let bytes: Bytes
        do { bytes = try CanonicalCodec.encode(request) } catch { throw .wire(error) }
        return SignedRelayRequest(request: request, signableHash: message, bytes: bytes)
    }
}

/// A ring-signed request ready to send.
public struct SignedRelayRequest: Sendable, Equatable {
    public let request: Pocket_Service_RelayRequest
    /// The 32-byte message the ring signature is over.
    public let signableHash: Bytes
    /// Canonical wire bytes (the HTTP body a gateway posts to the relay miner).
    public let bytes: Bytes
}

/// Why a relay request could not be built.
public enum RelayRequestBuildError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The signing key is not a member of the ring it signs over.
    case signerNotInRing
    case ring(RingSignatureError)
    case wire(WireError)

    public var description: String {
        switch self {
        case .signerNotInRing: return "the signing key is not a member of the application's ring"
        case .ring(let e): return "ring signing failed: \(e)"
        case .wire(let e): return e.description
        }
    }
}
