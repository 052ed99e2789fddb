import Yams

/// Reads and validates scenario YAML. Every problem is reported with the file
/// and key path; cross-references (services, gateways, apps) are checked so a
/// scenario that loads is one the world can be built from.
public enum ScenarioLoader {
    public static func parse(yaml: String, file: String) throws(ScenarioError) -> ScenarioSpec {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ScenarioError(file: file, path: "", problem: "empty scenario file")
            }
            root = node
        } catch let e as ScenarioError {
            throw e
        } catch {
            throw ScenarioError(file: file, path: "", problem: "invalid YAML: \(error)")
        }
        let top = try YAMLMap(file: file, path: "", node: root)
        var spec = ScenarioSpec(
            name: try top.requiredString("name"),
            description: try top.string("description") ?? "",
            seed: try top.uint("seed") ?? 1,
            untilBlock: 0,
            chain: try chain(top.map("chain")),
            services: [], gateways: try top.stringList("gateways"), applications: [], suppliers: [],
            topology: try topology(top.map("topology")),
            backends: [:], workload: [], faults: [], assertions: []
        )
        for item in try top.list("services") { spec.services.append(try service(YAMLMap(file: file, path: item.path, node: item.node))) }
        for item in try top.list("applications") { spec.applications.append(try application(YAMLMap(file: file, path: item.path, node: item.node))) }
        for item in try top.list("suppliers") { spec.suppliers.append(try supplier(YAMLMap(file: file, path: item.path, node: item.node))) }
        if let backends = try top.map("backends") {
            for name in backends.keys {
                guard let m = try backends.map(name) else { continue }
                spec.backends[name] = try backend(m)
            }
            try backends.rejectUnknownKeys()
        }
        for item in try top.list("workload") { spec.workload.append(try workload(YAMLMap(file: file, path: item.path, node: item.node))) }
        for item in try top.list("faults") { spec.faults.append(try fault(YAMLMap(file: file, path: item.path, node: item.node))) }
        for item in try top.list("assertions") {
            guard case .scalar(let s) = item.node else { throw ScenarioError(file: file, path: item.path, problem: "expected an assertion like 'drift == 0'") }
            spec.assertions.append(try assertion(s.string, file: file, path: item.path))
        }
        let lastWorkloadBlock = spec.workload.map(\.toBlock).max() ?? 0
        spec.untilBlock = try top.int("until_block") ?? defaultUntilBlock(chain: spec.chain, lastTrafficBlock: lastWorkloadBlock)
        try top.rejectUnknownKeys()
        try validate(spec, file: file)
        return spec
    }

    /// Enough blocks for the last session with traffic to settle (proof window closed), plus one.
    static func defaultUntilBlock(chain c: ChainSpec, lastTrafficBlock: Int64) -> Int64 {
        let n = Int64(c.numBlocksPerSession)
        let sessionEnd = ((max(lastTrafficBlock, 1) - 1) / n + 1) * n
        let tail = Int64(c.claimWindowOpenOffsetBlocks + c.claimWindowCloseOffsetBlocks + c.proofWindowOpenOffsetBlocks + c.proofWindowCloseOffsetBlocks)
        return sessionEnd + tail + 2
    }

    static func chain(_ m: YAMLMap?) throws(ScenarioError) -> ChainSpec {
        var c = ChainSpec()
        guard let m else { return c }
        c.blockTimeSeconds = try m.double("block_time_seconds") ?? c.blockTimeSeconds
        c.numBlocksPerSession = try m.uint("num_blocks_per_session") ?? c.numBlocksPerSession
        c.gracePeriodEndOffsetBlocks = try m.uint("grace_period_end_offset_blocks") ?? c.gracePeriodEndOffsetBlocks
        c.claimWindowOpenOffsetBlocks = try m.uint("claim_window_open_offset_blocks") ?? c.claimWindowOpenOffsetBlocks
        c.claimWindowCloseOffsetBlocks = try m.uint("claim_window_close_offset_blocks") ?? c.claimWindowCloseOffsetBlocks
        c.proofWindowOpenOffsetBlocks = try m.uint("proof_window_open_offset_blocks") ?? c.proofWindowOpenOffsetBlocks
        c.proofWindowCloseOffsetBlocks = try m.uint("proof_window_close_offset_blocks") ?? c.proofWindowCloseOffsetBlocks
        c.computeUnitsToTokensMultiplier = try m.uint("compute_units_to_tokens_multiplier") ?? c.computeUnitsToTokensMultiplier
        c.computeUnitCostGranularity = try m.uint("compute_unit_cost_granularity") ?? c.computeUnitCostGranularity
        c.numSuppliersPerSession = try m.uint("num_suppliers_per_session") ?? c.numSuppliersPerSession
        c.proofRequestProbability = try m.double("proof_request_probability") ?? c.proofRequestProbability
        c.proofRequirementThresholdUPOKT = try m.uint("proof_requirement_threshold_upokt") ?? c.proofRequirementThresholdUPOKT
        c.proofSubmissionFeeUPOKT = try m.uint("proof_submission_fee_upokt") ?? c.proofSubmissionFeeUPOKT
        try m.rejectUnknownKeys()
        if c.numBlocksPerSession == 0 { throw m.error("num_blocks_per_session", "must be at least 1") }
        if c.gracePeriodEndOffsetBlocks >= c.numBlocksPerSession {
            throw m.error("grace_period_end_offset_blocks", "must be less than num_blocks_per_session (chain rule)")
        }
        if c.claimWindowOpenOffsetBlocks < c.gracePeriodEndOffsetBlocks {
            throw m.error("claim_window_open_offset_blocks", "must be at least grace_period_end_offset_blocks (chain rule)")
        }
        if !(c.blockTimeSeconds > 0) { throw m.error("block_time_seconds", "must be positive") }
        if !(0...1).contains(c.proofRequestProbability) { throw m.error("proof_request_probability", "must be within [0, 1]") }
        return c
    }

    static func topology(_ m: YAMLMap?) throws(ScenarioError) -> TopologySpec {
        var t = TopologySpec()
        guard let m else { return t }
        t.relayers = Int(try m.int("relayers") ?? Int64(t.relayers))
        t.miners = Int(try m.int("miners") ?? Int64(t.miners))
        try m.rejectUnknownKeys()
        if t.relayers < 1 { throw m.error("relayers", "need at least one relayer") }
        if t.miners < 1 { throw m.error("miners", "need at least one miner") }
        return t
    }

    static func service(_ m: YAMLMap) throws(ScenarioError) -> ServiceSpec {
        var s = ServiceSpec(id: try m.requiredString("id"))
        s.computeUnitsPerRelay = try m.uint("compute_units_per_relay") ?? 1
        s.difficultyTargetHex = try m.string("difficulty_target")
        try m.rejectUnknownKeys()
        if s.computeUnitsPerRelay == 0 { throw m.error("compute_units_per_relay", "must be at least 1") }
        if let hex = s.difficultyTargetHex, hex.count != 64 || !hex.allSatisfy(\.isHexDigit) {
            throw m.error("difficulty_target", "must be 64 hex digits (32 bytes)")
        }
        return s
    }

    static func application(_ m: YAMLMap) throws(ScenarioError) -> ApplicationSpec {
        var a = ApplicationSpec(name: try m.requiredString("name"), service: try m.requiredString("service"))
        a.stakeUPOKT = try m.uint("stake_upokt") ?? a.stakeUPOKT
        a.gateways = try m.stringList("gateways")
        try m.rejectUnknownKeys()
        return a
    }

    static func supplier(_ m: YAMLMap) throws(ScenarioError) -> SupplierSpec {
        var s = SupplierSpec(name: try m.requiredString("name"), services: try m.stringList("services"))
        s.stakeUPOKT = try m.uint("stake_upokt") ?? s.stakeUPOKT
        s.balanceUPOKT = try m.uint("balance_upokt") ?? s.balanceUPOKT
        try m.rejectUnknownKeys()
        if s.services.isEmpty { throw m.error("services", "a supplier needs at least one service") }
        return s
    }

    static func backend(_ m: YAMLMap) throws(ScenarioError) -> BackendProfile {
        var b = BackendProfile()
        b.latencyMilliseconds = try m.double("latency_ms") ?? b.latencyMilliseconds
        b.jitterMilliseconds = try m.double("jitter_ms") ?? b.jitterMilliseconds
        b.errorRate = try m.double("error_rate") ?? b.errorRate
        try m.rejectUnknownKeys()
        if !(0...1).contains(b.errorRate) { throw m.error("error_rate", "must be within [0, 1]") }
        return b
    }

    static func workload(_ m: YAMLMap) throws(ScenarioError) -> WorkloadPhase {
        var w = WorkloadPhase(fromBlock: try m.int("from_block") ?? 1, toBlock: 0, relaysPerBlock: 0)
        guard let to = try m.int("to_block") else { throw m.error("to_block", "required") }
        w.toBlock = to
        guard let rate = try m.int("relays_per_block") else { throw m.error("relays_per_block", "required") }
        w.relaysPerBlock = Int(rate)
        w.applications = try m.stringList("applications")
        w.transport = try m.string("transport") ?? w.transport
        w.duplicateRate = try m.double("duplicate_rate") ?? 0
        w.lateByBlocks = try m.int("late_by_blocks") ?? 0
        if w.lateByBlocks < 0 { throw m.error("late_by_blocks", "must not be negative") }
        try m.rejectUnknownKeys()
        if w.fromBlock < 1 || w.toBlock < w.fromBlock { throw m.error("to_block", "need 1 <= from_block <= to_block") }
        if w.relaysPerBlock < 0 { throw m.error("relays_per_block", "must not be negative") }
        if !["jsonrpc", "rest", "cometbft", "websocket", "grpc", "stream"].contains(w.transport) {
            throw m.error("transport", "unknown transport '\(w.transport)' (jsonrpc, rest, cometbft, websocket, grpc, stream)")
        }
        return w
    }

    static func fault(_ m: YAMLMap) throws(ScenarioError) -> FaultSpec {
        let kind = try m.requiredString("kind")
        let trigger: FaultTrigger
        if let block = try m.int("at_block") {
            trigger = .block(block)
        } else if let seconds = try m.double("at_seconds") {
            trigger = .seconds(seconds)
        } else if let moment = try m.string("at_moment") {
            guard let session = try m.int("session") else { throw m.error("session", "required with at_moment") }
            trigger = .moment(moment, session: session)
        } else {
            throw m.error("at_block", "a fault needs at_block, at_seconds or at_moment")
        }
        let target = try m.string("target")
        let duration = try m.int("duration_blocks")
        var params: [String: String] = [:]
        if let p = try m.map("params") {
            for key in p.keys { params[key] = try p.string(key) }
            try p.rejectUnknownKeys()
        }
        try m.rejectUnknownKeys()
        return FaultSpec(at: trigger, kind: kind, target: target, durationBlocks: duration, parameters: params)
    }

    static func assertion(_ text: String, file: String, path: String) throws(ScenarioError) -> AssertionSpec {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, let cmp = AssertionSpec.Comparison(rawValue: parts[1]) else {
            throw ScenarioError(file: file, path: path, problem: "expected '<metric> <op> <number or metric>' with op one of == != <= >= < >, got '\(text)'")
        }
        if let value = Double(parts[2]) { return AssertionSpec(metric: parts[0], comparison: cmp, value: value) }
        guard parts[2].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), parts[2].first?.isLetter == true else {
            throw ScenarioError(file: file, path: path, problem: "right-hand side of '\(text)' must be a number or a metric name")
        }
        return AssertionSpec(metric: parts[0], comparison: cmp, value: 0, valueMetric: parts[2])
    }

    static func validate(_ s: ScenarioSpec, file: String) throws(ScenarioError) {
        func fail(_ path: String, _ problem: String) -> ScenarioError { ScenarioError(file: file, path: path, problem: problem) }
        let serviceIDs = Set(s.services.map(\.id))
        if s.services.isEmpty { throw fail("services", "at least one service is required") }
        if serviceIDs.count != s.services.count { throw fail("services", "duplicate service id") }
        if Set(s.gateways).count != s.gateways.count { throw fail("gateways", "duplicate gateway name") }
        let appNames = Set(s.applications.map(\.name))
        if appNames.count != s.applications.count { throw fail("applications", "duplicate application name") }
        for (i, a) in s.applications.enumerated() {
            if !serviceIDs.contains(a.service) { throw fail("applications[\(i)].service", "unknown service '\(a.service)'") }
            for g in a.gateways where !s.gateways.contains(g) { throw fail("applications[\(i)].gateways", "unknown gateway '\(g)'") }
        }
        if Set(s.suppliers.map(\.name)).count != s.suppliers.count { throw fail("suppliers", "duplicate supplier name") }
        for (i, sup) in s.suppliers.enumerated() {
            for svc in sup.services where !serviceIDs.contains(svc) { throw fail("suppliers[\(i)].services", "unknown service '\(svc)'") }
        }
        for (name, _) in s.backends where !serviceIDs.contains(name) { throw fail("backends.\(name)", "unknown service") }
        for (i, w) in s.workload.enumerated() {
            for a in w.applications where !appNames.contains(a) { throw fail("workload[\(i)].applications", "unknown application '\(a)'") }
        }
        for (i, f) in s.faults.enumerated() {
            if let problem = f.problems(in: s).first { throw fail("faults[\(i)]", problem) }
        }
        if s.untilBlock < 1 { throw fail("until_block", "must be at least 1") }
    }
}
