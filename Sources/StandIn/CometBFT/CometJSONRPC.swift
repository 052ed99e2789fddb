import Foundation

/// Any JSON value: request ids and params arrive in whatever shape a client
/// sent (CometBFT accepts string and integer ids, object and array params).
enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// A JSON-RPC 2.0 request as CometBFT reads it. A request without an `id`
/// is a notification and gets no answer.
struct CometRPCRequest: Sendable {
    let id: JSONValue?
    let method: String
    let params: JSONValue?

    /// Why a body is not a request: unparseable JSON (-32700) or JSON that is
    /// not a request object (-32600).
    enum ParseFailure: Error {
        case notJSON(String)
        case notARequest(String)
    }

    /// One request or a batch (a JSON array of requests).
    static func parse(_ body: Data) throws(ParseFailure) -> (requests: [CometRPCRequest], batch: Bool) {
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: body) } catch {
            throw .notJSON("error unmarshaling request: \(error)")
        }
        switch root {
        case .object(let fields):
            return ([try request(fields)], false)
        case .array(let items):
            var requests: [CometRPCRequest] = []
            for item in items {
                guard case .object(let fields) = item else { throw .notARequest("a batch must hold request objects") }
                requests.append(try request(fields))
            }
            return (requests, true)
        default:
            throw .notARequest("a request must be a JSON object")
        }
    }

    private static func request(_ fields: [String: JSONValue]) throws(ParseFailure) -> CometRPCRequest {
        var method = ""
        if case .string(let name)? = fields["method"] { method = name }
        let id: JSONValue?
        switch fields["id"] {
        case nil, .null?: id = nil
        case .string?, .integer?: id = fields["id"]
        case .double(let value)? where value == value.rounded() && abs(value) < 9e18: id = .integer(Int64(value))
        default: throw .notARequest("json-rpc ID must be a string or a whole number")
        }
        let params = fields["params"].flatMap { $0 == .null ? nil : $0 }
        return CometRPCRequest(id: id, method: method, params: params)
    }
}

/// `{"code":…,"message":…,"data":…}` with CometBFT's codes and messages.
struct CometRPCErrorBody: Encodable, Sendable, Equatable {
    let code: Int
    let message: String
    let data: String?

    static func parse(_ data: String) -> Self { Self(code: -32700, message: "Parse error. Invalid JSON", data: data) }
    static func invalidRequest(_ data: String) -> Self { Self(code: -32600, message: "Invalid Request", data: data) }
    static let methodNotFound = Self(code: -32601, message: "Method not found", data: nil)
    static func invalidParams(_ data: String) -> Self { Self(code: -32602, message: "Invalid params", data: data) }
    static func internalError(_ data: String) -> Self { Self(code: -32603, message: "Internal error", data: data) }
    static func serverError(_ data: String) -> Self { Self(code: -32000, message: "Server error", data: data) }
}

/// `{"jsonrpc":"2.0","id":…,"result":…}` or `{…,"error":…}`; a nil id is
/// left out, as CometBFT does for errors that have none (parse errors).
struct CometRPCResponse: Encodable, Sendable {
    let id: JSONValue?
    let result: CometAnyResult?
    let error: CometRPCErrorBody?

    static func success(_ id: JSONValue?, _ result: any Encodable & Sendable) -> Self {
        Self(id: id, result: CometAnyResult(result), error: nil)
    }

    static func failure(_ id: JSONValue?, _ error: CometRPCErrorBody) -> Self {
        Self(id: id, result: nil, error: error)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("2.0", forKey: .jsonrpc)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(result, forKey: .result)
        try container.encodeIfPresent(error, forKey: .error)
    }

    private enum Keys: String, CodingKey {
        case jsonrpc, id, result, error
    }

    /// The response as JSON text (compact, as CometBFT writes it).
    func json() -> String {
        CometJSON.encode(self)
    }
}

/// A result of any method.
struct CometAnyResult: Encodable, Sendable {
    let value: any Encodable & Sendable
    init(_ value: any Encodable & Sendable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

enum CometJSON {
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            // Our own result types always encode; this is a bug, reported in CometBFT's shape.
            return "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"Internal error\",\"data\":\"cannot encode the answer\"}}"
        }
    }

    static func encode(_ responses: [CometRPCResponse]) -> String {
        "[" + responses.map { $0.json() }.joined(separator: ",") + "]"
    }
}
