/// JSON-RPC 2.0 as the demo backend answers it, over HTTP and WebSocket:
///
/// * `eth_blockNumber`: the next height as a hex quantity (`"0x2a"`);
/// * `status`: a CometBFT status result (`node_info.network`, `sync_info.latest_block_height`);
/// * `health`: an empty object, as CometBFT answers;
/// * anything else: echoed, `{"method":…, "params":…, "backend_id":…}`.
///
/// Every answer carries the request's `id` as sent (a request without one
/// gets `"id": null`: a real node would stay silent on a notification, the
/// demo answers so every relay has a payload) and a top-level `backend_id`.
/// A JSON array is a batch, answered by an array in the same order.
struct DemoJSONRPC: Sendable {
    let state: DemoBackendState
    let backendID: String
    let network: String
    /// `tcp://host:port` of the HTTP listener, for the status's `rpc_address`.
    let rpcAddress: @Sendable () async -> String

    static let parseError = -32700
    static let invalidRequest = -32600

    /// The answer to a body: an object for one request, an array for a batch,
    /// a -32700 error for a body that is not JSON.
    func answer(body: [UInt8], rpcError: Int?) async -> DemoJSON {
        let document: DemoJSON
        do {
            document = try DemoJSON.parse(body)
        } catch {
            return self.error(id: .null, code: Self.parseError, message: "Parse error: \(error)")
        }
        return await answer(document: document, rpcError: rpcError)
    }

    func answer(document: DemoJSON, rpcError: Int?) async -> DemoJSON {
        if case .array(let requests) = document {
            guard !requests.isEmpty else { return self.error(id: .null, code: Self.invalidRequest, message: "Invalid Request: empty batch") }
            var answers: [DemoJSON] = []
            for request in requests { answers.append(await answer(request: request, rpcError: rpcError)) }
            return .array(answers)
        }
        return await answer(request: document, rpcError: rpcError)
    }

    /// The answer to one request object.
    func answer(request: DemoJSON, rpcError: Int?) async -> DemoJSON {
        guard case .object = request else {
            return error(id: .null, code: Self.invalidRequest, message: "Invalid Request: expected an object with a method")
        }
        let id = request["id"] ?? .null
        guard let method = request["method"]?.stringValue else {
            return error(id: id, code: Self.invalidRequest, message: "Invalid Request: no method")
        }
        await state.count(method: method)
        if let rpcError {
            await state.count(injected: "rpc_error")
            return error(id: id, code: rpcError, message: "injected error \(rpcError) (asked by the request's rpc_error)")
        }
        return .object([
            ("jsonrpc", .string("2.0")), ("id", id), ("result", await result(method: method, params: request["params"])),
            ("backend_id", .string(backendID)),
        ])
    }

    func result(method: String, params: DemoJSON?) async -> DemoJSON {
        switch method {
        case "eth_blockNumber":
            return .string("0x" + String(await state.nextHeight(), radix: 16))
        case "status":
            return CometStatus.result(height: await state.nextHeight(), backendID: backendID, network: network, rpcAddress: await rpcAddress())
        case "health":
            return .object([])
        default:
            return .object([("method", .string(method)), ("params", params ?? .null), ("backend_id", .string(backendID))])
        }
    }

    func error(id: DemoJSON, code: Int, message: String) -> DemoJSON {
        .object([
            ("jsonrpc", .string("2.0")), ("id", id),
            ("error", .object([("code", .int(code)), ("message", .string(message))])),
            ("backend_id", .string(backendID)),
        ])
    }
}

extension DemoJSON {
    /// A test parameter (`repeat_count`, `delay_ms`, `batches`) from a
    /// request body: a top-level member, a member of `params` when it is an
    /// object, or of the first object in `params` when it is an array.
    func testParameter(_ name: String) -> DemoJSON? {
        if let value = self[name] { return value }
        switch self["params"] {
        case .object?: return self["params"]?[name]
        case .array(let items)?: return items.lazy.compactMap { $0[name] }.first
        default: return nil
        }
    }
}
