import Testing

@Suite struct ToolingTestsPlaceholder {
    @Test func builds() { #expect(1 + 1 == 2) }
}
