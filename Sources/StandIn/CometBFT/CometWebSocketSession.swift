import Foundation
import HummingbirdWebSocket
import NIOConcurrencyHelpers
import RelayRuntime
import SimChain

/// One client on `/websocket`: JSON-RPC requests in, answers and
/// subscription events out, as CometBFT's WebSocket endpoint does.
///
/// * `subscribe` with `{"query":"tm.event='NewBlockHeader'"}` answers `{}`
///   and then sends every block the chain produces as a `NewBlockHeader`
///   event carrying the subscribe request's id; `unsubscribe` (same query)
///   and `unsubscribe_all` stop them. Other queries are refused: the
///   stand-in has no event bus beyond new block headers.
/// * `status`, `block` and `health` are answered as over HTTP.
/// * Errors use CometBFT's WebSocket codes: unparseable JSON -32700, unknown
///   method -32601, everything else (bad params included) -32603.
///
/// Everything written goes through one outbox drained by one task, so
/// answers and events never interleave mid-frame.
struct CometWebSocketSession: Sendable {
    let methods: CometRPCMethods

    static let newBlockHeaderQuery = "tm.event='NewBlockHeader'"
    static let maxMessageBytes = 1 << 20

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (outbox, post) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(4_096))
        let subscriptions = NIOLockedValueBox<[String: JSONValue]>([:])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in outbox { try await outbound.write(.text(text)) }
            }
            group.addTask {
                await pumpEvents(subscriptions: subscriptions, post: post)
            }
            defer {
                post.finish()
                group.cancelAll()
            }
            for try await message in inbound.messages(maxSize: Self.maxMessageBytes) {
                guard case .text(let text) = message else { continue }
                for reply in await answer(text, subscriptions: subscriptions) { post.yield(reply) }
            }
        }
    }

    /// Sends every new block to the connection's current subscriptions.
    /// Subscribed to the chain for the connection's whole life, so
    /// `unsubscribe` is just a removal from `subscriptions`.
    private func pumpEvents(subscriptions: NIOLockedValueBox<[String: JSONValue]>, post: AsyncStream<String>.Continuation) async {
        guard let blocks = try? await methods.chain.subscribeBlocks() else { return }
        for await block in blocks {
            let current = subscriptions.withLockedValue { $0 }
            guard !current.isEmpty else { continue }
            let header = await methods.header(of: block)
            for query in current.keys.sorted() {
                let event = CometNewBlockHeaderEvent(query: query, header: header)
                post.yield(CometRPCResponse.success(current[query], event).json())
            }
        }
    }

    /// The replies to one text message (none for notifications).
    func answer(_ text: String, subscriptions: NIOLockedValueBox<[String: JSONValue]>) async -> [String] {
        let parsed: (requests: [CometRPCRequest], batch: Bool)
        do {
            parsed = try CometRPCRequest.parse(Data(text.utf8))
        } catch {
            switch error {
            case .notJSON(let reason): return [CometRPCResponse.failure(nil, .parse(reason)).json()]
            case .notARequest(let reason): return [CometRPCResponse.failure(nil, .invalidRequest(reason)).json()]
            }
        }
        var replies: [String] = []
        for request in parsed.requests {
            guard let id = request.id else { continue }
            replies.append(await answer(request, id: id, subscriptions: subscriptions).json())
        }
        return replies
    }

    private func answer(_ request: CometRPCRequest, id: JSONValue, subscriptions: NIOLockedValueBox<[String: JSONValue]>) async -> CometRPCResponse {
        let params = CometParams.json(request.params)
        switch request.method {
        case "subscribe", "unsubscribe":
            guard case .string(let raw)? = params.value("query", position: 0) else {
                return .failure(id, .internalError("error converting json params to arguments: query is required"))
            }
            guard let query = Self.normalize(raw) else {
                return .failure(id, .internalError(
                    "the chain stand-in serves only \(Self.newBlockHeaderQuery) subscriptions, not \(raw)"))
            }
            if request.method == "subscribe" {
                let added = subscriptions.withLockedValue { subs -> Bool in
                    guard subs[query] == nil else { return false }
                    subs[query] = id
                    return true
                }
                return added ? .success(id, CometEmptyResult()) : .failure(id, .internalError("already subscribed"))
            }
            let removed = subscriptions.withLockedValue { $0.removeValue(forKey: query) != nil }
            return removed ? .success(id, CometEmptyResult()) : .failure(id, .internalError("subscription not found"))
        case "unsubscribe_all":
            let had = subscriptions.withLockedValue { subs -> Bool in
                defer { subs.removeAll() }
                return !subs.isEmpty
            }
            return had ? .success(id, CometEmptyResult()) : .failure(id, .internalError("subscription not found"))
        default:
            do {
                return .success(id, try await methods.call(request.method, params))
            } catch {
                switch error {
                case .methodNotFound: return .failure(id, .methodNotFound)
                case .invalidParams(let reason): return .failure(id, .internalError("error converting json params to arguments: \(reason)"))
                case .failed(let reason): return .failure(id, .internalError(reason))
                }
            }
        }
    }

    /// The canonical form of a NewBlockHeader query (spaces around `=` and
    /// either quote style accepted); nil for any other query.
    static func normalize(_ query: String) -> String? {
        let compact = query.filter { !$0.isWhitespace }.replacingOccurrences(of: "\"", with: "'")
        return compact == newBlockHeaderQuery ? newBlockHeaderQuery : nil
    }
}
