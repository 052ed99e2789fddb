import RelayRuntime
import SimKernel
import Testing

/// Height waits end when the height arrives, in the order they began, and
/// end with nil when their task is cancelled first — a height the chain never
/// reaches must not hold a shutdown (the simulator would report a deadlock).
@Suite struct BlockTrackerTests {
    static func block(_ h: Int64) -> ChainBlock {
        ChainBlock(height: h, hash: [UInt8(h)], time: SimKernel.epoch.advanced(by: .seconds(h)))
    }

    @Test func waitsResolveInOrderAndCancelledWaitsReturnNil() throws {
        let world = MinerWorld()
        let kernel = world.kernel
        let results = try kernel.run { () async -> [String] in
            let tracker = BlockTracker(chain: world.chain.link(for: "t"), clock: kernel.clock, telemetry: NullTelemetry(), component: "t")
            let order = OrderLog()
            await withTaskGroup(of: Void.self) { group in
                for (name, height) in [("a", Int64(3)), ("b", 2), ("c", 3)] {
                    group.addTask { order.add("\(name)@\(await tracker.wait(forHeight: height)?.height ?? -1)") }
                }
                let never = Task(executorPreference: kernel.executor) { await tracker.wait(forHeight: 99) }
                try? await kernel.clock.sleep(for: .milliseconds(1))
                await tracker.observe(Self.block(2))
                try? await kernel.clock.sleep(for: .milliseconds(1))
                await tracker.observe(Self.block(4))
                try? await kernel.clock.sleep(for: .milliseconds(1))
                never.cancel()
                order.add("never@\(await never.value?.height ?? -1)")
                await group.waitForAll()
            }
            // Already cancelled before it waits: returns at once.
            let late = Task(executorPreference: kernel.executor) { () async -> ChainBlock? in
                withUnsafeCurrentTask { $0?.cancel() }
                return await tracker.wait(forHeight: 50)
            }
            order.add("late@\(await late.value?.height ?? -1)")
            // A height already seen answers without waiting.
            order.add("seen@\(await tracker.wait(forHeight: 1)?.height ?? -1)")
            return order.entries
        }
        #expect(results == ["b@2", "a@4", "c@4", "never@-1", "late@-1", "seen@4"])
    }
}

private final class OrderLog: @unchecked Sendable {
    private(set) var entries: [String] = []
    func add(_ s: String) { entries.append(s) }
}
