import RelayRuntime

/// Why a simulation run did not produce a result. Each case says what the
/// simulated world was doing, so a failing seed can be understood from the
/// message alone.
public enum SimulationError: Error, Sendable, CustomStringConvertible {
    /// Every task is suspended, no timer is pending and the run's body has not
    /// returned: something waits for an event that can never happen.
    case deadlock(at: RuntimeInstant, jobsRun: UInt64)
    /// Too many jobs ran without virtual time advancing (a busy loop).
    case livelock(at: RuntimeInstant, jobsWithoutAdvance: UInt64)
    /// Simulated code escaped the simulator (a job from another thread, a
    /// wall-clock read, real randomness). The run is not replayable.
    case determinismViolation([String])
    /// The run's body threw.
    case bodyFailed(String)

    public var description: String {
        switch self {
        case .deadlock(let at, let jobs):
            return "simulation deadlocked at \(at) after \(jobs) jobs: all tasks are suspended and no timer is pending"
        case .livelock(let at, let jobs):
            return "simulation livelocked at \(at): \(jobs) jobs ran without virtual time advancing"
        case .determinismViolation(let what):
            return "simulation is not deterministic: " + what.joined(separator: "; ")
        case .bodyFailed(let what):
            return "simulation body failed: \(what)"
        }
    }
}
