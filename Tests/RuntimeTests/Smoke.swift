import Testing

@Suite struct RuntimeTestsSmoke {
    @Test func packageBuilds() { #expect(1 + 1 == 2) }
}
