import RelayRuntime
@testable import RelayRuntimeLive
import Testing

/// CometBFT block times are parsed from a node's answers: whatever a node
/// prints must give an instant or nil, never a trap.
@Suite struct CometTimeTests {
    @Test func nanosecondTimesRoundTripExactly() {
        #expect(CometTime.parse("2026-01-01T00:00:00Z") == RuntimeInstant(unixNanoseconds: 1_767_225_600_000_000_000))
        #expect(CometTime.parse("2026-01-01T00:00:00.000000001Z") == RuntimeInstant(unixNanoseconds: 1_767_225_600_000_000_001))
        #expect(CometTime.parse("2026-01-01T01:00:00.5+01:00") == RuntimeInstant(unixNanoseconds: 1_767_225_600_500_000_000))
    }

    /// A node with no block yet reports Go's zero time (year 1): 6.2e19 ns
    /// before 1970, beyond Int64. Wiring the live CometBFT client to the
    /// stand-in in the contract suite found that this trapped.
    @Test func timesBeyondUnixNanosecondsAreNilNotATrap() {
        #expect(CometTime.parse("0001-01-01T00:00:00Z") == nil)
        #expect(CometTime.parse("9999-12-31T23:59:59.999999999Z") == nil)
        #expect(CometTime.parse("2262-04-11T23:47:16.854775807Z") == RuntimeInstant(unixNanoseconds: .max))
        #expect(CometTime.parse("2262-04-11T23:47:16.854775808Z") == nil)
    }
}
