extension VectorSuite {
    /// Every checker the project has, in the order they are tried.
    public static let allCheckers: [any VectorFileChecker] = [
        AddressChecker(),
        ECDSAChecker(),
        RingChecker(),
        SessionChecker(),
        ProofRequirementChecker(),
        SMSTChecker(),
        RelayMiningChecker(),
    ]
}
