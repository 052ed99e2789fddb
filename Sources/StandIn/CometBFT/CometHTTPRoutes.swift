import Foundation
import Hummingbird
import NIOCore

/// CometBFT's HTTP transports over the stand-in's methods:
///
/// * URI: `GET /status`, `GET /block?height=H`, `GET /health` — answers
///   carry id -1; a failure is HTTP 500 with the JSON-RPC error (bad height:
///   -32602 Invalid params, a height not produced yet: -32603 Internal error
///   with CometBFT's message).
/// * JSON-RPC: `POST /` with `{"jsonrpc":"2.0","id":…,"method":"block","params":{"height":"5"}}`
///   (or a batch) — method failures are HTTP 200 with the error object;
///   unparseable JSON is HTTP 500 with -32700.
///
/// WebSocket-only methods requested over HTTP get 404 with -32601, as CometBFT answers.
struct CometHTTPRoutes: Sendable {
    let methods: CometRPCMethods

    static let maxBodyBytes = 1 << 20

    func register(on router: Router<StandInRequestContext>) {
        for method in CometRPCMethods.httpMethods {
            router.get(RouterPath(stringLiteral: "/" + method)) { request, _ in
                await uriCall(method, request)
            }
        }
        for method in ["subscribe", "unsubscribe", "unsubscribe_all"] {
            router.get(RouterPath(stringLiteral: "/" + method)) { _, _ in
                Self.json(.notFound, CometRPCResponse.failure(.integer(-1), .methodNotFound).json())
            }
        }
        router.post("/") { request, _ in
            await jsonRPC(request)
        }
    }

    private func uriCall(_ method: String, _ request: Request) async -> Response {
        let id = JSONValue.integer(-1)
        var query: [String: String] = [:]
        if let height = request.uri.queryParameters.get("height") { query["height"] = height }
        do {
            let result = try await methods.call(method, .query(query))
            return Self.json(.ok, CometRPCResponse.success(id, result).json())
        } catch {
            switch error {
            case .methodNotFound:
                return Self.json(.notFound, CometRPCResponse.failure(id, .methodNotFound).json())
            case .invalidParams(let reason):
                return Self.json(.internalServerError, CometRPCResponse.failure(id, .invalidParams("error converting http params to arguments: \(reason)")).json())
            case .failed(let reason):
                return Self.json(.internalServerError, CometRPCResponse.failure(id, .internalError(reason)).json())
            }
        }
    }

    private func jsonRPC(_ request: Request) async -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            return Self.json(.badRequest, CometRPCResponse.failure(nil, .invalidRequest("error reading request body: \(error)")).json())
        }
        guard body.readableBytes > 0 else {
            return Self.json(.badRequest, CometRPCResponse.failure(nil, .invalidRequest("empty body: send a JSON-RPC request, e.g. {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}")).json())
        }
        let parsed: (requests: [CometRPCRequest], batch: Bool)
        do {
            parsed = try CometRPCRequest.parse(Data(body.readableBytesView))
        } catch {
            switch error {
            case .notJSON(let reason): return Self.json(.internalServerError, CometRPCResponse.failure(nil, .parse(reason)).json())
            case .notARequest(let reason): return Self.json(.badRequest, CometRPCResponse.failure(nil, .invalidRequest(reason)).json())
            }
        }
        var responses: [CometRPCResponse] = []
        for call in parsed.requests {
            guard let id = call.id else { continue }  // a notification gets no answer
            do {
                responses.append(.success(id, try await methods.call(call.method, .json(call.params))))
            } catch {
                switch error {
                case .methodNotFound: responses.append(.failure(id, .methodNotFound))
                case .invalidParams(let reason): responses.append(.failure(id, .invalidParams("error converting json params to arguments: \(reason)")))
                case .failed(let reason): responses.append(.failure(id, .internalError(reason)))
                }
            }
        }
        if responses.isEmpty { return Response(status: .ok) }
        if parsed.batch { return Self.json(.ok, CometJSON.encode(responses)) }
        return Self.json(.ok, responses[0].json())
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
