import PocketProtocol

/// session.json: the anchored session grid, grace period and claim/proof
/// windows for every listed height of every parameter set; poktroll's own
/// unit-test expectations; session ids; supplier-ordering weights.
public struct SessionChecker: VectorFileChecker {
    public init() {}
    public var format: String { "session" }

    public func matches(_ document: JSONValue) -> Bool {
        document.has("param_sets") && document.has("session_ids")
    }

    static func params(_ p: JSONValue) throws -> SharedParams {
        func get(_ key: String, _ fallback: UInt64) throws -> UInt64 {
            p.has(key) ? try p.uint64(key) : fallback
        }
        let base = SharedParams.localnet
        return SharedParams(
            numBlocksPerSession: try p.uint64("num_blocks_per_session"),
            gracePeriodEndOffsetBlocks: try get("grace_period_end_offset_blocks", 0),
            claimWindowOpenOffsetBlocks: try get("claim_window_open_offset_blocks", 0),
            claimWindowCloseOffsetBlocks: try get("claim_window_close_offset_blocks", 0),
            proofWindowOpenOffsetBlocks: try get("proof_window_open_offset_blocks", 0),
            proofWindowCloseOffsetBlocks: try get("proof_window_close_offset_blocks", 0),
            computeUnitsToTokensMultiplier: try get("compute_units_to_tokens_multiplier", base.computeUnitsToTokensMultiplier),
            computeUnitCostGranularity: try get("compute_unit_cost_granularity", base.computeUnitCostGranularity),
            sessionGridAnchorHeight: try get("session_grid_anchor_height", 0),
            sessionNumberAtAnchor: try get("session_number_at_anchor", 0)
        )
    }

    public func check(_ document: JSONValue) -> [CaseOutcome] {
        var out: [CaseOutcome] = []
        var namedSets: [String: SharedParams] = [:]
        for (i, set) in ((try? document.array("param_sets")) ?? []).enumerated() {
            let setName = (try? set.string("name")) ?? "\(i)"
            do {
                let grid = SessionGrid(try Self.params(try set.value("params")))
                namedSets[setName] = grid.params
                out.append(.expect("\(setName).session_end_to_proof_window_close_blocks", grid.sessionEndToProofWindowCloseBlocks, try set.int64("session_end_to_proof_window_close_blocks")))
                out.append(.expect("\(setName).num_pending_sessions", grid.numPendingSessions, try set.int64("num_pending_sessions")))
                for row in try set.array("rows") {
                    let h = try row.int64("height")
                    let name = "\(setName) h=\(h)"
                    let checks: [(String, Int64)] = [
                        ("session_start_height", grid.sessionStart(h)), ("session_end_height", grid.sessionEnd(h)),
                        ("session_number", grid.sessionNumber(h)), ("grace_period_end_height", grid.gracePeriodEnd(h)),
                        ("claim_window_open_height", grid.claimWindowOpen(h)), ("claim_window_close_height", grid.claimWindowClose(h)),
                        ("proof_window_open_height", grid.proofWindowOpen(h)), ("proof_window_close_height", grid.proofWindowClose(h)),
                        ("earliest_supplier_claim_commit_height", grid.earliestClaimCommit(h)),
                        ("earliest_supplier_proof_commit_height", grid.earliestProofCommit(h)),
                        ("proof_path_seed_block_height", grid.proofSeedBlockHeight(h)),
                        ("next_session_start_height", grid.nextSessionStart(h)),
                        ("settlement_session_end_height", grid.settlementSessionEnd(h)),
                    ]
                    var mismatches: [String] = []
                    for (key, actual) in checks where row.has(key) {
                        let expected = try row.int64(key)
                        if expected != actual { mismatches.append("\(key) expected \(expected) got \(actual)") }
                    }
                    if row.has("is_session_start"), try row.bool("is_session_start") != grid.isSessionStart(h) { mismatches.append("is_session_start") }
                    if row.has("is_session_end"), try row.bool("is_session_end") != grid.isSessionEnd(h) { mismatches.append("is_session_end") }
                    out.append(mismatches.isEmpty ? .pass(name) : .fail(name, mismatches.joined(separator: "; ")))
                }
            } catch { out.append(.fail(setName, "\(error)")) }
        }
        for (i, item) in ((try? document.array("poktroll_test_expectations")) ?? []).enumerated() {
            let name = "poktroll_test_expectations[\(i)] \((try? item.string("test")) ?? "")"
            do {
                let grid = SessionGrid(try Self.params(try item.value("params")))
                let h = try item.int64("height")
                let function = try item.string("function")
                let actual: Int64
                switch function {
                case "GetSessionStartHeight": actual = grid.sessionStart(h)
                case "GetSessionEndHeight": actual = grid.sessionEnd(h)
                case "GetSessionNumber": actual = grid.sessionNumber(h)
                case "GetSessionGracePeriodEndHeight": actual = grid.gracePeriodEnd(h)
                case "GetClaimWindowOpenHeight": actual = grid.claimWindowOpen(h)
                case "GetClaimWindowCloseHeight": actual = grid.claimWindowClose(h)
                case "GetProofWindowOpenHeight": actual = grid.proofWindowOpen(h)
                case "GetProofWindowCloseHeight": actual = grid.proofWindowClose(h)
                default:
                    out.append(.fail(name, "unknown function \(function)"))
                    continue
                }
                out.append(.expect("\(name) \(function)(\(h))", actual, try item.int64("expected")))
            } catch { out.append(.fail(name, "\(error)")) }
        }
        for (i, item) in ((try? document.array("session_ids")) ?? []).enumerated() {
            let name = "session_ids[\(i)]"
            do {
                let start = try item.int64("session_start_height")
                if let setName = try item.optionalString("param_set"), let params = namedSets[setName], item.has("block_height") {
                    out.append(.expect("\(name).session_start_height", SessionGrid(params).sessionStart(try item.int64("block_height")), start))
                }
                if item.has("session_start_le_bytes") {
                    out.append(.expectHex("\(name).le_bytes", ByteOrder.littleEndian64(UInt64(bitPattern: start)), try item.bytes("session_start_le_bytes")))
                }
                let preimage = SessionID.preimage(startBlockHash: try item.bytes("block_hash"), serviceID: try item.string("service_id"),
                                                  applicationAddress: try item.string("application_address"), sessionStartHeight: start)
                out.append(.expectHex("\(name).preimage", preimage, try item.bytes("session_id_preimage")))
                out.append(.expect("\(name).session_id", Hash.sha3_256(preimage).hex, try item.string("session_id")))
            } catch { out.append(.fail(name, "\(error)")) }
        }
        for (i, item) in ((try? document.array("supplier_weights")) ?? []).enumerated() {
            let name = "supplier_weights[\(i)]"
            do {
                let weight = SessionID.supplierWeight(preimage: try item.bytes("session_id_preimage"), supplierOperatorAddress: try item.string("supplier_operator_address"))
                out.append(.expect(name, weight, try item.int64("weight")))
            } catch { out.append(.fail(name, "\(error)")) }
        }
        if out.isEmpty { out.append(.fail("session", "no cases found")) }
        return out
    }
}
