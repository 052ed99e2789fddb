import PocketProtocol
import RelayRuntime
import SimKernel

/// A Pocket chain stand-in for the simulator: blocks on the virtual clock,
/// sessions hydrated as the chain does, real signed transactions checked like
/// CheckTx, and claims and proofs accepted, validated and settled by the real
/// rules, all through the Protocol module's code. Every decision lands in
/// `ledger` and in the trace (component "chain").
///
/// Nodes reach it through `link(for:)`, which can be partitioned or slowed;
/// the fault-injection layer drives the mempool and block production through
/// the fault API (`FakeChain+Faults.swift`).
public actor FakeChain: ChainPort {
    public nonisolated let genesis: ChainGenesis
    public nonisolated let clock: any ClockPort
    let telemetry: any TelemetryPort
    /// Mempool reordering and probabilistic drops.
    let mempoolEntropy: EntropyStream

    let services: [String: ServiceState]
    /// Ascending effective heights, the genesis params first (effective at 1).
    let sharedParamsHistory: [SharedParamsUpdate]

    var blocks: [ChainBlock] = []
    var state = ChainState()
    var proofParamsLive: ProofParams
    public internal(set) var ledger = ChainLedger()

    var mempool: [MempoolEntry] = []
    var faults = MempoolFaults()
    /// Included unordered transactions, remembered until their timeout (replay protection).
    var unorderedSeen: [String: RuntimeInstant] = [:]
    /// Unordered nonces (signer + timeout timestamp) used by executed
    /// transactions, until that timeout: the SDK (v0.53) executes at most one
    /// unordered tx per nonce, so a re-signed copy of a tx can never run twice.
    var unorderedNonces: [String: RuntimeInstant] = [:]
    /// Block slots still to skip (chain stall).
    var stalledSlots = 0

    var subscribers: [Int: BlockSubscriber] = [:]
    var nextSubscriberID = 0
    var links: [String: LinkCondition] = [:]

    /// Component of the chain's trace events (`block`, `claim.accepted`, `claim.rejected`, …).
    public static let component = "chain"

    public init(genesis: ChainGenesis, clock: any ClockPort, entropy: any EntropyPort, telemetry: any TelemetryPort) {
        self.genesis = genesis
        self.clock = clock
        self.telemetry = telemetry
        mempoolEntropy = entropy.stream(for: "chain.mempool")
        proofParamsLive = genesis.proofParams
        var services: [String: ServiceState] = [:]
        for service in genesis.services { services[service.id] = ServiceState(service) }
        self.services = services
        sharedParamsHistory = Self.deriveHistory(genesis.sharedParams, genesis.sharedParamsUpdates)
        state = Self.genesisState(genesis)
    }

    /// A chain inside a simulation: the kernel's clock, entropy, and trace.
    public init(genesis: ChainGenesis, kernel: SimKernel) {
        self.init(genesis: genesis, clock: kernel.clock, entropy: kernel.entropy,
                  telemetry: TraceTelemetry(trace: kernel.trace, clock: kernel.clock, node: ""))
    }

    // MARK: Genesis

    /// Orders the updates and derives the session-grid anchor whenever the
    /// session length changes (docs/protocol.md#sessions-and-windows).
    static func deriveHistory(_ initial: SharedParams, _ updates: [SharedParamsUpdate]) -> [SharedParamsUpdate] {
        var history = [SharedParamsUpdate(effectiveHeight: 1, params: initial)]
        for update in updates.sorted(by: { $0.effectiveHeight < $1.effectiveHeight }) {
            let previous = history[history.count - 1].params
            var params = update.params
            if params.numBlocksPerSession != previous.numBlocksPerSession {
                let grid = SessionGrid(previous)
                params.sessionGridAnchorHeight = UInt64(update.effectiveHeight)
                params.sessionNumberAtAnchor = UInt64(grid.sessionNumber(update.effectiveHeight - 1) + 1)
            } else {
                params.sessionGridAnchorHeight = previous.sessionGridAnchorHeight
                params.sessionNumberAtAnchor = previous.sessionNumberAtAnchor
            }
            history.append(SharedParamsUpdate(effectiveHeight: update.effectiveHeight, params: params))
        }
        return history
    }

    static func genesisState(_ genesis: ChainGenesis) -> ChainState {
        var state = ChainState()
        var nextAccount: UInt64 = 1
        func open(_ key: PrivateKey, balance: UInt64) -> String {
            let address = key.publicKey.address()
            if state.accounts[address] == nil {
                state.accounts[address] = AccountState(number: nextAccount, publicKey: key.publicKey, sequence: 0)
                nextAccount += 1
            }
            state.balances[address, default: 0] += balance
            return address
        }
        for gateway in genesis.gateways { _ = open(gateway.privateKey, balance: gateway.balanceUPOKT) }
        for app in genesis.applications {
            let address = open(app.privateKey, balance: app.balanceUPOKT)
            var application = Pocket_Application_Application()
            application.address = address
            application.stake = .upokt(app.stakeUPOKT)
            var config = Pocket_Shared_ApplicationServiceConfig()
            config.serviceID = app.serviceID
            application.serviceConfigs = [config]
            application.delegateeGatewayAddresses = app.delegatedGateways
            for (end, gateways) in app.pendingUndelegations {
                var list = Pocket_Application_UndelegatingGatewayList()
                list.gatewayAddresses = gateways
                application.pendingUndelegations[end] = list
            }
            state.applications[address] = application
        }
        for supplier in genesis.suppliers {
            let address = open(supplier.privateKey, balance: supplier.balanceUPOKT)
            var staked = Pocket_Shared_Supplier()
            staked.ownerAddress = address
            staked.operatorAddress = address
            for serviceID in supplier.services {
                var endpoint = Pocket_Shared_SupplierEndpoint()
                endpoint.url = supplier.endpointURL.isEmpty ? "sim://\(address)" : supplier.endpointURL
                endpoint.rpcType = .jsonRpc
                var config = Pocket_Shared_SupplierServiceConfig()
                config.serviceID = serviceID
                config.endpoints = [endpoint]
                staked.services.append(config)
                var history = Pocket_Shared_ServiceConfigUpdate()
                history.operatorAddress = address
                history.service = config
                history.activationHeight = 1
                staked.serviceConfigHistory.append(history)
            }
            state.suppliers[address] = staked
            state.supplierStakes[address] = supplier.stakeUPOKT
        }
        return state
    }

    // MARK: Heights, params, history

    var latestHeight: Int64 { blocks.last?.height ?? 0 }

    func blockAt(_ height: Int64) -> ChainBlock? {
        guard height >= 1, height <= Int64(blocks.count) else { return nil }
        return blocks[Int(height - 1)]
    }

    func sharedParamsAt(_ height: Int64) -> SharedParams {
        (sharedParamsHistory.last { $0.effectiveHeight <= height } ?? sharedParamsHistory[0]).params
    }

    func grid(at height: Int64) -> SessionGrid { SessionGrid(sharedParamsAt(height)) }

    /// "Live" shared params: those in force at the latest block.
    var liveSharedParams: SharedParams { sharedParamsAt(max(latestHeight, 1)) }

    /// Time CheckTx compares timeouts with: the latest block's (genesis time before block 1).
    var checkTime: RuntimeInstant { blocks.last?.time ?? genesis.genesisTime }

    func record(_ event: String, _ fields: TelemetryLabels) {
        telemetry.event(Self.component, event, fields)
    }

    // MARK: Sessions (docs/protocol.md#sessions-and-windows, #session-ids-and-proof-paths)

    /// The session for (application, service) containing `height`, exactly as
    /// the chain hydrates it; `notFound` until the session's start block exists.
    func hydrateSession(application address: String, serviceID: String, height: Int64) throws(ChainError) -> Pocket_Session_Session {
        guard height >= 1 else { throw .notFound("no session at height \(height)") }
        guard let application = state.applications[address] else { throw .notFound("application \(address)") }
        guard application.serviceConfigs.contains(where: { $0.serviceID == serviceID }) else {
            throw .notFound("application \(address) is not staked for service \(serviceID)")
        }
        guard services[serviceID] != nil else { throw .notFound("service \(serviceID)") }
        let params = sharedParamsAt(height)
        let grid = SessionGrid(params)
        let start = grid.sessionStart(height)
        guard let startBlock = blockAt(start) else {
            throw .notFound("session start block \(start) for height \(height) is not produced yet")
        }
        let preimage = SessionID.preimage(startBlockHash: startBlock.hash, serviceID: serviceID,
                                          applicationAddress: address, sessionStartHeight: start)
        let sessionID = SessionID.compute(startBlockHash: startBlock.hash, serviceID: serviceID,
                                          applicationAddress: address, sessionStartHeight: start)
        let candidates = state.suppliers.keys.sorted(by: byteOrder).filter { operatorAddress in
            state.suppliers[operatorAddress]!.services.contains { $0.serviceID == serviceID }
        }
        let selected = SessionID.selectSuppliers(candidates, preimage: preimage, limit: Int(clamping: genesis.numSuppliersPerSession))

        var header = Pocket_Session_SessionHeader()
        header.applicationAddress = address
        header.serviceID = serviceID
        header.sessionID = sessionID
        header.sessionStartBlockHeight = start
        header.sessionEndBlockHeight = grid.sessionEnd(height)
        var session = Pocket_Session_Session()
        session.header = header
        session.sessionID = sessionID
        session.sessionNumber = grid.sessionNumber(height)
        session.numBlocksPerSession = Int64(bitPattern: params.numBlocksPerSession)
        session.application = application
        session.suppliers = selected.map { dehydratedSupplier($0, serviceID: serviceID) }
        return session
    }

    /// A supplier as sessions carry it: only the session's service, no history.
    func dehydratedSupplier(_ operatorAddress: String, serviceID: String) -> Pocket_Shared_Supplier {
        var supplier = fullSupplier(operatorAddress)!
        supplier.services = supplier.services.filter { $0.serviceID == serviceID }
        supplier.serviceConfigHistory = []
        return supplier
    }

    func fullSupplier(_ operatorAddress: String) -> Pocket_Shared_Supplier? {
        guard var supplier = state.suppliers[operatorAddress] else { return nil }
        supplier.stake = .upokt(state.supplierStakes[operatorAddress] ?? 0)
        return supplier
    }

    // MARK: Block production

    /// Produces a block every `blockTime` on the clock (block 1 at the genesis
    /// time), skipping slots while stalled, until `lastHeight` is produced or
    /// the task is cancelled, or until `stop()` holds. `stop` is asked before
    /// every block slot and right after each block, so a run that must end
    /// (the simulator's first invariant violation) ends at the block that
    /// caused it or at the next slot, without a task of its own.
    public func run(untilHeight lastHeight: Int64? = nil, stopWhen stop: @Sendable () -> Bool = { false }) async {
        var due = blocks.last.map { $0.time.advanced(by: genesis.blockTime) } ?? genesis.genesisTime
        while !Task.isCancelled, !stop() {
            if let lastHeight, latestHeight >= lastHeight { return }
            do { try await clock.sleep(untilWallTime: due) } catch { return }
            if stop() { return }
            if stalledSlots > 0 {
                stalledSlots -= 1
                record("block.skipped", [("reason", "stall"), ("slots_left", String(stalledSlots))])
            } else {
                produceBlock()
            }
            due = due.advanced(by: genesis.blockTime)
        }
    }

    /// Commits the next block now: includes the due mempool transactions,
    /// delivers them, runs the EndBlockers (proof validation, settlement) and
    /// notifies subscribers.
    @discardableResult
    public func produceBlock() -> ChainBlock {
        let height = latestHeight + 1
        let time = clock.now
        var included: [MempoolEntry] = []
        var waiting: [MempoolEntry] = []
        for entry in mempool {
            if entry.tx.hasExpired(height: height, time: time) {
                ledger.setStatus(entry.tx.hash, .expired(height: height))
                record("tx.expired", [("tx", entry.tx.hash), ("height", String(height))])
            } else if !entry.neverInclude && entry.includeAt <= height {
                included.append(entry)
            } else {
                waiting.append(entry)
            }
        }
        mempool = waiting
        unorderedSeen = unorderedSeen.filter { $0.value >= time }
        unorderedNonces = unorderedNonces.filter { $0.value >= time }
        if faults.reorderWithinBlock && included.count > 1 {
            var rng = mempoolEntropy
            included.shuffle(using: &rng)
        }
        let previous = blocks.last?.hash ?? Bytes(repeating: 0, count: 32)
        let hash = Self.blockHash(chainID: genesis.chainID, height: height, previousHash: previous, time: time,
                                  txHashes: included.map(\.tx.rawHash))
        let block = ChainBlock(height: height, hash: hash, time: time)
        blocks.append(block)
        record("block", [("height", String(height)), ("hash", hash.hex), ("txs", String(included.count))])
        for entry in included { deliver(entry.tx, height: height) }
        validateSubmittedProofs(height: height)
        settleClaims(height: height)
        publish(block)
        return block
    }

    /// sha256(BE32(len chain id) ‖ chain id ‖ BE64(height) ‖ previous hash ‖
    /// BE64(unix ns) ‖ BE32(tx count) ‖ tx hashes): unpredictable before the
    /// block exists, identical for identical content whatever the seed.
    public static func blockHash(chainID: String, height: Int64, previousHash: Bytes, time: RuntimeInstant, txHashes: [Bytes]) -> Bytes {
        var hasher = SHA256Hasher()
        let id = Array(chainID.utf8)
        hasher.update(ByteOrder.bigEndian32(UInt32(id.count)))
        hasher.update(id)
        hasher.update(ByteOrder.bigEndian64(UInt64(bitPattern: height)))
        hasher.update(previousHash)
        hasher.update(ByteOrder.bigEndian64(UInt64(bitPattern: time.unixNanoseconds)))
        hasher.update(ByteOrder.bigEndian32(UInt32(txHashes.count)))
        for tx in txHashes { hasher.update(tx) }
        return hasher.finalize()
    }

    // MARK: Subscriptions

    func subscribe(node: String?) -> AsyncStream<ChainBlock> {
        let (stream, continuation) = AsyncStream<ChainBlock>.makeStream(bufferingPolicy: .bufferingNewest(16))
        subscribers[nextSubscriberID] = BlockSubscriber(node: node, continuation: continuation)
        nextSubscriberID += 1
        return stream
    }

    /// At-most-once fan-out; subscribers whose stream was dropped are forgotten.
    func publish(_ block: ChainBlock) {
        for id in subscribers.keys.sorted() {
            if case .terminated = subscribers[id]!.continuation.yield(block) { subscribers[id] = nil }
        }
    }
}

struct BlockSubscriber: Sendable {
    /// The link it came through; nil for direct subscribers (never partitioned).
    let node: String?
    let continuation: AsyncStream<ChainBlock>.Continuation
}

struct MempoolEntry: Sendable {
    let tx: CheckedTx
    let includeAt: Int64
    let neverInclude: Bool
}
