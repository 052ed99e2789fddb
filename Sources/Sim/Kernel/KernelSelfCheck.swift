import RelayRuntime

/// A workload that exercises everything simulated code may use — task groups,
/// `async let`, actors, AsyncStream, timers, per-component randomness — and
/// records every step in the trace. Running it twice with one seed must give
/// one trace hash; tests and `sim selfcheck` use it to prove the kernel
/// deterministic in-process and across processes.
public enum KernelSelfCheck {
    public struct Outcome: Sendable, Equatable {
        public let traceHash: String
        public let events: UInt64
        public let virtualNanoseconds: Int64
    }

    public static func run(seed: UInt64, workers: Int = 24, steps: Int = 40) throws(SimulationError) -> Outcome {
        let kernel = SimKernel(seed: seed)
        try kernel.run {
            try await workload(kernel: kernel, workers: workers, steps: steps)
        }
        return Outcome(
            traceHash: kernel.trace.hashHex,
            events: kernel.trace.eventCount,
            virtualNanoseconds: kernel.clock.now.unixNanoseconds - SimKernel.epoch.unixNanoseconds
        )
    }

    static func workload(kernel: SimKernel, workers: Int, steps: Int) async throws {
        let ledger = Ledger(kernel: kernel)
        let (stream, feed) = AsyncStream<Int>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var received = 0
                for await value in stream {
                    received += 1
                    kernel.record("consumer", "received", [("value", String(value)), ("n", String(received))])
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { producers in
                for worker in 0..<workers {
                    producers.addTask {
                        let random = kernel.entropy.stream(for: "worker-\(worker)")
                        for step in 0..<steps {
                            let pause = Duration.milliseconds(Int64(random.next() % 50))
                            try await kernel.clock.sleep(for: pause)
                            async let a = ledger.append(worker: worker, step: step)
                            async let b = ledger.total()
                            let (position, total) = await (a, b)
                            if random.next() % 3 == 0 { feed.yield(worker * 1000 + step) }
                            kernel.record("worker-\(worker)", "step", [("step", String(step)), ("position", String(position)), ("seen", String(total))])
                        }
                    }
                }
                try await producers.waitForAll()
            }
            feed.finish()
            try await group.waitForAll()
        }
    }
}

/// A default actor: under a task-executor preference its jobs run on the
/// simulator executor too.
private actor Ledger {
    let kernel: SimKernel
    private var entries: [Int] = []

    init(kernel: SimKernel) { self.kernel = kernel }

    func append(worker: Int, step: Int) -> Int {
        entries.append(worker)
        kernel.record("ledger", "append", [("worker", String(worker)), ("step", String(step))])
        return entries.count
    }

    func total() -> Int { entries.count }
}
