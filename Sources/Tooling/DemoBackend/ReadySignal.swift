/// A value that becomes known once (a bound port, or why there is none) and
/// that any number of tasks can wait for.
actor ReadySignal<Value: Sendable> {
    private var outcome: Result<Value, DemoBackendError>?
    private var waiters: [CheckedContinuation<Result<Value, DemoBackendError>, Never>] = []

    /// Settled with a value (not with a failure, not yet unsettled).
    var hasValue: Bool {
        if case .success? = outcome { return true }
        return false
    }

    /// The first settlement wins; later ones are ignored.
    func settle(_ result: Result<Value, DemoBackendError>) {
        guard outcome == nil else { return }
        outcome = result
        for waiter in waiters { waiter.resume(returning: result) }
        waiters.removeAll()
    }

    func value() async throws(DemoBackendError) -> Value {
        let result: Result<Value, DemoBackendError>
        if let outcome {
            result = outcome
        } else {
            result = await withCheckedContinuation { waiters.append($0) }
        }
        return try result.get()
    }
}

/// True for the first caller of `claim()` only: a server that runs once.
actor OneShot {
    private var claimed = false

    func claim() -> Bool {
        defer { claimed = true }
        return !claimed
    }
}
