import RelayRuntime

/// Production randomness: every component draws from the operating system's
/// generator. Used inside a simulation it is reported, because it cannot be
/// replayed from a seed.
public struct SystemEntropy: EntropyPort {
    public init() {}

    public func stream(for component: String) -> EntropyStream {
        SimulationContext.reportIfSimulated("SystemEntropy used for \(component) inside a simulation")
        return EntropyStream(SystemRandomNumberGenerator())
    }
}
