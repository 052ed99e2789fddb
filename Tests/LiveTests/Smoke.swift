import Testing

@Suite struct LiveTestsSmoke {
    @Test func packageBuilds() { #expect(1 + 1 == 2) }
}
