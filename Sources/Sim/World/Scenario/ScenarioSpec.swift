/// A scenario file (`scenarios/*.yaml`): the world to build, the traffic to
/// send, the faults to inject and what must hold at the end. The format is
/// documented in `scenarios/README.md`; every field has a default so small
/// scenarios stay small.
public struct ScenarioSpec: Sendable, Equatable {
    public var name: String
    public var description: String
    /// Seed used when the command line gives none.
    public var seed: UInt64
    /// The run stops after this block (sessions still open are reported as such).
    public var untilBlock: Int64
    public var chain: ChainSpec
    public var services: [ServiceSpec]
    public var gateways: [String]
    public var applications: [ApplicationSpec]
    public var suppliers: [SupplierSpec]
    public var topology: TopologySpec
    public var backends: [String: BackendProfile]
    public var workload: [WorkloadPhase]
    public var faults: [FaultSpec]
    public var assertions: [AssertionSpec]
}

/// Chain parameters; unset values keep localnet defaults (docs/protocol.md#parameter-values).
public struct ChainSpec: Sendable, Equatable {
    public var blockTimeSeconds: Double = 10
    public var numBlocksPerSession: UInt64 = 10
    public var gracePeriodEndOffsetBlocks: UInt64 = 1
    public var claimWindowOpenOffsetBlocks: UInt64 = 1
    public var claimWindowCloseOffsetBlocks: UInt64 = 4
    public var proofWindowOpenOffsetBlocks: UInt64 = 0
    public var proofWindowCloseOffsetBlocks: UInt64 = 4
    public var computeUnitsToTokensMultiplier: UInt64 = 42_000_000
    public var computeUnitCostGranularity: UInt64 = 1_000_000
    public var numSuppliersPerSession: UInt64 = 15
    public var proofRequestProbability: Double = 0.25
    public var proofRequirementThresholdUPOKT: UInt64 = 20_000_000
    public var proofSubmissionFeeUPOKT: UInt64 = 1_000_000
    public init() {}
}

public struct ServiceSpec: Sendable, Equatable {
    public var id: String
    public var computeUnitsPerRelay: UInt64 = 1
    /// Relay-mining difficulty target (hex, 32 bytes); nil = base difficulty (every relay minable).
    public var difficultyTargetHex: String?
}

public struct ApplicationSpec: Sendable, Equatable {
    public var name: String
    public var service: String
    public var stakeUPOKT: UInt64 = 1_000_000_000_000
    /// Gateways this application delegated to; empty = the app signs itself (placeholder ring).
    public var gateways: [String] = []
}

public struct SupplierSpec: Sendable, Equatable {
    public var name: String
    public var services: [String]
    public var stakeUPOKT: UInt64 = 60_000_000_000
    public var balanceUPOKT: UInt64 = 1_000_000_000
}

public struct TopologySpec: Sendable, Equatable {
    public var relayers: Int = 1
    public var miners: Int = 1
    public init() {}
}

/// Latency and failure profile of one service's backend.
public struct BackendProfile: Sendable, Equatable {
    public var latencyMilliseconds: Double = 5
    /// Uniform extra latency in [0, jitter).
    public var jitterMilliseconds: Double = 0
    /// Probability of a backend failure (HTTP 5xx / transport error).
    public var errorRate: Double = 0
    public init() {}
}

/// Relay traffic during a block range.
public struct WorkloadPhase: Sendable, Equatable {
    public var fromBlock: Int64
    public var toBlock: Int64
    /// Relays sent per block across all selected (application, supplier) pairs.
    public var relaysPerBlock: Int
    /// Application names, or empty for all.
    public var applications: [String] = []
    public var transport: String = "jsonrpc"
    /// Fraction of relays sent twice with identical bytes (anti-replay check).
    public var duplicateRate: Double = 0
    /// Relays are sent for the session of the height this many blocks ago
    /// (late relays: inside or after the grace period).
    public var lateByBlocks: Int64 = 0
}

/// When a fault fires.
public enum FaultTrigger: Sendable, Equatable {
    case block(Int64)
    case seconds(Double)
    /// A protocol moment, e.g. `after_claim` / `before_proof` of a session number.
    case moment(String, session: Int64)
}

/// One scripted fault (issue 5 grows the list of kinds).
public struct FaultSpec: Sendable, Equatable {
    public var at: FaultTrigger
    public var kind: String
    public var target: String?
    public var durationBlocks: Int64?
    public var parameters: [String: String]
}

/// A check over the run's outcome, e.g. `drift == 0`.
public struct AssertionSpec: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, CaseIterable {
        case equal = "==", notEqual = "!=", lessOrEqual = "<=", greaterOrEqual = ">=", less = "<", greater = ">"
    }
    public var metric: String
    public var comparison: Comparison
    public var value: Double
    /// When set, the right-hand side is this metric's value instead of `value`.
    public var valueMetric: String?

    public init(metric: String, comparison: Comparison, value: Double, valueMetric: String? = nil) {
        self.metric = metric
        self.comparison = comparison
        self.value = value
        self.valueMetric = valueMetric
    }

    public var description: String { "\(metric) \(comparison.rawValue) \(valueMetric ?? value.formatted)" }

    /// Evaluates against a run's metrics; nil when a metric it names does not exist.
    public func evaluate(_ metrics: [String: Double]) -> (actual: Double, passed: Bool)? {
        guard let actual = metrics[metric] else { return nil }
        var target = value
        if let valueMetric {
            guard let v = metrics[valueMetric] else { return nil }
            target = v
        }
        var copy = self
        copy.value = target
        return (actual, copy.holds(for: actual))
    }

    public func holds(for actual: Double) -> Bool {
        switch comparison {
        case .equal: return actual == value
        case .notEqual: return actual != value
        case .lessOrEqual: return actual <= value
        case .greaterOrEqual: return actual >= value
        case .less: return actual < value
        case .greater: return actual > value
        }
    }
}

extension Double {
    /// Integers without a trailing `.0`, for messages.
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self) }
}
