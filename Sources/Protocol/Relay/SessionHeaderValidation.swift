/// Why a session header fails the chain's `SessionHeader.ValidateBasic`
/// (docs/protocol.md#session-header-validity).
public enum SessionHeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidApplicationAddress(String)
    case missingSessionID
    case invalidServiceID(String)
    case invalidStartHeight(Int64)
    case endNotAfterStart(start: Int64, end: Int64)

    public var description: String {
        switch self {
        case .invalidApplicationAddress(let a): return "application address \"\(a)\" is not a valid pokt bech32 address"
        case .missingSessionID: return "session id is empty"
        case .invalidServiceID(let s): return "service id \"\(s)\" is invalid (1 to 42 characters of a-z, A-Z, 0-9, '_' or '-')"
        case .invalidStartHeight(let h): return "session start height \(h) is below 1"
        case .endNotAfterStart(let s, let e): return "session end height \(e) is not after its start height \(s)"
        }
    }
}

/// The chain's service id rule (`x/shared/types/service.go`): `^[a-zA-Z0-9_-]+$`, 1 to 42 characters.
public enum ServiceIDRule {
    public static let maxLength = 42

    public static func isValid(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x5f || b == 0x2d
        }
    }
}

extension Pocket_Session_SessionHeader {
    /// `SessionHeader.ValidateBasic`: app address is a valid `pokt` bech32
    /// address, session id non-empty, service id valid, start ≥ 1, end > start.
    public func validateBasic() throws(SessionHeaderError) {
        do { _ = try Bech32.decodeAddress(applicationAddress) } catch { throw .invalidApplicationAddress(applicationAddress) }
        guard !sessionID.isEmpty else { throw .missingSessionID }
        guard ServiceIDRule.isValid(serviceID) else { throw .invalidServiceID(serviceID) }
        guard sessionStartBlockHeight >= 1 else { throw .invalidStartHeight(sessionStartBlockHeight) }
        guard sessionEndBlockHeight > sessionStartBlockHeight else {
            throw .endNotAfterStart(start: sessionStartBlockHeight, end: sessionEndBlockHeight)
        }
    }
}
