import PocketProtocol

/// One signed piece of a streamed answer: a `RelayResponse` whose payload is
/// a `POKTHTTPResponse` with the backend's status and this chunk as body.
public struct SignedChunk: Sendable {
    /// Serialized signed `RelayResponse` (the reference writes it followed by `||POKT_STREAM||`).
    public let responseBytes: [UInt8]
    public let response: Pocket_Service_RelayResponse
    /// The backend bytes it carries.
    public let body: [UInt8]
}

/// How a streamed relay ended.
public struct StreamedRelayOutcome: Sendable, Equatable {
    /// Chunks delivered to the client (signed and yielded).
    public let chunks: Int
    /// Backend body bytes delivered.
    public let bytes: Int
    /// Hash of the one relay mined for the whole stream, nil when nothing was mined.
    public let relayHash: [UInt8]?
    public let mining: MiningOutcome
    /// Set when the backend stream failed (the delivered part still stands).
    public let backendFailure: String?
}

/// A relay whose backend answers as a stream (SSE / NDJSON). Each backend
/// chunk becomes its own signed `RelayResponse` for the client; the whole
/// stream is mined as ONE relay whose payload is the concatenation of what
/// was delivered, published before `chunks` ends (so a client that sees the
/// end of the stream is looking at an acknowledged relay).
///
/// Usage (the server owns the loop, so no task leaves the caller's executor):
///
/// ```swift
/// case .streaming(let stream):
///     writeHead(stream.status, stream.headers)
///     do { for try await chunk in stream.chunks { try await write(chunk.responseBytes) } } catch { … }
///     let outcome = await stream.finish()   // always call it, also when the client went away
/// ```
///
/// `chunks` pulls from the backend on the consumer's own task; iterate it
/// once. `finish()` is idempotent: after a complete iteration it returns the
/// stored outcome; otherwise (client gone, consumer stopped) it stops reading
/// the backend and mines what was delivered.
public final class StreamingRelay: Sendable {
    public let status: Int
    public let headers: [Header]
    public let chunks: AsyncThrowingStream<SignedChunk, any Error>
    private let state: StreamRelayState

    init(minter: RelayMinter, admitted: AdmittedRelay, status: Int, headers: [Header], chunks backend: BackendStream<[UInt8]>) {
        self.status = status
        self.headers = headers
        let state = StreamRelayState(minter: minter, admitted: admitted, status: status, headers: headers, backend: backend)
        self.state = state
        chunks = AsyncThrowingStream(unfolding: { try await state.next() })
    }

    /// Registers `action` to run once when the relay ends (after its publish),
    /// or at once if it has ended: a process counts the stream in flight until then.
    func onFinish(_ action: @escaping @Sendable () -> Void) {
        state.onFinish(action)
    }

    /// Ends the relay (if the stream is still open) and returns its outcome.
    public func finish() async -> StreamedRelayOutcome {
        await state.finish(failure: nil)
    }
}

/// The state of one streamed relay, owned by an actor so the consumer's
/// `next()` and a concurrent `finish()` serialize.
actor StreamRelayState {
    private let minter: RelayMinter
    private let admitted: AdmittedRelay
    private let status: Int
    private let headers: [Header]
    private var iterator: BackendStream<[UInt8]>.AsyncIterator?
    private var delivered: [UInt8] = []
    private var chunkCount = 0
    private var outcome: StreamedRelayOutcome?
    private var finishing = false
    private var waiters: [CheckedContinuation<StreamedRelayOutcome, Never>] = []
    private nonisolated let finishHook = FinishHook()

    nonisolated func onFinish(_ action: @escaping @Sendable () -> Void) { finishHook.install(action) }

    init(minter: RelayMinter, admitted: AdmittedRelay, status: Int, headers: [Header], backend: BackendStream<[UInt8]>) {
        self.minter = minter
        self.admitted = admitted
        self.status = status
        self.headers = headers
        iterator = backend.makeAsyncIterator()
    }

    func next() async throws -> SignedChunk? {
        while true {
            guard outcome == nil, !finishing, var it = iterator else { return nil }
            let chunk: [UInt8]?
            do {
                chunk = try await it.next(isolation: self)
            } catch {
                iterator = nil
                _ = await finish(failure: String(describing: error))
                throw error
            }
            // finish() may have run while we waited for the backend.
            guard outcome == nil, !finishing else { return nil }
            iterator = it
            guard let chunk else {
                iterator = nil
                _ = await finish(failure: nil)
                return nil
            }
            if chunk.isEmpty { continue }
            do throws(RelayRejection) {
                let payload = try minter.httpPayload(status: status, headers: [], body: chunk)
                let (response, bytes) = try minter.sign(admitted, payload: payload)
                delivered += chunk
                chunkCount += 1
                return SignedChunk(responseBytes: bytes, response: response, body: chunk)
            } catch {
                iterator = nil
                _ = await finish(failure: error.message)
                throw error
            }
        }
    }

    func finish(failure: String?) async -> StreamedRelayOutcome {
        if let outcome { return outcome }
        if finishing { return await withCheckedContinuation { waiters.append($0) } }
        finishing = true
        iterator = nil
        let result = await mineWholeStream(failure: failure)
        outcome = result
        finishHook.fire()
        let pending = waiters
        waiters = []
        for waiter in pending { waiter.resume(returning: result) }
        return result
    }

    private func mineWholeStream(failure: String?) async -> StreamedRelayOutcome {
        let service = admitted.service.id
        if chunkCount == 0, let failure {
            await minter.meter.refund(admitted.charge, reason: "stream_failed", service: service)
            let result = StreamedRelayOutcome(chunks: 0, bytes: 0, relayHash: nil, mining: .streamFailed(failure), backendFailure: failure)
            minter.recorder.recordServed(mining: result.mining, relayHash: nil, header: admitted.header, supplier: admitted.supplier, kind: "stream")
            return result
        }
        let mining: MiningOutcome
        var hash: [UInt8]?
        do throws(RelayRejection) {
            let payload = try minter.httpPayload(status: status, headers: headers, body: delivered)
            let served = try await minter.signAndMine(admitted, payload: payload, backendStatus: status)
            mining = served.mining
            hash = served.relayHash
        } catch {
            await minter.meter.refund(admitted.charge, reason: error.name, service: service)
            mining = .streamFailed(error.message)
        }
        minter.recorder.count(RelayerMetrics.streamChunks, service: service, by: Int64(chunkCount))
        minter.recorder.recordServed(mining: mining, relayHash: hash, header: admitted.header, supplier: admitted.supplier, kind: "stream")
        return StreamedRelayOutcome(chunks: chunkCount, bytes: delivered.count, relayHash: hash, mining: mining, backendFailure: failure)
    }
}

/// A one-shot callback that may be installed before or after the event it waits for.
final class FinishHook: @unchecked Sendable {
    private let lock = Locked()
    private var action: (@Sendable () -> Void)?
    private var fired = false

    func install(_ action: @escaping @Sendable () -> Void) {
        let runNow: Bool = lock.withLock {
            if fired { return true }
            self.action = action
            return false
        }
        if runNow { action() }
    }

    func fire() {
        let pending: (@Sendable () -> Void)? = lock.withLock {
            guard !fired else { return nil }
            fired = true
            defer { action = nil }
            return action
        }
        pending?()
    }
}
