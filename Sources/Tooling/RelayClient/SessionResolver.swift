import PocketProtocol
import RelayRuntime

/// The session a relay is signed for, with what signing and verifying it needs.
public struct ResolvedSession: Sendable, Equatable {
    public let header: Pocket_Session_SessionHeader
    /// The session's suppliers, in the chain's order.
    public let supplierAddresses: [String]
    /// The ring the request is signed over: `[app, delegated gateways…]`, or `[app, app]` without delegations.
    public let ring: [PublicKey]
    /// The chain height the session was looked up at.
    public let resolvedAtHeight: Int64

    public init(header: Pocket_Session_SessionHeader, supplierAddresses: [String], ring: [PublicKey], resolvedAtHeight: Int64) {
        self.header = header
        self.supplierAddresses = supplierAddresses
        self.ring = ring
        self.resolvedAtHeight = resolvedAtHeight
    }

    public var sessionID: String { header.sessionID }
    public var startHeight: Int64 { header.sessionStartBlockHeight }
    public var endHeight: Int64 { header.sessionEndBlockHeight }
}

/// Looks up the current session for (application, service) at the chain's
/// latest height and keeps it until the chain moves past its last block
/// (session rollover), then looks again. The latest height is read at most
/// once per `heightCheckInterval`, so a load test does not ask the node for
/// its height on every relay (zero: on every call).
///
/// Also resolves the public keys the client needs: the ring members' (the
/// application's delegated gateways, from their accounts) and each supplier's
/// (its operator account), which verifies the answers.
public actor SessionResolver {
    public nonisolated let applicationAddress: String
    public nonisolated let serviceID: String
    private let chain: any ChainReader
    private let knownKeys: [String: PublicKey]
    private let heightCheckInterval: Duration
    private let clock = ContinuousClock()

    private var cached: ResolvedSession?
    private var lastHeightCheck: ContinuousClock.Instant?
    private var inFlight: Task<ResolvedSession, any Error>?
    private var supplierKeys: [String: PublicKey] = [:]
    /// How many times a session was looked up on chain (the first and every rollover).
    public private(set) var lookups = 0

    /// `knownKeys` are public keys the caller already holds (the signer's), by
    /// address: an account that never sent a transaction has none on chain.
    public init(chain: any ChainReader, applicationAddress: String, serviceID: String,
                knownKeys: [String: PublicKey] = [:], heightCheckInterval: Duration = .seconds(1)) {
        self.chain = chain
        self.applicationAddress = applicationAddress
        self.serviceID = serviceID
        self.knownKeys = knownKeys
        self.heightCheckInterval = heightCheckInterval
    }

    /// The session in force now (cached until the chain passes its end).
    public func current() async throws(RelayClientError) -> ResolvedSession {
        if let cached, let lastHeightCheck, clock.now < lastHeightCheck.advanced(by: heightCheckInterval) {
            return cached
        }
        if let inFlight { return try await Self.value(of: inFlight) }
        let task = Task { [cached] () async throws -> ResolvedSession in
            try await self.lookUp(replacing: cached)
        }
        inFlight = task
        defer { inFlight = nil }
        let session = try await Self.value(of: task)
        return session
    }

    /// Reads the latest height and, if `previous` no longer covers it, the new session.
    private func lookUp(replacing previous: ResolvedSession?) async throws(RelayClientError) -> ResolvedSession {
        let height: Int64
        do {
            height = try await chain.latestBlock().height
        } catch {
            throw RelayClientError("cannot read the chain's latest height: \(error)")
        }
        lastHeightCheck = clock.now
        if let previous, height <= previous.endHeight { return previous }
        let session: Pocket_Session_Session
        do {
            session = try await chain.session(application: applicationAddress, serviceID: serviceID, height: max(height, 1))
        } catch {
            throw RelayClientError("cannot get the session of application \(applicationAddress) for service \(serviceID) at height \(height): \(error)")
        }
        let ring = try await ringKeys()
        let resolved = ResolvedSession(
            header: session.header, supplierAddresses: session.suppliers.map(\.operatorAddress), ring: ring, resolvedAtHeight: height
        )
        lookups += 1
        cached = resolved
        return resolved
    }

    /// PATH's ring for the application: itself, then its delegated gateways (current delegations).
    private func ringKeys() async throws(RelayClientError) -> [PublicKey] {
        let application: Pocket_Application_Application
        do {
            application = try await chain.application(address: applicationAddress)
        } catch {
            throw RelayClientError("cannot read application \(applicationAddress): \(error)")
        }
        let appKey = try await publicKey(of: applicationAddress, role: "application")
        var gateways: [PublicKey] = []
        for gateway in application.delegateeGatewayAddresses {
            gateways.append(try await publicKey(of: gateway, role: "delegated gateway"))
        }
        return RelayRequestBuilder.ring(application: appKey, delegatedGateways: gateways)
    }

    /// The operator public key of `supplier` (verifies its signatures), cached for the run.
    public func supplierPublicKey(_ supplier: String) async throws(RelayClientError) -> PublicKey {
        if let key = supplierKeys[supplier] { return key }
        let key = try await publicKey(of: supplier, role: "supplier")
        supplierKeys[supplier] = key
        return key
    }

    private func publicKey(of address: String, role: String) async throws(RelayClientError) -> PublicKey {
        if let known = knownKeys[address] { return known }
        let account: ChainAccount
        do {
            account = try await chain.account(address: address)
        } catch {
            throw RelayClientError("cannot read the account of \(role) \(address): \(error)")
        }
        guard let key = account.publicKey else {
            throw RelayClientError("\(role) \(address) has no public key on chain (its account never signed a transaction)")
        }
        return key
    }

    private static func value(of task: Task<ResolvedSession, any Error>) async throws(RelayClientError) -> ResolvedSession {
        do {
            return try await task.value
        } catch let error as RelayClientError {
            throw error
        } catch {
            throw RelayClientError("session lookup failed: \(error)")
        }
    }
}
