/// What a backend delivers piece by piece (SSE/NDJSON chunks, WebSocket
/// messages), failing only with a `BackendError`: the relayer maps every
/// failure to a client answer and a refund, so an untyped error from an
/// adapter would have no meaning there. Adapters feed it through its
/// `Continuation`; anything that is not a `BackendError` (a cancelled task)
/// arrives as `.transport` with its description.
public struct BackendStream<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = BackendError

    private let base: AsyncThrowingStream<Element, any Error>
    /// The service the stream belongs to, for the errors it reports.
    public let serviceID: String

    /// The producing side: yield elements, then finish (cleanly or with a `BackendError`).
    public struct Continuation: Sendable {
        fileprivate let base: AsyncThrowingStream<Element, any Error>.Continuation

        public func yield(_ element: Element) { base.yield(element) }
        public func finish() { base.finish() }
        public func finish(throwing error: BackendError) { base.finish(throwing: error) }
        /// Called when the consumer goes away, so the producer can stop reading the backend.
        public func onTermination(_ action: @escaping @Sendable () -> Void) { base.onTermination = { _ in action() } }
    }

    public static func makeStream(serviceID: String) -> (stream: BackendStream, continuation: Continuation) {
        let (base, continuation) = AsyncThrowingStream<Element, any Error>.makeStream()
        return (BackendStream(base: base, serviceID: serviceID), Continuation(base: continuation))
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate var base: AsyncThrowingStream<Element, any Error>.AsyncIterator
        fileprivate let serviceID: String

        public mutating func next() async throws(BackendError) -> Element? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(BackendError) -> Element? {
            do {
                return try await base.next(isolation: actor)
            } catch let error as BackendError {
                throw error
            } catch {
                throw .transport(service: serviceID, reason: String(describing: error))
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), serviceID: serviceID) }
}
