import Foundation
import RelayRuntime
import RelayRuntimeLive
import SimKernel
import Testing

@Suite struct KernelTests {
    @Test func sleepsAdvanceVirtualTimeExactly() throws {
        let kernel = SimKernel(seed: 1)
        let offsets = try kernel.run {
            var seen: [Int64] = []
            for seconds in [5, 0, 120, 1] {
                try await kernel.clock.sleep(for: .seconds(Int64(seconds)))
                seen.append(kernel.clock.now.unixNanoseconds - SimKernel.epoch.unixNanoseconds)
            }
            return seen
        }
        #expect(offsets == [5_000_000_000, 5_000_000_000, 125_000_000_000, 126_000_000_000])
    }

    @Test func simultaneousTimersFireInTheOrderTheyWereSet() throws {
        let kernel = SimKernel(seed: 1)
        let order = try kernel.run {
            let log = OrderLog()
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<6 {
                    group.addTask {
                        // Tasks start in FIFO order; all wake at t = 10 s.
                        try? await kernel.clock.sleep(until: SimKernel.epoch.advanced(by: .seconds(10)))
                        await log.append(i)
                    }
                }
            }
            return await log.items
        }
        #expect(order == [0, 1, 2, 3, 4, 5])
    }

    @Test func cancellingASleeperWakesItAtTheCancellationTime() throws {
        let kernel = SimKernel(seed: 1)
        let (woke, cancelledAt) = try kernel.run {
            try await withThrowingTaskGroup(of: Int64?.self) { group in
                group.addTask {
                    do {
                        try await kernel.clock.sleep(for: .seconds(1000))
                        return nil
                    } catch {
                        return kernel.clock.now.unixNanoseconds
                    }
                }
                try await kernel.clock.sleep(for: .seconds(7))
                group.cancelAll()
                let woke = try await group.next()!!
                return (woke, kernel.clock.now.unixNanoseconds)
            }
        }
        #expect(woke - SimKernel.epoch.unixNanoseconds == 7_000_000_000)
        #expect(cancelledAt == woke)
    }

    @Test func aSwiftClockConsumerRunsOnVirtualTime() throws {
        let kernel = SimKernel(seed: 1)
        @Sendable func wait<C: Clock>(on clock: C, _ d: C.Duration) async throws { try await clock.sleep(for: d) }
        let elapsed = try kernel.run {
            let start = kernel.clock.now
            try await wait(on: kernel.clock, .milliseconds(1500))
            return start.duration(to: kernel.clock.now)
        }
        #expect(elapsed == .milliseconds(1500))
    }

    @Test func aJobFromAnotherThreadFailsTheRun() {
        let kernel = SimKernel(seed: 1)
        #expect {
            try kernel.run {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    Thread { usleep(20_000); c.resume() }.start()
                }
            }
        } throws: { error in
            guard case SimulationError.determinismViolation(let what) = error else { return false }
            return what.contains { $0.contains("enqueued from a thread other than the simulator's") }
        }
    }

    @Test func aWallClockReadFromSimulatedCodeFailsTheRun() {
        let kernel = SimKernel(seed: 1)
        #expect {
            try kernel.run { _ = SystemClock().now }
        } throws: { error in
            guard case SimulationError.determinismViolation(let what) = error else { return false }
            return what == ["SystemClock.now read the wall clock inside a simulation"]
        }
    }

    @Test func systemRandomnessFromSimulatedCodeFailsTheRun() {
        let kernel = SimKernel(seed: 1)
        #expect {
            try kernel.run { _ = SystemEntropy().stream(for: "miner").next() }
        } throws: { error in
            guard case SimulationError.determinismViolation(let what) = error else { return false }
            return what == ["SystemEntropy used for miner inside a simulation"]
        }
    }

    @Test func waitingForSomethingThatNeverHappensIsADeadlock() {
        let kernel = SimKernel(seed: 1)
        #expect {
            try kernel.run {
                try await kernel.clock.sleep(for: .seconds(3))
                let (stream, _) = AsyncStream<Int>.makeStream()
                for await _ in stream {}
            }
        } throws: { error in
            guard case SimulationError.deadlock(let at, _) = error else { return false }
            return at == SimKernel.epoch.advanced(by: .seconds(3))
        }
    }

    @Test func aBusyLoopWithoutTimeIsALivelock() {
        let kernel = SimKernel(seed: 1)
        kernel.livelockLimit = 10_000
        #expect {
            try kernel.run {
                while true { await Task.yield() }
            }
        } throws: { error in
            guard case SimulationError.livelock = error else { return false }
            return true
        }
    }

    @Test func entropyStreamsAreIndependentPerComponent() {
        let a = SimEntropy(seed: 9)
        let firstAlone = (0..<4).map { _ in a.stream(for: "miner-1").next() }
        let b = SimEntropy(seed: 9)
        // Another component drawing first must not shift miner-1's stream.
        _ = (0..<100).map { _ in b.stream(for: "relayer-1").next() }
        let firstAfterOther = (0..<4).map { _ in b.stream(for: "miner-1").next() }
        #expect(firstAlone == firstAfterOther)
        #expect(SimEntropy(seed: 10).stream(for: "miner-1").next() != firstAlone[0])
    }

    @Test func traceLinesAreJSONAndChainIntoTheHash() throws {
        let kernel = SimKernel(seed: 1)
        let lines = LineSink()
        kernel.trace.setSink { lines.add($0) }
        try kernel.run {
            kernel.record("miner-1", "claim.submitted", [("session", "s\"1"), ("n", "3")])
            try await kernel.clock.sleep(for: .milliseconds(2))
            kernel.record("chain", "block", [("height", "11")])
        }
        #expect(lines.all == [
            #"{"t":0,"c":"miner-1","e":"claim.submitted","f":{"session":"s\"1","n":"3"}}"#,
            #"{"t":2000000,"c":"chain","e":"block","f":{"height":"11"}}"#,
        ])
        for line in lines.all {
            #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        }
        #expect(kernel.trace.eventCount == 2)
        #expect(kernel.trace.hashHex.count == 64)
    }
}

private actor OrderLog {
    var items: [Int] = []
    func append(_ i: Int) { items.append(i) }
}

private final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ l: String) { lock.lock(); lines.append(l); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
