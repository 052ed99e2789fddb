import GRPCCore
import RelayRuntime
import SwiftProtobuf

/// How a failed gRPC call becomes the port's `ChainError`, so the runtime
/// can tell "try again" (unavailable, timeout) from "the answer is no"
/// (notFound) and from "this node speaks something else" (invalidResponse).
///
/// | gRPC outcome | ChainError |
/// |---|---|
/// | `NOT_FOUND` (the keepers' explicit "no such object") | notFound |
/// | `UNAVAILABLE` (connection refused or lost, node overloaded), `RESOURCE_EXHAUSTED` (rate limited), `ABORTED`, `CANCELLED` | unavailable |
/// | `DEADLINE_EXCEEDED` (our per-call deadline passed) | timeout |
/// | any other status: `INVALID_ARGUMENT` (incl. a response the client could not deserialize), `UNKNOWN` (failed simulation), `INTERNAL`, `UNIMPLEMENTED`, `FAILED_PRECONDITION`, … | invalidResponse |
/// | grpc-swift `RuntimeError` (client not running or shut down, transport failure) | unavailable |
/// | a protobuf decoding error in our own unpacking (an `Any` we cannot open) | invalidResponse |
/// | task cancellation, or any other error the transport let through unwrapped | unavailable (transient: the caller retries on its schedule) |
///
/// Only an explicit NOT_FOUND is notFound (as the reference's
/// `query.IsEntityNotFound`): an INTERNAL "not found" text from a broken node
/// must not make the runtime believe an application is gone. Every message
/// names the method and the endpoint.
enum GRPCChainErrors {
    static func chainError(_ error: any Error, method: String, endpoint: String) -> ChainError {
        switch error {
        case let error as ChainError:
            return error
        case let error as RPCError:
            return chainError(code: error.code, message: error.message, cause: error.cause, method: method, endpoint: endpoint)
        case let error as RuntimeError:
            return .unavailable("\(method) at \(endpoint): gRPC client: \(error.message)\(causeText(error.cause))")
        case is CancellationError:
            return .unavailable("\(method) at \(endpoint): cancelled")
        case let error as SwiftProtobuf.BinaryDecodingError:
            return .invalidResponse("\(method) at \(endpoint): undecodable response: \(error)")
        default:
            return .unavailable("\(method) at \(endpoint): \(error)")
        }
    }

    static func chainError(code: RPCError.Code, message: String, cause: (any Error)? = nil, method: String, endpoint: String) -> ChainError {
        let text = "\(method) at \(endpoint): \(code): \(message)\(causeText(cause))"
        switch code {
        case .notFound:
            return .notFound(text)
        case .unavailable, .resourceExhausted, .aborted, .cancelled:
            return .unavailable(text)
        case .deadlineExceeded:
            return .timeout(text)
        default:
            return .invalidResponse(text)
        }
    }

    private static func causeText(_ cause: (any Error)?) -> String {
        cause.map { " (\($0))" } ?? ""
    }
}
