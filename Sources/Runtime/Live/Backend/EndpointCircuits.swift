import RelayRuntime

/// A circuit-breaker state change of one endpoint.
enum CircuitTransition: String, Sendable {
    /// Taken out of rotation (threshold reached, or its trial failed).
    case open
    /// Recovery time elapsed: one request may try it.
    case halfOpen = "half_open"
    /// Back in rotation.
    case closed
}

/// The breaker and active-check state of every endpoint of one pool, and how
/// a pool picks an endpoint. A pure value (no clock, no lock): `BackendPool`
/// holds it under a lock and passes the time in.
///
/// Passive: consecutive failures (network errors, 5xx) reaching
/// `unhealthyThreshold` open the circuit; any success closes it and resets
/// the count. An open circuit admits one trial request once
/// `recoveryTimeout` has passed since it opened (half-open); the trial's
/// success closes it, its failure re-opens it for another `recoveryTimeout`.
/// Timeouts and cancellations release a trial without a verdict.
///
/// Active probes act on the same circuits: `unhealthyThreshold` failed
/// probes in a row open a closed circuit, `healthyThreshold` passed probes in
/// a row close an open one.
struct EndpointCircuits: Sendable {
    struct Circuit: Sendable {
        var consecutiveFailures = 0
        var openedAt: MonotonicInstant?
        var trialInFlight = false
        var probeFailures = 0
        var probeSuccesses = 0

        var isClosed: Bool { openedAt == nil }
    }

    /// The endpoint chosen for one attempt.
    struct Pick: Sendable {
        let index: Int
        /// The attempt is the half-open trial of an open circuit.
        let isTrial: Bool
    }

    private(set) var circuits: [Circuit]
    private var nextRoundRobin = 0
    let unhealthyThreshold: Int
    let recoveryTimeout: Duration

    init(count: Int, unhealthyThreshold: Int, recoveryTimeout: Duration) {
        circuits = Array(repeating: Circuit(), count: count)
        self.unhealthyThreshold = max(1, unhealthyThreshold)
        self.recoveryTimeout = recoveryTimeout
    }

    /// The next endpoint for `balancing`, skipping `excluded` (endpoints this
    /// request already tried); nil when none is closed or ready for a trial.
    mutating func pick(_ balancing: BackendLoadBalancing, excluding excluded: Set<Int>, now: MonotonicInstant) -> Pick? {
        let count = circuits.count
        guard count > 0 else { return nil }
        let start = balancing == .roundRobin ? nextRoundRobin % count : 0
        for step in 0..<count {
            let index = (start + step) % count
            if excluded.contains(index) { continue }
            let circuit = circuits[index]
            var isTrial = false
            if !circuit.isClosed {
                guard let opened = circuit.openedAt, !circuit.trialInFlight, opened.advanced(by: recoveryTimeout) <= now else { continue }
                circuits[index].trialInFlight = true
                isTrial = true
            }
            if balancing == .roundRobin { nextRoundRobin = index + 1 }
            return Pick(index: index, isTrial: isTrial)
        }
        return nil
    }

    /// Whether a request could be sent now without waiting (a closed circuit, or one ready for its trial).
    func hasAvailable(now: MonotonicInstant) -> Bool {
        circuits.contains { c in
            guard let opened = c.openedAt else { return true }
            return !c.trialInFlight && opened.advanced(by: recoveryTimeout) <= now
        }
    }

    mutating func succeeded(_ pick: Pick) -> CircuitTransition? {
        var c = circuits[pick.index]
        defer { circuits[pick.index] = c }
        c.consecutiveFailures = 0
        if pick.isTrial { c.trialInFlight = false }
        guard !c.isClosed else { return nil }
        c.openedAt = nil
        c.trialInFlight = false
        c.probeFailures = 0
        return .closed
    }

    mutating func failed(_ pick: Pick, now: MonotonicInstant) -> CircuitTransition? {
        var c = circuits[pick.index]
        defer { circuits[pick.index] = c }
        c.consecutiveFailures += 1
        if pick.isTrial {
            c.trialInFlight = false
            c.openedAt = now
            return .open
        }
        guard c.isClosed, c.consecutiveFailures >= unhealthyThreshold else { return nil }
        c.openedAt = now
        return .open
    }

    /// An attempt that says nothing about the endpoint's health (timeout, cancellation).
    mutating func released(_ pick: Pick) {
        if pick.isTrial { circuits[pick.index].trialInFlight = false }
    }

    mutating func probed(_ index: Int, passed: Bool, healthyThreshold: Int, unhealthyThreshold: Int, now: MonotonicInstant) -> CircuitTransition? {
        var c = circuits[index]
        defer { circuits[index] = c }
        if passed {
            c.probeFailures = 0
            c.probeSuccesses += 1
            guard !c.isClosed, c.probeSuccesses >= max(1, healthyThreshold) else { return nil }
            c.openedAt = nil
            c.trialInFlight = false
            c.consecutiveFailures = 0
            return .closed
        }
        c.probeSuccesses = 0
        c.probeFailures += 1
        guard c.probeFailures >= max(1, unhealthyThreshold) else { return nil }
        let wasClosed = c.isClosed
        // Failing probes keep an open circuit closed to trials for another recovery period.
        c.openedAt = now
        return wasClosed ? .open : nil
    }
}
