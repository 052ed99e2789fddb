/// Many seeds of one base scenario, each with its own random fault schedule;
/// a run fails when any always-on invariant breaks or the simulation itself
/// fails. A failing seed is replayed exactly by running its scenario with its
/// seed, and its schedule is shrunk to the faults that matter.
public struct Swarm: Sendable {
    public struct Failure: Sendable {
        public let seed: UInt64
        /// The generated scenario, with the full fault schedule.
        public let scenario: ScenarioSpec
        public let report: RunReport
        /// The minimal schedule that still fails (nil until shrunk).
        public var shrunk: ScenarioSpec?
        public var shrunkReport: RunReport?

        public init(seed: UInt64, scenario: ScenarioSpec, report: RunReport) {
            self.seed = seed
            self.scenario = scenario
            self.report = report
        }
    }

    public let base: ScenarioSpec
    public let schedule: SwarmSchedule
    public let options: SimWorld.Options

    public init(base: ScenarioSpec, schedule: SwarmSchedule = SwarmSchedule(), options: SimWorld.Options = SimWorld.Options()) {
        self.base = base
        self.schedule = schedule
        self.options = options
    }

    /// The scenario swarm runs for `seed`.
    public func scenario(seed: UInt64) -> ScenarioSpec {
        var s = schedule.scenario(from: base, seed: seed)
        s.seed = seed
        return s
    }

    /// Runs one seed (blocking the calling thread).
    public func run(seed: UInt64) -> RunReport {
        run(scenario(seed: seed), seed: seed)
    }

    public func run(_ spec: ScenarioSpec, seed: UInt64) -> RunReport {
        do {
            return try SimWorld(spec: spec, seed: seed, options: options).run()
        } catch {
            return RunReport(scenario: spec.name, seed: seed, traceHash: "", traceEvents: 0, simulatedSeconds: 0, wallSeconds: 0, finalHeight: 0,
                             metrics: [:], invariants: [], assertions: [], notes: [], failure: error.description)
        }
    }

    /// Shrinks a failure's schedule: the smallest fault list (by greedy removal) that still fails.
    public func shrink(_ failure: Failure) -> Failure {
        var out = failure
        var last: RunReport?
        let minimal = Shrinker.shrink(failure.scenario.faults) { candidate in
            var s = failure.scenario
            s.faults = candidate
            let r = run(s, seed: failure.seed)
            if !r.passed { last = r }
            return !r.passed
        }
        var spec = failure.scenario
        spec.faults = minimal
        spec.name = failure.scenario.name + "-shrunk"
        out.shrunk = spec
        out.shrunkReport = last ?? failure.report
        return out
    }
}
