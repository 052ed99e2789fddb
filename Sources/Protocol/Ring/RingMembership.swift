/// Which keys may sign relays for an application at a session: the app
/// itself plus its delegated gateways, or the placeholder key when it has
/// none. The chain runs the same construction when it validates proofs, so
/// the accept set must match exactly.
public enum RingMembership {
    /// Secret of the placeholder ring key (cosmos `GenPrivKeyFromSecret`).
    public static let placeholderSecret = "placeholder_ring_key_for_apps_without_gateways"
    public static let placeholderKey = PrivateKey.fromSecret(placeholderSecret)
    public static let placeholderPublicKey = placeholderKey.publicKey
    public static let placeholderAddress = placeholderPublicKey.address()

    /// Ring addresses for `application` at a session whose end height is
    /// `sessionEndHeight` (the caller derives it from live shared params):
    /// current delegations, then gateways of pending undelegations recorded
    /// at session ends ≥ that height (de-duplicated among themselves only),
    /// the placeholder when there are none; the app first, then sorted
    /// bytewise as Go sorts strings.
    public static func expectedAddresses(
        application: String, delegatedGateways: [String],
        pendingUndelegations: [UInt64: [String]], sessionEndHeight: Int64
    ) -> [String] {
        var gateways = delegatedGateways
        var readded: Set<String> = []
        for key in pendingUndelegations.keys.sorted() where Int64(bitPattern: key) >= sessionEndHeight {
            for gateway in pendingUndelegations[key] ?? [] where !readded.contains(gateway) {
                readded.insert(gateway)
                gateways.append(gateway)
            }
        }
        if gateways.isEmpty { gateways = [placeholderAddress] }
        return ([application] + gateways).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// The relay miner's acceptance of a request's ring signature: decodes,
    /// requires every member to be in `expected`, and verifies over `message`.
    public static func accepts(signature: Bytes, message: Bytes, expected: Set<PublicKey>) -> Result<Void, RingAcceptanceError> {
        let decoded: RingSignature
        do { decoded = try RingSignature.decode(signature) } catch { return .failure(.malformed(error)) }
        guard decoded.membersBelong(to: expected) else { return .failure(.foreignMember) }
        guard decoded.verify(message: message) else { return .failure(.invalid) }
        return .success(())
    }
}

/// Why a relay request's ring signature was not accepted.
public enum RingAcceptanceError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(RingSignatureError)
    /// A key in the signature is not the application's or one of its gateways'.
    case foreignMember
    /// The signature does not verify over the request.
    case invalid

    public var description: String {
        switch self {
        case .malformed(let e): return "malformed ring signature: \(e)"
        case .foreignMember: return "ring signature contains a key outside the application's ring"
        case .invalid: return "ring signature verification failed"
        }
    }
}
