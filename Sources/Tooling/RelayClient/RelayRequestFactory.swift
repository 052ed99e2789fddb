import PocketProtocol

/// Turns keys, a session and a payload into a signed request. Every call
/// draws fresh nonces from the system's random generator, so two requests
/// with the same payload still differ (their ring signatures do), and the
/// supplier's tree gets one leaf per relay instead of one for all of them.
public struct RelayRequestFactory: Sendable {
    public let keys: RelaySigningKeys

    public init(keys: RelaySigningKeys) {
        self.keys = keys
    }

    public func build(session: ResolvedSession, supplier: String, payload: Bytes) throws(RelayClientError) -> SignedRelayRequest {
        var rng = SystemRandomNumberGenerator()
        do {
            return try RelayRequestBuilder.build(
                sessionHeader: session.header, supplierOperatorAddress: supplier, payload: payload,
                signer: keys.signer, ring: session.ring, using: &rng
            )
        } catch .signerNotInRing {
            throw RelayClientError(
                "the \(keys.role.rawValue) key \(keys.signerAddress) is not in the ring of application \(keys.applicationAddress) "
                    + "(the application and the gateways it delegates to): use the application's key or a delegated gateway's")
        } catch {
            throw RelayClientError("cannot build the relay request: \(error)")
        }
    }
}

/// A signed request ready to go, with what verifying its answer needs.
public struct PreparedRelay: Sendable {
    /// Position in the run (0-based).
    public let index: Int
    public let signed: SignedRelayRequest
    public let supplier: String
    public let supplierKey: PublicKey

    public init(index: Int, signed: SignedRelayRequest, supplier: String, supplierKey: PublicKey) {
        self.index = index
        self.signed = signed
        self.supplier = supplier
        self.supplierKey = supplierKey
    }

    public var sessionID: String { signed.request.meta.sessionHeader.sessionID }
}

/// Which supplier each relay goes to.
public enum SupplierSelection: Sendable, Equatable {
    /// Always this one (`--supplier`).
    case fixed(String)
    /// The session's first supplier.
    case firstOfSession
    /// Round-robin across the session's suppliers (`--all-suppliers`).
    case roundRobin

    func supplier(for index: Int, in session: ResolvedSession) throws(RelayClientError) -> String {
        switch self {
        case .fixed(let address): return address
        case .firstOfSession, .roundRobin:
            guard !session.supplierAddresses.isEmpty else {
                throw RelayClientError("session \(session.sessionID) of service \(session.header.serviceID) has no suppliers")
            }
            if case .firstOfSession = self { return session.supplierAddresses[0] }
            return session.supplierAddresses[index % session.supplierAddresses.count]
        }
    }
}

/// Signs requests for the current session: one, or a batch ahead of a timed run.
public struct RelayPreparer: Sendable {
    public let resolver: SessionResolver
    public let factory: RelayRequestFactory
    public let selection: SupplierSelection
    public let payload: Bytes

    public init(resolver: SessionResolver, factory: RelayRequestFactory, selection: SupplierSelection, payload: Bytes) {
        self.resolver = resolver
        self.factory = factory
        self.selection = selection
        self.payload = payload
    }

    /// Signs relay `index` for `session` (default: the current one).
    public func prepare(index: Int, session: ResolvedSession? = nil) async throws(RelayClientError) -> PreparedRelay {
        let session = if let session { session } else { try await resolver.current() }
        let supplier = try selection.supplier(for: index, in: session)
        let key = try await resolver.supplierPublicKey(supplier)
        let signed = try factory.build(session: session, supplier: supplier, payload: payload)
        return PreparedRelay(index: index, signed: signed, supplier: supplier, supplierKey: key)
    }

    /// Signs relays `indices` for `session`, calling `progress(done)` after each.
    public func prepare(indices: Range<Int>, session: ResolvedSession,
                        progress: (Int) -> Void = { _ in }) async throws(RelayClientError) -> [PreparedRelay] {
        var prepared: [PreparedRelay] = []
        prepared.reserveCapacity(indices.count)
        for index in indices {
            prepared.append(try await prepare(index: index, session: session))
            progress(prepared.count)
        }
        return prepared
    }
}
