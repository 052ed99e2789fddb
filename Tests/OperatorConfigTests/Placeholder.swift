import Testing

@Suite struct OperatorConfigTestsPlaceholder {
    @Test func builds() { #expect(1 + 1 == 2) }
}
