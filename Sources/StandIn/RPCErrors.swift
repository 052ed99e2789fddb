import GRPCCore
import PocketProtocol
import RelayRuntime

/// How chain answers become gRPC statuses, as a node's query services report
/// them: a missing object is NOT_FOUND (the Cosmos SDK and poktroll keepers
/// say so explicitly), a malformed request INVALID_ARGUMENT, and a chain that
/// cannot answer UNAVAILABLE, so a client can tell "no" from "try again".
extension RPCError {
    init(_ error: ChainError) {
        switch error {
        case .notFound(let message): self.init(code: .notFound, message: message)
        case .unavailable(let message), .timeout(let message): self.init(code: .unavailable, message: message)
        case .invalidResponse(let message): self.init(code: .internalError, message: message)
        }
    }

    static func invalidArgument(_ message: String) -> RPCError {
        RPCError(code: .invalidArgument, message: message)
    }

    static func notFound(_ message: String) -> RPCError {
        RPCError(code: .notFound, message: message)
    }
}

/// Runs a chain call and reports its failure as a gRPC status.
func chainCall<T>(_ body: () async throws(ChainError) -> T) async throws(RPCError) -> T {
    do throws(ChainError) {
        return try await body()
    } catch {
        throw RPCError(error)
    }
}

/// The request checks the chain's keepers run before touching state
/// (ValidateBasic of the query requests).
enum RequestCheck {
    /// A bech32 account address with the chain's prefix.
    static func address(_ text: String, field: String) throws(RPCError) {
        guard !text.isEmpty else { throw .invalidArgument("\(field) cannot be empty") }
        do { _ = try Bech32.decodeAddress(text) } catch { throw .invalidArgument("invalid \(field) \"\(text)\": \(error)") }
    }

    /// A service id as the shared module accepts it: 1–42 of [a-zA-Z0-9_-].
    static func serviceID(_ id: String, field: String = "service ID") throws(RPCError) {
        guard !id.isEmpty else { throw .invalidArgument("\(field) is required") }
        let allowed = id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
        }
        guard allowed, id.utf8.count <= 42 else { throw .invalidArgument("invalid \(field) \"\(id)\"") }
    }

    static func nonNegative(_ height: Int64, field: String = "block height") throws(RPCError) {
        guard height >= 0 else { throw .invalidArgument("\(field) must be non-negative") }
    }
}
