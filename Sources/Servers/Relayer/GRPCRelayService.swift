import GRPCCore
import PocketProtocol
import RelayRuntime
import SwiftProtobuf

/// `/pocket.service.RelayService/SendRelay` over h2c. The request message
/// reaches the runtime as the exact bytes the gateway sent (a pass-through
/// codec, no decode/re-encode), and a refusal becomes the gRPC status the
/// rejection maps to (InvalidArgument, NotFound, PermissionDenied,
/// ResourceExhausted, Unavailable, …) with its message.
///
/// The backend transport comes from metadata `rpc-type`, else from the
/// inner request's `Content-Type: application/grpc*` (gRPC), else the
/// service's default.
struct GRPCRelayService: RegistrableRPCService {
    let process: RelayerProcess

    static let sendRelay = MethodDescriptor(fullyQualifiedService: "pocket.service.RelayService", method: "SendRelay")

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        let process = self.process
        router.registerHandler(forMethod: Self.sendRelay, deserializer: RawBytesCodec(), serializer: RawBytesCodec()) { request, _ in
            var body: [UInt8]?
            for try await message in request.messages {
                guard body == nil else {
                    throw RPCError(code: .invalidArgument, message: "SendRelay is unary: send exactly one RelayRequest")
                }
                body = message
            }
            guard let body else { throw RPCError(code: .invalidArgument, message: "SendRelay needs one RelayRequest message") }
            let rpcType = Self.transport(metadata: request.metadata, body: body)
            let headers = request.metadata.compactMap { entry -> Header? in
                if case .string(let value) = entry.value { return Header(entry.key, value) }
                return nil
            }
            switch await process.handle(IncomingRelay(body: body, rpcType: rpcType, path: nil, headers: headers)) {
            case .served(let served):
                return StreamingServerResponse(single: ServerResponse(message: served.responseBytes))
            case .streaming(let stream):
                _ = await stream.finish()
                throw RPCError(code: .unimplemented, message: "the backend answered with a stream; streamed relays are served over HTTP")
            case .rejected(let rejection):
                throw Self.error(for: rejection)
            }
        }
    }

    static func error(for rejection: RelayRejection) -> RPCError {
        let code = Status.Code(rawValue: rejection.grpcStatus.rawValue).flatMap(RPCError.Code.init) ?? .internalError
        return RPCError(code: code, message: rejection.message)
    }

    static func transport(metadata: Metadata, body: [UInt8]) -> BackendTransport? {
        if let raw = metadata[stringValues: "rpc-type"].first(where: { _ in true }) {
            return BackendTransport(rpcTypeHeader: raw)
        }
        guard let request = try? Pocket_Service_RelayRequest(serializedBytes: body),
              let http = try? Sdk_Types_POKTHTTPRequest(serializedBytes: request.payload) else { return nil }
        for (name, header) in http.header where name.lowercased() == "content-type" {
            if header.values.contains(where: { $0.lowercased().hasPrefix("application/grpc") }) { return .grpc }
        }
        return nil
    }
}

/// Messages as the bytes on the wire, both ways.
struct RawBytesCodec: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
