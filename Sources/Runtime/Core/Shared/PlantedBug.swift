/// Deliberately broken runtime variants, for proving that the scenario suite
/// and swarm runs can fail (a test that cannot fail proves nothing). Only the
/// simulator's `--plant-bug` option sets one, by binding the task local
/// `SimulationContext.plantedBug` for the run; production configuration has
/// no way to.
public enum PlantedBug: String, Sendable, Hashable, CaseIterable {
    /// A new supplier owner does not replay the retained stream: it only reads
    /// entries delivered from then on, as a miner that keeps its trees in memory
    /// would. A takeover mid-session loses the relays before it.
    case minerSkipsRebuild = "miner-skips-rebuild"

    public var summary: String {
        switch self {
        case .minerSkipsRebuild: return "new lease owners do not rebuild open sessions from the stream"
        }
    }
}
