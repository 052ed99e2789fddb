@testable import PocketSim
import RelayRuntime
import SimKernel
import Testing

/// A simulated host's clocks: faults move its wall clock only.
@Suite struct NodeClockTests {
    @Test func aStepMovesWallTimeAndLeavesMonotonicTimeAndSleepsAlone() throws {
        let kernel = SimKernel(seed: 5)
        let clock = NodeClock(base: kernel.clock)
        let result = try kernel.run { () -> (wallJump: Duration, monoJump: Duration, slept: Duration) in
            let wall0 = clock.now
            let mono0 = clock.monotonicNow
            clock.step(by: .seconds(3600))
            let wallJump = wall0.duration(to: clock.now)
            let monoJump = mono0.duration(to: clock.monotonicNow)
            let before = kernel.clock.now
            try await clock.sleep(for: .seconds(2))
            clock.step(by: .seconds(-7200))
            return (wallJump, monoJump, before.duration(to: kernel.clock.now))
        }
        #expect(result.wallJump == .seconds(3600))
        #expect(result.monoJump == .zero)
        // A 2 s sleep takes 2 s of shared time, whatever the wall clock did.
        #expect(result.slept == .seconds(2))
        #expect(clock.now == kernel.clock.now.advanced(by: .seconds(-3600)))
        #expect(clock.monotonicNow.nanoseconds == kernel.clock.now.unixNanoseconds)
    }

    @Test func aSkewIsAnOffsetFromTheSharedTimelineAndIsUndoneByClearing() {
        let kernel = SimKernel(seed: 5)
        let clock = NodeClock(base: kernel.clock)
        clock.setSkew(.milliseconds(-1500))
        #expect(clock.now == kernel.clock.now.advanced(by: .milliseconds(-1500)))
        #expect(clock.monotonicNow.nanoseconds == kernel.clock.now.unixNanoseconds)
        clock.setSkew(.zero)
        #expect(clock.now == kernel.clock.now)
    }
}
