/// Whether a simulated process is up, and the switches the fault timeline
/// flips: crash (in-memory state lost at once), graceful stop (the node
/// shuts down cleanly first) and restart. A node's supervisor waits on it.
actor NodeLifecycle {
    enum State: Sendable, Equatable {
        case up
        case crashed
        case stopped
    }

    private(set) var state: State = .up
    /// Incremented on every start; an answer from an older generation is a reset connection.
    private(set) var generation = 0
    private var downWaiters: [CheckedContinuation<State, Never>] = []
    private var upWaiters: [CheckedContinuation<Void, Never>] = []

    func crash() { goDown(.crashed) }

    func stop() { goDown(.stopped) }

    func restart() {
        guard state != .up else { return }
        state = .up
        let waiters = upWaiters
        upWaiters = []
        for w in waiters { w.resume() }
    }

    func started() { generation += 1 }

    /// Returns once the node is up.
    func waitUntilUp() async {
        if state == .up { return }
        await withCheckedContinuation { upWaiters.append($0) }
    }

    /// Returns how the node went down (crash or stop).
    func waitUntilDown() async -> State {
        if state != .up { return state }
        return await withCheckedContinuation { downWaiters.append($0) }
    }

    /// Wakes every waiter so supervisors can unwind at the end of a run.
    func shutdown() {
        goDown(.stopped)
        let waiters = upWaiters
        upWaiters = []
        for w in waiters { w.resume() }
    }

    private func goDown(_ how: State) {
        guard state == .up else { return }
        state = how
        let waiters = downWaiters
        downWaiters = []
        for w in waiters { w.resume(returning: how) }
    }
}
