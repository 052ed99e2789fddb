import Hummingbird
import NIOCore

/// The request context: the connection's channel, so `close=1` can drop it.
struct DemoRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// A header name (`HTTPField.Name`, reached through the `HTTPFields` type Hummingbird exports).
typealias DemoHeaderName = HTTPFields.Element.Name

/// Header names the demo backend writes.
enum DemoHeaders {
    static let backendID = DemoHeaderName("X-Backend-Id")!
    /// On stream responses: the number of events the stream will carry (after the 10 000 cap).
    static let batches = DemoHeaderName("X-Demo-Batches")!
}

/// Every HTTP route of the demo backend (WebSocket upgrades are decided
/// before this, in `DemoBackendServer`):
///
/// | request | answer |
/// |---|---|
/// | `GET /stats` | counters (`DemoBackendStats`); no faults applied, not counted |
/// | `GET /health` | `{"status":"ok"}` |
/// | `GET /status` | CometBFT status (JSON-RPC envelope, id -1, as CometBFT's GET routes) |
/// | `GET`/`POST /stream/sse`, `/stream/ndjson` | a bounded event stream (`DemoStream`) |
/// | other `GET` (`/v1/…`) | REST echo: path, query, method |
/// | other methods, any path | JSON-RPC (`DemoJSONRPC`); a `/v1/…` body that is not JSON-RPC is REST-echoed |
///
/// Faults (`DemoFaults`) apply to every route but `/stats`.
struct DemoHTTPResponder: HTTPResponder {
    typealias Context = DemoRequestContext

    let state: DemoBackendState
    let rpc: DemoJSONRPC
    var backendID: String { rpc.backendID }

    static let maxBodySize = 16 << 20

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let path = request.uri.path
        let isGet = request.method == .get || request.method == .head
        if isGet, path == "/stats" {
            return jsonResponse(status: .ok, body: (await state.snapshot()).json.bytes)
        }

        let query = request.uri.queryParameters
        let headers = request.headers
        let faults: DemoFaults
        do {
            faults = try DemoFaults { name, header in query.get(name) ?? DemoHeaderName(header).flatMap { headers[$0] } }
        } catch {
            return errorResponse(status: 400, message: "bad test parameter: \(error)")
        }

        let stream: DemoStream? = switch path {
        case "/stream/sse": .sse
        case "/stream/ndjson": .ndjson
        default: nil
        }
        var body: [UInt8] = []
        if !isGet {
            body = Array(buffer: try await request.collectBody(upTo: Self.maxBodySize))
        }

        if let stream {
            await state.count(stream.route)
            if await refuse(faults, context: context) { return Response(status: .ok) }
            if let status = faults.status { return await injectedStatus(status, faults: faults) }
            let parsedBody = body.isEmpty ? nil : try? DemoJSON.parse(body)
            let streamRequest: DemoStream.Request
            do {
                streamRequest = try DemoStream.Request(query: { query.get($0) }, faults: faults, body: parsedBody)
            } catch {
                return errorResponse(status: 400, message: "bad stream parameter: \(error)")
            }
            return stream.response(for: streamRequest, backendID: backendID, headers: [DemoHeaders.backendID: backendID])
        }

        // Decide the route before the faults so an injected answer still counts where it was aimed.
        let route: DemoRoute
        var document: DemoJSON?
        if isGet {
            route = switch path {
            case "/health": .health
            case "/status": .status
            default: .rest
            }
        } else {
            document = try? DemoJSON.parse(body)
            let isJSONRPC: Bool = switch document {
            case .array?: true
            case let value?: value["method"] != nil
            case nil: false
            }
            if Self.isREST(path), !isJSONRPC {
                route = .rest
            } else if case .array? = document {
                route = .jsonrpcBatch
            } else {
                route = .jsonrpc
            }
        }
        await state.count(route)
        if let delay = faults.delayMilliseconds, delay > 0 {
            await state.count(injected: "delay")
            _ = await demoPause(milliseconds: delay)  // cut short by a shutdown: answer now
        }
        if await refuse(faults, context: context) { return Response(status: .ok) }
        if let status = faults.status { return await injectedStatus(status, faults: faults) }

        let answer: DemoJSON
        switch route {
        case .health:
            answer = .object([("status", .string("ok")), ("backend_id", .string(backendID))])
        case .status:
            answer = .object([
                ("jsonrpc", .string("2.0")), ("id", .int(-1)), ("result", await rpc.result(method: "status", params: nil)),
                ("backend_id", .string(backendID)),
            ])
        case .rest:
            answer = restEcho(request, body: document, rawBody: body)
        default:
            if let document {
                answer = await rpc.answer(document: document, rpcError: faults.rpcError)
            } else {
                answer = await rpc.answer(body: body, rpcError: faults.rpcError)  // the -32700 answer, with the reason
            }
        }
        return await jsonResponse(status: 200, json: answer, faults: faults)
    }

    static func isREST(_ path: String) -> Bool { path == "/v1" || path.hasPrefix("/v1/") }

    /// `close=1`: drops the connection (the response returned after this is never written).
    private func refuse(_ faults: DemoFaults, context: Context) async -> Bool {
        guard faults.close else { return false }
        await state.count(injected: "close")
        try? await context.channel.close(mode: .all)
        return true
    }

    private func injectedStatus(_ status: Int, faults: DemoFaults) async -> Response {
        await state.count(injected: "status")
        return await jsonResponse(status: status, json: Self.errorBody(
            code: status, message: "injected status \(status) (asked by the request's status parameter)", backendID: backendID
        ), faults: faults)
    }

    private func restEcho(_ request: Request, body: DemoJSON?, rawBody: [UInt8]) -> DemoJSON {
        var members: [(key: String, value: DemoJSON)] = [
            ("path", .string(request.uri.path)),
            ("query", .object(request.uri.queryParameters.map { (String($0.key), DemoJSON.string(String($0.value))) })),
            ("method", .string(request.method.rawValue)),
        ]
        if !rawBody.isEmpty {
            members.append(("body", body ?? .string(String(decoding: rawBody, as: UTF8.self))))
        }
        members.append(("backend_id", .string(backendID)))
        return .object(members)
    }

    static func errorBody(code: Int, message: String, backendID: String) -> DemoJSON {
        .object([("error", .object([("code", .int(code)), ("message", .string(message))])), ("backend_id", .string(backendID))])
    }

    private func errorResponse(status: Int, message: String) -> Response {
        jsonResponse(status: HTTPResponse.Status(code: status), body: Self.errorBody(code: status, message: message, backendID: backendID).bytes)
    }

    /// The JSON body after `size` (padding) and `gzip` (encoding), with the backend id header.
    private func jsonResponse(status: Int, json: DemoJSON, faults: DemoFaults) async -> Response {
        var bytes = json.bytes
        if let size = faults.size {
            await state.count(injected: "size")
            bytes = json.padded(to: size)
        }
        guard faults.gzip else { return jsonResponse(status: HTTPResponse.Status(code: status), body: bytes) }
        await state.count(injected: "gzip")
        var response = jsonResponse(status: HTTPResponse.Status(code: status), body: Gzip.encode(bytes))
        response.headers[.contentEncoding] = "gzip"
        return response
    }

    private func jsonResponse(status: HTTPResponse.Status, body: [UInt8]) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json", DemoHeaders.backendID: backendID],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
