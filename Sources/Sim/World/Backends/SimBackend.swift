import Foundation
import PocketProtocol
import RelayRuntime
import SimKernel

/// The operator's backends as the simulator models them: one profile per
/// service (latency, jitter, error rate), on the virtual clock, with faults a
/// scenario can switch on (down, slow, erroring). Answers are deterministic
/// functions of the request, so identical requests get identical responses.
public final class SimBackend: BackendPort, @unchecked Sendable {
    public struct Fault: Sendable, Hashable {
        /// Every request fails as if the backend were unreachable.
        public var down = false
        /// Extra latency added to every request.
        public var extraLatency: Duration = .zero
        /// Overrides the profile's error rate while set.
        public var errorRate: Double?
        public init() {}
    }

    private let clock: any ClockPort
    private let entropy: any EntropyPort
    private let profiles: [String: BackendProfile]
    private let lock = NSLock()
    private var faults: [String: Fault] = [:]
    private var served: [String: Int] = [:]

    public init(profiles: [String: BackendProfile], clock: any ClockPort, entropy: any EntropyPort) {
        self.profiles = profiles
        self.clock = clock
        self.entropy = entropy
    }

    /// Sets (or with nil clears) the fault of one service's backend; `"*"` applies to every service.
    public func setFault(_ fault: Fault?, service: String) {
        lock.lock()
        faults[service] = fault
        lock.unlock()
    }

    public func requestsServed(service: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return served[service] ?? 0
    }

    public func forward(_ request: BackendRequest) async throws(BackendError) -> BackendResponse {
        let (fault, profile) = state(for: request.serviceID)
        let random = entropy.stream(for: "backend/\(request.serviceID)")
        let jitter = profile.jitterMilliseconds > 0 ? Double(random.next() % 1_000_000) / 1_000_000 * profile.jitterMilliseconds : 0
        let latency = Duration.microseconds(Int64((profile.latencyMilliseconds + jitter) * 1000)) + fault.extraLatency
        do {
            try await clock.sleep(for: latency)
        } catch {
            throw .transport(service: request.serviceID, reason: "request cancelled")
        }
        if fault.down { throw .unavailable(service: request.serviceID, reason: "connection refused (simulated outage)") }
        let errorRate = fault.errorRate ?? profile.errorRate
        if errorRate > 0, Double(random.next() % 1_000_000) / 1_000_000 < errorRate {
            return .complete(status: 503, headers: [Header("Content-Type", "application/json")], body: Array(#"{"error":"simulated backend failure"}"#.utf8))
        }
        countServed(request.serviceID)
        return .complete(status: 200, headers: [Header("Content-Type", "application/json")], body: Self.answer(to: request.body))
    }

    public func openDuplex(serviceID: String, path: String, headers: [Header]) async throws(BackendError) -> any BackendDuplex {
        let (fault, _) = state(for: serviceID)
        if fault.down { throw .unavailable(service: serviceID, reason: "connection refused (simulated outage)") }
        return EchoDuplex(serviceID: serviceID)
    }

    /// A JSON-RPC style result derived from the request bytes.
    static func answer(to body: [UInt8]) -> [UInt8] {
        let digest = Hex.encode(Hash.sha256(body).prefix(8))
        return Array(#"{"jsonrpc":"2.0","id":1,"result":"0x\#(digest)"}"#.utf8)
    }

    private func countServed(_ service: String) {
        lock.withLock { served[service, default: 0] += 1 }
    }

    private func state(for service: String) -> (Fault, BackendProfile) {
        lock.lock()
        defer { lock.unlock() }
        return (faults[service] ?? faults["*"] ?? Fault(), profiles[service] ?? BackendProfile())
    }
}

/// A WebSocket backend that answers every message with one derived message.
final class EchoDuplex: BackendDuplex, @unchecked Sendable {
    let serviceID: String
    let inbound: BackendStream<DuplexMessage>
    private let feed: BackendStream<DuplexMessage>.Continuation

    init(serviceID: String) {
        self.serviceID = serviceID
        (inbound, feed) = BackendStream<DuplexMessage>.makeStream(serviceID: serviceID)
    }

    func send(_ message: DuplexMessage) async throws(BackendError) {
        feed.yield(.binary(SimBackend.answer(to: message.bytes)))
    }

    func close() async { feed.finish() }
}
