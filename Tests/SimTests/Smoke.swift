import Testing

@Suite struct SimTestsSmoke {
    @Test func packageBuilds() { #expect(1 + 1 == 2) }
}
