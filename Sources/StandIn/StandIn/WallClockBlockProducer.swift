import RelayRuntime
import SimChain

/// Produces the fake chain's blocks on the wall clock, one every
/// `blockTime`, and lets the control endpoint stall and resume production.
///
/// This replaces `FakeChain.run` for the stand-in because a live chain needs
/// what a simulation does not: an indefinite stall that only an explicit
/// resume ends, and a start after a restart that continues from "now" instead
/// of catching up every slot missed while the process was down.
public actor WallClockBlockProducer {
    public let chain: FakeChain
    public let blockTime: Duration
    private let clock: any ClockPort
    /// nil: producing; .max: stalled until `resume()`; n: skip the next n slots.
    private var stalledSlots: Int?
    /// Called after every block (persistence, progress output), in height order.
    private let onBlock: @Sendable (ChainBlock) async -> Void

    public init(chain: FakeChain, blockTime: Duration, clock: any ClockPort, onBlock: @escaping @Sendable (ChainBlock) async -> Void = { _ in }) {
        self.chain = chain
        self.blockTime = blockTime
        self.clock = clock
        self.onBlock = onBlock
    }

    /// What the control endpoint reports.
    public struct Status: Sendable, Equatable {
        public let height: Int64
        /// Production is paused (indefinitely or for `slotsLeft` more slots).
        public let stalled: Bool
        /// Slots still to skip; nil when stalled until resumed (or not stalled).
        public let slotsLeft: Int?
    }

    public func status() async -> Status {
        Status(height: await chain.height, stalled: stalledSlots != nil,
               slotsLeft: stalledSlots.flatMap { $0 == .max ? nil : $0 })
    }

    /// No blocks until `resume()` (slots nil) or for the next `slots` slots.
    public func stall(slots: Int? = nil) async -> Status {
        stalledSlots = slots.map { max(0, $0) } ?? .max
        if stalledSlots == 0 { stalledSlots = nil }
        return await status()
    }

    /// Production resumes at the next slot.
    public func resume() async -> Status {
        stalledSlots = nil
        return await status()
    }

    /// Produces blocks until the task is cancelled. The first slot is
    /// `blockTime` after the latest block, or now if that is already past
    /// (a chain restarted from its journal does not replay the downtime).
    public func run() async {
        let last = try? await chain.latestBlock()
        var due = last.map { $0.time.advanced(by: blockTime) } ?? clock.now
        while !Task.isCancelled {
            let now = clock.now
            if due < now.advanced(by: .zero - blockTime) { due = now }
            do { try await clock.sleep(untilWallTime: due) } catch { return }
            if skipSlot() {
                due = due.advanced(by: blockTime)
                continue
            }
            let block = await chain.produceBlock()
            await onBlock(block)
            due = due.advanced(by: blockTime)
        }
    }

    /// Consumes one stalled slot; true if this slot makes no block.
    private func skipSlot() -> Bool {
        guard let slots = stalledSlots else { return false }
        if slots != .max {
            stalledSlots = slots > 1 ? slots - 1 : nil
        }
        return true
    }
}
