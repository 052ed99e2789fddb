/// Receives reports of determinism violations from code that runs inside a
/// simulation. The simulator implements it; production never installs one.
public protocol SimulationMonitor: AnyObject, Sendable {
    /// Something read the wall clock, real randomness, or otherwise escaped the
    /// simulator's control. The run must fail with this description.
    func reportViolation(_ description: String)
}

/// Marks the tasks of a simulation run. The simulator binds `monitor` as a task
/// local for the whole run, and task locals are inherited by child tasks and by
/// unstructured tasks, so production adapters that touch the real world (the
/// system clock, the system random source) can tell when they are being used
/// from simulated code and make the run fail loudly instead of silently
/// breaking replay.
public enum SimulationContext {
    @TaskLocal public static var monitor: (any SimulationMonitor)?

    /// The deliberately broken runtime variant of this run, if any. Only the
    /// simulator binds it (`sim run --plant-bug`, `sim swarm --plant-bug`):
    /// it lives here rather than in a production config so that no
    /// configuration file or flag of the production binaries can express it.
    @TaskLocal public static var plantedBug: PlantedBug?

    /// Called by every real-world adapter before it touches the world.
    public static func reportIfSimulated(_ what: @autoclosure () -> String) {
        monitor?.reportViolation(what())
    }
}
