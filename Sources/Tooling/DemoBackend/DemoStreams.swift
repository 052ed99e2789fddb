import Hummingbird
import NIOCore

/// `/stream/sse` and `/stream/ndjson`: a bounded stream of JSON events, so a
/// relayer's streaming path (one relay per stream) can be driven to a known
/// end. `batches` events (default 5, at most 10 000) come `delay_ms` apart,
/// then the response ends.
enum DemoStream: Sendable {
    case sse, ndjson

    static let defaultBatches = 5
    static let maxBatches = 10_000

    var contentType: String {
        switch self {
        case .sse: "text/event-stream"
        case .ndjson: "application/x-ndjson"
        }
    }

    var route: DemoRoute {
        switch self {
        case .sse: .sse
        case .ndjson: .ndjson
        }
    }

    /// What the request asked for: `batches` and `delay_ms` from the query
    /// (or `X-Demo-Delay-Ms`), else from the JSON body (top level or `params`),
    /// and the body's JSON-RPC `id`, echoed in every event.
    struct Request: Sendable, Equatable {
        var batches = DemoStream.defaultBatches
        var delayMilliseconds = 0
        var id: DemoJSON?

        init(query: (String) -> String?, faults: DemoFaults, body: DemoJSON?) throws(DemoRequestError) {
            if let text = query("batches") {
                guard let value = Int(text), value >= 0 else { throw DemoRequestError("batches=\(text) must be a non-negative integer") }
                batches = value
            } else if let value = body?.testParameter("batches") {
                guard let count = value.integerValue, count >= 0 else { throw DemoRequestError("the body's batches must be a non-negative integer") }
                batches = count
            }
            batches = min(batches, DemoStream.maxBatches)
            if let delay = faults.delayMilliseconds {
                delayMilliseconds = delay
            } else if let value = body?.testParameter("delay_ms") {
                guard let delay = value.integerValue, (0...DemoFaults.maxDelayMilliseconds).contains(delay) else {
                    throw DemoRequestError("the body's delay_ms must be an integer in 0...\(DemoFaults.maxDelayMilliseconds)")
                }
                delayMilliseconds = delay
            }
            id = body?["id"]
        }
    }

    /// One event's bytes: `id: N` + `data: JSON` + blank line (SSE), or a JSON line (NDJSON).
    func frame(sequence: Int, request: Request, backendID: String) -> [UInt8] {
        var members: [(key: String, value: DemoJSON)] = [
            ("sequence", .int(sequence)), ("total", .int(request.batches)), ("backend_id", .string(backendID)),
        ]
        if let id = request.id { members.append(("id", id)) }
        let json = DemoJSON.object(members).bytes
        switch self {
        case .sse: return Array("id: \(sequence)\ndata: ".utf8) + json + Array("\n\n".utf8)
        case .ndjson: return json + [0x0A]
        }
    }

    func response(for request: Request, backendID: String, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-cache"
        headers[DemoHeaders.batches] = String(request.batches)
        let kind = self
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // A graceful shutdown ends the stream early (cleanly) instead of waiting for its last event.
            var sequence = 1
            while sequence <= request.batches, !demoStopping {
                if sequence > 1, !(await demoPause(milliseconds: request.delayMilliseconds)) { break }
                try await writer.write(ByteBuffer(bytes: kind.frame(sequence: sequence, request: request, backendID: backendID)))
                sequence += 1
            }
            try await writer.finish(nil)
        })
    }
}
