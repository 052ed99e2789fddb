import Testing

@Suite struct ProtocolTestsSmoke {
    @Test func packageBuilds() { #expect(1 + 1 == 2) }
}
