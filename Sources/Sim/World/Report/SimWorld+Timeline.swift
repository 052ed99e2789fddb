import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel

extension SimWorld {
    /// The run laid out in time (after `run()` / `runDetached()`): built from
    /// the retained trace events, the chain's ledger and the gateways' outcomes.
    public func timeline() -> RunTimeline {
        TimelineBuilder(world: self).build()
    }
}

/// Reads a finished world into a `RunTimeline`.
struct TimelineBuilder {
    let world: SimWorld
    private let events: [TraceEvent]
    private let ids: WorldIdentities
    private let grid: SessionGrid
    private let blockTime: Int64
    private let supplierOrder: [String: Int]
    private let applicationOrder: [String: Int]

    init(world: SimWorld) {
        self.world = world
        events = world.kernel.trace.retained
        ids = world.context.identities
        grid = SessionGrid(world.spec.sharedParams)
        blockTime = Int64(world.spec.blockTime.components.seconds) * 1_000_000_000 + world.spec.blockTime.components.attoseconds / 1_000_000_000
        supplierOrder = Dictionary(world.spec.suppliers.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { a, _ in a })
        applicationOrder = Dictionary(world.spec.applications.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { a, _ in a })
    }

    private var ledger: ChainLedger { world.finalLedger }

    func build() -> RunTimeline {
        var blocks: [RunTimeline.Block] = []
        var skipped: [Int64] = []
        var blockHashes: [Int64: String] = [:]
        for e in events where e.component == "chain" {
            if e.event == "block", let h = e.field("height").flatMap(Int64.init) {
                blocks.append(.init(height: h, nanoseconds: e.nanosecondsSinceStart, transactions: e.field("txs").flatMap(Int.init) ?? 0))
                blockHashes[h] = e.field("hash")
            } else if e.event == "block.skipped" {
                skipped.append(e.nanosecondsSinceStart)
            }
        }
        let end = world.kernel.now.unixNanoseconds - SimKernel.epoch.unixNanoseconds
        let lastBlock = blocks.last?.nanoseconds ?? 0
        let shutdown = min(end, lastBlock + blockTime / 2)
        var timeline = RunTimeline(
            scenario: world.spec.name, description: world.spec.description, seed: world.seed, blockTimeNanoseconds: blockTime,
            finalHeight: world.finalHeight, shutdownNanoseconds: shutdown, endNanoseconds: end,
            suppliers: world.spec.suppliers.map(\.name), blocks: blocks, skippedSlots: skipped
        )
        let (nodes, leases) = nodesAndLeases(shutdown: shutdown)
        timeline.nodes = nodes
        timeline.leases = leases
        timeline.faults = faults()
        let claims = self.claims(blockHashes: blockHashes, timeline: timeline)
        timeline.claims = claims
        timeline.sessions = sessions(claims)
        return timeline
    }

    // MARK: Nodes and leases

    private func nodesAndLeases(shutdown: Int64) -> ([RunTimeline.Node], [RunTimeline.LeaseTenure]) {
        let relayerNames = world.relayers.map(\.name)
        let minerNames = world.miners.map(\.name)
        let nodeNames = Set(relayerNames + minerNames)
        var spans: [String: [RunTimeline.NodeSpan]] = [:]
        var up: [String: (generation: Int, from: Int64)] = [:]
        var leases: [RunTimeline.LeaseTenure] = []
        /// Open tenures per miner node, in acquisition order.
        var open: [String: [RunTimeline.LeaseTenure]] = [:]

        func closeLeases(of node: String, at t: Int64, _ how: RunTimeline.SpanEnd, where match: (RunTimeline.LeaseTenure) -> Bool = { _ in true }) {
            var still: [RunTimeline.LeaseTenure] = []
            for var tenure in open[node] ?? [] {
                if match(tenure) {
                    tenure.to = t
                    tenure.end = t >= shutdown && how != .crashed ? .runEnd : how
                    leases.append(tenure)
                } else {
                    still.append(tenure)
                }
            }
            open[node] = still
        }

        for e in events {
            let t = e.nanosecondsSinceStart
            if nodeNames.contains(e.component), e.event.hasPrefix("node.") {
                let node = e.component
                switch e.event {
                case "node.started":
                    up[node] = (e.field("generation").flatMap(Int.init) ?? 0, t)
                case "node.crashed", "node.stopped":
                    let how: RunTimeline.SpanEnd = e.event == "node.crashed" ? .crashed : (t >= shutdown ? .runEnd : .stopped)
                    if let u = up.removeValue(forKey: node) {
                        spans[node, default: []].append(.init(generation: u.generation, from: u.from, to: t, end: how))
                    }
                    closeLeases(of: node, at: t, how)
                default:
                    break
                }
                continue
            }
            guard e.component.hasSuffix("/miner") else { continue }
            let node = String(e.component.dropLast("/miner".count))
            guard let address = e.field("supplier") else { continue }
            let epoch = e.field("epoch").flatMap(UInt64.init) ?? 0
            switch e.event {
            case MinerEvent.leaseAcquired:
                open[node, default: []].append(.init(
                    miner: node, instance: e.field("instance") ?? node, supplier: ids.name(of: address), epoch: epoch,
                    from: t, to: t, end: .runEnd
                ))
            case MinerEvent.leaseLost, MinerEvent.leaseReleased:
                let reason = e.field("reason") ?? ""
                let how: RunTimeline.SpanEnd = e.event == MinerEvent.leaseLost ? .lost(reason) : .released(reason)
                let instance = e.field("instance")
                let name = ids.name(of: address)
                closeLeases(of: node, at: t, how) { $0.supplier == name && $0.epoch == epoch && (instance == nil || $0.instance == instance) }
            default:
                break
            }
        }
        for (node, u) in up.sorted(by: { $0.key < $1.key }) {
            spans[node, default: []].append(.init(generation: u.generation, from: u.from, to: shutdown, end: .runEnd))
        }
        for node in open.keys.sorted() { closeLeases(of: node, at: shutdown, .runEnd) }
        leases.sort { ($0.from, $0.miner, supplierOrder[$0.supplier] ?? .max, $0.epoch) < ($1.from, $1.miner, supplierOrder[$1.supplier] ?? .max, $1.epoch) }
        let nodes = relayerNames.map { RunTimeline.Node(name: $0, kind: .relayer, spans: spans[$0] ?? []) }
            + minerNames.map { RunTimeline.Node(name: $0, kind: .miner, spans: spans[$0] ?? []) }
        return (nodes, leases)
    }

    // MARK: Faults

    private func faults() -> [RunTimeline.Fault] {
        var out: [RunTimeline.Fault] = []
        var openIndex: [String: [Int]] = [:]
        for e in events where (e.component == "fault" || e.component.hasSuffix("/fault")) && e.event.hasPrefix("fault.") {
            let kind = e.field("kind") ?? String(e.event.dropFirst("fault.".count))
            let target = e.field("target") ?? ""
            var detail = e.field("detail")
                ?? e.fields.filter { !["kind", "target", "index", "height"].contains($0.0) && !$0.1.isEmpty }.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            // The fault's position in the scenario pairs applied with cleared; else its kind and target.
            let key = e.field("index") ?? (kind + "\u{0}" + target)
            switch e.event {
            case "fault.applied":
                openIndex[key, default: []].append(out.count)
                out.append(.init(kind: kind, target: target, detail: detail, applied: e.nanosecondsSinceStart, cleared: nil))
            case "fault.cleared":
                if var queue = openIndex[key], !queue.isEmpty {
                    let i = queue.removeFirst()
                    openIndex[key] = queue
                    out[i].cleared = e.nanosecondsSinceStart
                    if out[i].detail.isEmpty { out[i].detail = detail }
                } else {
                    out.append(.init(kind: kind, target: target, detail: detail, applied: e.nanosecondsSinceStart, cleared: e.nanosecondsSinceStart))
                }
            default:
                // Any other fault event (e.g. fault.skipped): an instantaneous marker.
                let what = String(e.event.dropFirst("fault.".count))
                detail = detail.isEmpty ? what : "\(what): \(detail)"
                out.append(.init(kind: kind, target: target, detail: detail, applied: e.nanosecondsSinceStart, cleared: e.nanosecondsSinceStart))
            }
        }
        return out
    }

    // MARK: Claims and proofs

    private struct Key: Hashable {
        let supplier: String
        let sessionID: String
    }

    private struct EndKey: Hashable {
        let supplier: String
        let end: Int64
    }

    private func claims(blockHashes: [Int64: String], timeline: RunTimeline) -> [RunTimeline.SessionClaim] {
        var relays: [Key: Int] = [:]
        var ends: [String: Int64] = [:]
        var keys: Set<Key> = []
        for (k, hashes) in world.outcomes.acknowledgedSessions {
            let key = Key(supplier: k.supplier, sessionID: k.sessionID)
            relays[key] = hashes.count
            keys.insert(key)
            if let end = world.outcomes.sessionEnd(k.sessionID) { ends[k.sessionID] = end }
        }
        var headers: [String: (application: String, service: String)] = [:]
        for c in ledger.claimsAccepted {
            keys.insert(Key(supplier: c.supplier, sessionID: c.sessionID))
            ends[c.sessionID] = c.sessionHeader.sessionEndBlockHeight
            headers[c.sessionID] = (c.sessionHeader.applicationAddress, c.sessionHeader.serviceID)
        }
        for s in ledger.settlements {
            keys.insert(Key(supplier: s.supplier, sessionID: s.sessionID))
            ends[s.sessionID] = s.sessionEndHeight
            headers[s.sessionID] = (s.applicationAddress, s.serviceID)
        }
        for r in ledger.claimsRejected + ledger.proofsRejected { keys.insert(Key(supplier: r.supplier, sessionID: r.sessionID)) }
        for p in ledger.proofsAccepted { keys.insert(Key(supplier: p.supplier, sessionID: p.sessionID)) }
        for v in ledger.proofValidations { keys.insert(Key(supplier: v.supplier, sessionID: v.sessionID)) }

        // The miner's view: broadcasts per (supplier, session end), per-session decisions.
        var claimBroadcasts: [EndKey: [RunTimeline.Broadcast]] = [:]
        var proofBroadcasts: [EndKey: [RunTimeline.Broadcast]] = [:]
        var claimResubmits: [Key: [RunTimeline.Broadcast]] = [:]
        var proofResubmits: [Key: [RunTimeline.Broadcast]] = [:]
        var failures: [Key: String] = [:]
        var skips: [Key: String] = [:]
        var notRequired: Set<Key> = []
        for e in events where e.component.hasSuffix("/miner") {
            guard let supplier = e.field("supplier") else { continue }
            let height = e.field("height").flatMap(Int64.init) ?? timeline.height(at: e.nanosecondsSinceStart)
            func broadcast(resubmit: Bool) -> RunTimeline.Broadcast {
                let error = e.field("error")
                return .init(nanoseconds: e.nanosecondsSinceStart, height: height, tx: e.field("tx") ?? "", resubmit: resubmit,
                             admitted: error == nil && e.field("code") == "0", log: error ?? e.field("log") ?? "")
            }
            if let session = e.field("session"), let end = e.field("session_end").flatMap(Int64.init), !session.contains(",") {
                ends[session] = ends[session] ?? end
            }
            switch e.event {
            case MinerEvent.claimBroadcast, MinerEvent.proofBroadcast:
                guard let end = e.field("session_end").flatMap(Int64.init) else { continue }
                let b = broadcast(resubmit: false)
                if e.event == MinerEvent.claimBroadcast { claimBroadcasts[EndKey(supplier: supplier, end: end), default: []].append(b) }
                else { proofBroadcasts[EndKey(supplier: supplier, end: end), default: []].append(b) }
            case MinerEvent.claimError, MinerEvent.proofError:
                guard e.field("step") == "broadcast" else { continue }
                let b = broadcast(resubmit: e.field("kind") != nil)
                if let end = e.field("session_end").flatMap(Int64.init) {
                    if e.event == MinerEvent.claimError { claimBroadcasts[EndKey(supplier: supplier, end: end), default: []].append(b) }
                    else { proofBroadcasts[EndKey(supplier: supplier, end: end), default: []].append(b) }
                } else if let sessions = e.field("session") {
                    for s in sessions.split(separator: ",").map(String.init) {
                        if e.event == MinerEvent.claimError { claimResubmits[Key(supplier: supplier, sessionID: s), default: []].append(b) }
                        else { proofResubmits[Key(supplier: supplier, sessionID: s), default: []].append(b) }
                    }
                }
            case MinerEvent.reconcileResubmit:
                let b = broadcast(resubmit: true)
                for s in (e.field("session") ?? "").split(separator: ",").map(String.init) {
                    let key = Key(supplier: supplier, sessionID: s)
                    if e.field("kind") == "proof" { proofResubmits[key, default: []].append(b) } else { claimResubmits[key, default: []].append(b) }
                }
            case MinerEvent.sessionFailed:
                if let s = e.field("session") {
                    let key = Key(supplier: supplier, sessionID: s)
                    keys.insert(key)
                    failures[key] = e.field("reason") ?? ""
                }
            case MinerEvent.claimSkipped:
                if let s = e.field("session") { skips[Key(supplier: supplier, sessionID: s)] = e.field("reason") ?? "" }
            case MinerEvent.proofNotRequired:
                if let s = e.field("session") { notRequired.insert(Key(supplier: supplier, sessionID: s)) }
            case MinerEvent.sessionSealed, MinerEvent.claimConfirmed:
                if let s = e.field("session") { keys.insert(Key(supplier: supplier, sessionID: s)) }
            default:
                break
            }
        }

        // Application and service of every session: recompute the ids the chain hydrates.
        var starts: Set<Int64> = []
        for end in ends.values { starts.insert(grid.sessionStart(end)) }
        for start in starts {
            guard let hex = blockHashes[start], let hash = try? Hex.decode(hex) else { continue }
            for app in world.spec.applications {
                let address = ids.address(ofApplication: app.name)
                let id = SessionID.compute(startBlockHash: hash, serviceID: app.service, applicationAddress: address, sessionStartHeight: start)
                if headers[id] == nil { headers[id] = (address, app.service) }
            }
        }

        // Which sessions a transaction carried, where the chain saw it; a
        // broadcast of an unknown transaction is attributed to every session of
        // its (supplier, session end), except sessions that needed no proof.
        var txSessions: [String: Set<String>] = [:]
        for c in ledger.claimsAccepted { txSessions[c.txHash, default: []].insert(c.sessionID) }
        for p in ledger.proofsAccepted { txSessions[p.txHash, default: []].insert(p.sessionID) }
        for r in ledger.claimsRejected + ledger.proofsRejected { txSessions[r.txHash, default: []].insert(r.sessionID) }
        func carried(_ b: RunTimeline.Broadcast, _ key: Key, proof: Bool) -> Bool {
            if let sessions = txSessions[b.tx] { return sessions.contains(key.sessionID) }
            return !(proof && notRequired.contains(key))
        }

        var out: [RunTimeline.SessionClaim] = []
        for key in keys {
            guard let end = ends[key.sessionID] else { continue }
            let endKey = EndKey(supplier: key.supplier, end: end)
            let claimSent = ((claimBroadcasts[endKey] ?? []) + (claimResubmits[key] ?? [])).filter { carried($0, key, proof: false) }
            let proofSent = ((proofBroadcasts[endKey] ?? []) + (proofResubmits[key] ?? [])).filter { carried($0, key, proof: true) }
            let claim = self.claim(key, end: end, broadcasts: claimSent, failure: failures[key] ?? skips[key], timeline: timeline)
            let proof = self.proof(key, end: end, claim: claim, broadcasts: proofSent, notRequired: notRequired.contains(key),
                                   failure: failures[key], timeline: timeline)
            let header = headers[key.sessionID]
            out.append(.init(
                supplier: ids.name(of: key.supplier), application: header.map { ids.name(of: $0.application) }, service: header?.service,
                sessionID: key.sessionID, sessionStart: grid.sessionStart(end), sessionEnd: end, relaysAcknowledged: relays[key] ?? 0,
                claim: claim, proof: proof, settlement: settlement(key)
            ))
        }
        out.sort {
            ($0.sessionEnd, supplierOrder[$0.supplier] ?? .max, $0.application.flatMap { applicationOrder[$0] } ?? .max, $0.sessionID)
                < ($1.sessionEnd, supplierOrder[$1.supplier] ?? .max, $1.application.flatMap { applicationOrder[$0] } ?? .max, $1.sessionID)
        }
        return out
    }

    private func claim(_ key: Key, end: Int64, broadcasts: [RunTimeline.Broadcast], failure: String?, timeline: RunTimeline) -> RunTimeline.Claim {
        let broadcasts = broadcasts.sorted { $0.nanoseconds < $1.nanoseconds }
        let accepted = ledger.claimsAccepted.filter { $0.supplier == key.supplier && $0.sessionID == key.sessionID }
        if let last = accepted.last {
            return .init(broadcasts: broadcasts, includedHeight: last.height, outcome: .accepted, relays: last.relayCount,
                         computeUnits: last.computeUnits, replaced: accepted.count > 1 || last.replacedEarlierClaim)
        }
        if let rejected = ledger.claimsRejected.last(where: { $0.supplier == key.supplier && $0.sessionID == key.sessionID }) {
            return .init(broadcasts: broadcasts, includedHeight: rejected.atBroadcast ? nil : rejected.height, outcome: .rejected(rejected.reason.description))
        }
        if !broadcasts.isEmpty {
            let (outcome, height) = fate(of: broadcasts)
            return .init(broadcasts: broadcasts, includedHeight: height, outcome: outcome.map(RunTimeline.ClaimOutcome.rejected) ?? .notIncluded(notIncludedReason(broadcasts)))
        }
        if let failure { return .init(outcome: .notSubmitted(failure)) }
        if grid.claimWindowClose(end) >= timeline.finalHeight { return .init(outcome: .open) }
        return .init(outcome: .notSubmitted(""))
    }

    private func proof(_ key: Key, end: Int64, claim: RunTimeline.Claim, broadcasts: [RunTimeline.Broadcast], notRequired: Bool, failure: String?,
                       timeline: RunTimeline) -> RunTimeline.Proof {
        let broadcasts = broadcasts.sorted { $0.nanoseconds < $1.nanoseconds }
        let match: (String, String) -> Bool = { $0 == key.supplier && $1 == key.sessionID }
        let validation = ledger.proofValidations.last { match($0.supplier, $0.sessionID) }
        let accepted = ledger.proofsAccepted.last { match($0.supplier, $0.sessionID) }
        let rejected = ledger.proofsRejected.last { match($0.supplier, $0.sessionID) }
        let settlement = ledger.settlement(supplier: key.supplier, sessionID: key.sessionID)
        var requirement = accepted?.requirement.description
        if requirement == nil, let settlement {
            switch settlement.outcome {
            case .settled(let r), .expired(_, let r): requirement = r.description
            }
        }
        if requirement == nil, notRequired { requirement = ProofRequirement.notRequired.description }
        var proof = RunTimeline.Proof(requirement: requirement, broadcasts: broadcasts, includedHeight: accepted?.height, validationHeight: validation?.height,
                                      outcome: .none)
        if let validation {
            proof.outcome = validation.status == .validated ? .validated : .invalid(validation.failure?.description ?? "\(validation.status)")
        } else if accepted != nil {
            proof.outcome = .accepted
        } else if let rejected {
            proof.includedHeight = rejected.atBroadcast ? nil : rejected.height
            proof.outcome = .rejected(rejected.reason.description)
        } else if !broadcasts.isEmpty {
            let (outcome, height) = fate(of: broadcasts)
            proof.includedHeight = height
            proof.outcome = outcome.map(RunTimeline.ProofOutcome.rejected) ?? .notIncluded(notIncludedReason(broadcasts))
        } else if requirement == ProofRequirement.notRequired.description {
            proof.outcome = .notRequired
        } else if claim.outcome != .accepted {
            proof.outcome = .none
        } else if settlement == nil, grid.proofWindowClose(end) >= timeline.finalHeight {
            proof.outcome = .open
        } else {
            proof.outcome = .notSubmitted(failure ?? settlement.map { s -> String in
                if case .expired(let reason, _) = s.outcome { return reason.rawValue }
                return ""
            } ?? "")
        }
        return proof
    }

    /// A failure reason and height when one of the broadcast transactions was
    /// included but failed, or every broadcast was refused by CheckTx.
    private func fate(of broadcasts: [RunTimeline.Broadcast]) -> (String?, Int64?) {
        for b in broadcasts.reversed() where b.admitted {
            if case .failed(let h, let reason) = ledger.transaction(b.tx)?.status { return ("tx failed: \(reason)", h) }
        }
        if broadcasts.allSatisfy({ !$0.admitted }), let last = broadcasts.last {
            return (last.log.isEmpty ? "refused at broadcast" : last.log, nil)
        }
        return (nil, nil)
    }

    private func notIncludedReason(_ broadcasts: [RunTimeline.Broadcast]) -> String {
        let statuses = broadcasts.filter(\.admitted).compactMap { ledger.transaction($0.tx)?.status.description }
        var seen: Set<String> = []
        return statuses.filter { seen.insert($0).inserted }.joined(separator: ", ")
    }

    private func settlement(_ key: Key) -> RunTimeline.Settlement? {
        guard let s = ledger.settlement(supplier: key.supplier, sessionID: key.sessionID) else { return nil }
        let outcome: RunTimeline.SettlementOutcome
        switch s.outcome {
        case .settled: outcome = .settled
        case .expired(let reason, _): outcome = .expired(reason.rawValue)
        }
        return .init(height: s.height, outcome: outcome, claimedUPOKT: s.claimedUPOKT, slashedUPOKT: s.slashedUPOKT)
    }

    // MARK: Sessions

    private func sessions(_ claims: [RunTimeline.SessionClaim]) -> [RunTimeline.Session] {
        var relays: [Int64: Int] = [:]
        for c in claims { relays[c.sessionEnd, default: 0] += c.relaysAcknowledged }
        return relays.keys.sorted().map { end in
            RunTimeline.Session(
                number: grid.sessionNumber(end), start: grid.sessionStart(end), end: end, graceEnd: grid.gracePeriodEnd(end),
                claimOpen: grid.claimWindowOpen(end), claimClose: grid.claimWindowClose(end),
                proofOpen: grid.proofWindowOpen(end), proofClose: grid.proofWindowClose(end), relays: relays[end] ?? 0
            )
        }
    }
}
