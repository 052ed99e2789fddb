import Hummingbird
import NIOCore

/// The fault switches localnet scenarios flip on a running stand-in, on the
/// RPC port but answered only to loopback peers (anyone else gets 403):
///
/// * `POST /control/stall[?blocks=N]` — no blocks until `/control/resume`
///   (or for the next N block slots);
/// * `POST /control/resume` — production resumes at the next slot;
/// * `POST /control/drop-next-tx[?count=N]` — the next N (default 1)
///   accepted transactions are silently lost (the broadcaster still gets code 0).
///
/// Each answers `{"height":…,"stalled":…,"stall_slots_left":…,"drop_next_tx_armed":…}`.
struct StandInControlRoutes: Sendable {
    let producer: WallClockBlockProducer

    struct Answer: Encodable {
        let height: Int64
        let stalled: Bool
        let stall_slots_left: Int?
        let drop_next_tx_armed: Int
    }

    func register(on router: Router<StandInRequestContext>) {
        router.post("/control/stall") { request, context in
            try await guarded(context) {
                var slots: Int?
                if let blocks = request.uri.queryParameters.get("blocks") {
                    guard let n = Int(blocks), n >= 0 else {
                        return Self.refusal(.badRequest, "blocks must be a non-negative integer, got \"\(blocks)\"")
                    }
                    slots = n
                }
                _ = await producer.stall(slots: slots)
                return try await answer()
            }
        }
        router.post("/control/resume") { _, context in
            try await guarded(context) {
                _ = await producer.resume()
                return try await answer()
            }
        }
        router.post("/control/drop-next-tx") { request, context in
            try await guarded(context) {
                let count = request.uri.queryParameters.get("count")
                guard let n = count.map({ Int($0) }) ?? 1, n > 0 else {
                    return Self.refusal(.badRequest, "count must be a positive integer, got \"\(count ?? "")\"")
                }
                await producer.chain.dropTransactions(count: n)
                return try await answer()
            }
        }
    }

    private func guarded(_ context: StandInRequestContext, _ body: () async throws -> Response) async throws -> Response {
        guard context.peerIsLoopback else {
            return Self.refusal(.forbidden, "the control endpoint answers loopback peers only, not \(context.remoteAddress?.ipAddress ?? "an unknown peer")")
        }
        return try await body()
    }

    private func answer() async throws -> Response {
        let status = await producer.status()
        let armed = await producer.chain.mempoolFaultRules.reduce(0) { total, rule in
            guard case .drop = rule.action else { return total }
            return total + (rule.remaining ?? 0)
        }
        let answer = Answer(height: status.height, stalled: status.stalled, stall_slots_left: status.slotsLeft, drop_next_tx_armed: armed)
        return CometHTTPRoutes.json(.ok, CometJSON.encode(answer))
    }

    static func refusal(_ status: HTTPResponse.Status, _ message: String) -> Response {
        CometHTTPRoutes.json(status, CometJSON.encode(["error": message]))
    }
}
