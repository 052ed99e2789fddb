import HTTPTypes
import Hummingbird
import NIOCore
import PocketProtocol
import RelayRuntime

/// Turns one HTTP request into a relay for the process and its answer into
/// an HTTP response: 200 with the signed `RelayResponse`, a signed stream of
/// batches, or the rejection's status with a JSON body saying what happened
/// and what to do. Nothing here judges relays; that is the runtime's job.
struct HTTPRelayHandler: Sendable {
    let process: RelayerProcess
    let keys: any KeysPort
    let maxBodyBytes: Int
    let bodyReadTimeout: Duration

    /// Written after each signed batch of a streamed answer.
    static let streamDelimiter: [UInt8] = Array("||POKT_STREAM||".utf8)

    func respond(to request: Request) async -> Response {
        let body: [UInt8]
        switch await readBody(request) {
        case .success(let bytes): body = bytes
        case .failure(let rejection): return Self.response(for: rejection)
        }
        let headers = request.headers.map { Header($0.name.canonicalName, $0.value) }
        let rpcType = request.headers[Self.rpcTypeField].flatMap(BackendTransport.init(rpcTypeHeader:))
        if let raw = request.headers[Self.rpcTypeField], rpcType == nil {
            return Self.response(for: RelayRejection(.malformedRequest("unknown Rpc-Type \"\(raw)\"; use 1-5 or grpc, websocket, json_rpc, rest, comet_bft")))
        }
        let incoming = IncomingRelay(body: body, rpcType: rpcType, path: request.uri.path, headers: headers)
        let wantsReceipt = RelayReceipt.isRequested(headerValue: request.headers[Self.receiptRequestField])
        switch await process.handle(incoming) {
        case .served(let served):
            return answer(served, accept: request.headers[.accept], receipt: wantsReceipt)
        case .streaming(let stream):
            return Self.streamed(stream)
        case .rejected(let rejection):
            return Self.response(for: rejection)
        }
    }

    private func answer(_ served: ServedRelay, accept: String?, receipt: Bool) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = accept.flatMap { $0.isEmpty || $0.contains("*") ? nil : $0 } ?? "application/json"
        if receipt, let signer = keys.signer(forOperator: served.supplier) {
            let digest = RelayReceipt.digest(requestSignature: served.requestSignature, responsePayloadHash: Bytes(served.response.payloadHash))
            if let signature = try? signer.sign(digest) {
                fields[Self.receiptResponseField] = RelayReceipt.headerValue(signature: signature)
            }
        }
        return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: served.responseBytes)))
    }

    /// A streamed answer: the backend's status and headers, then every signed
    /// batch followed by the delimiter. `finish()` always runs, also when the
    /// client goes away, so the delivered part is mined.
    static func streamed(_ stream: StreamingRelay) -> Response {
        var fields = HTTPFields()
        for header in stream.headers {
            guard let name = HTTPField.Name(header.name), !hopByHop.contains(name) else { continue }
            fields.append(HTTPField(name: name, value: header.value))
        }
        fields[.connection] = "close"
        let body = ResponseBody { writer in
            do {
                for try await chunk in stream.chunks {
                    var buffer = ByteBuffer(bytes: chunk.responseBytes)
                    buffer.writeBytes(streamDelimiter)
                    try await writer.write(buffer)
                }
            } catch {
                // Client gone or backend failed mid-stream: what was delivered stands.
            }
            _ = await stream.finish()
            try await writer.finish(nil)
        }
        return Response(status: HTTPResponse.Status(code: stream.status), headers: fields, body: body)
    }

    static func response(for rejection: RelayRejection) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        let json = "{\"error\":\(JSONText.quoted(rejection.message)),\"reason\":\(JSONText.quoted(rejection.name))}"
        return Response(status: HTTPResponse.Status(code: rejection.httpStatus), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    /// Reads the body up to the limit; a body that trickles in for longer than
    /// `bodyReadTimeout` is refused (the idle timeout covers one that stops).
    private func readBody(_ request: Request) async -> Result<[UInt8], RelayRejection> {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
            return .failure(RelayRejection(.requestTooLarge(size: declared, limit: maxBodyBytes)))
        }
        let started = ContinuousClock.now
        var collected = ByteBuffer()
        do {
            for try await part in request.body {
                collected.writeImmutableBuffer(part)
                if collected.readableBytes > maxBodyBytes {
                    return .failure(RelayRejection(.requestTooLarge(size: collected.readableBytes, limit: maxBodyBytes)))
                }
                if ContinuousClock.now - started > bodyReadTimeout {
                    return .failure(RelayRejection(.malformedRequest("request body took longer than \(bodyReadTimeout) to arrive")))
                }
            }
        } catch {
            return .failure(RelayRejection(.malformedRequest("failed to read request body: \(error)")))
        }
        return .success(collected.readBytes(length: collected.readableBytes) ?? [])
    }

    static let rpcTypeField = HTTPField.Name("Rpc-Type")!
    static let receiptRequestField = HTTPField.Name(RelayReceipt.requestHeader)!
    static let receiptResponseField = HTTPField.Name(RelayReceipt.responseHeader)!
    /// Headers that describe the backend connection, not the answer.
    static let hopByHop: Set<HTTPField.Name> = [.connection, .contentLength, .transferEncoding, HTTPField.Name("Keep-Alive")!, .upgrade]
}
