import Foundation
import PocketProtocol
import SimKernel

/// Knows when a protocol moment of a session happens: block-defined moments
/// (window openings) by arithmetic on the session grid, event-defined ones
/// (a seal, a claim broadcast, a claim included) by watching the trace.
final class MomentWatcher: @unchecked Sendable {
    private struct Key: Hashable {
        let moment: FaultMoment
        let session: Int64
    }

    private let grid: SessionGrid
    private let lock = NSLock()
    private var fired: Set<Key> = []
    private var waiters: [Key: [CheckedContinuation<Void, Never>]] = [:]

    init(world: SimWorld) {
        grid = SessionGrid(world.spec.sharedParams)
        let outcomes = world.outcomes
        let grid = self.grid
        world.kernel.trace.observe { [weak self] event in
            guard let self else { return }
            let moment: FaultMoment?
            var end = event.field("session_end").flatMap { Int64($0) }
            switch event.event {
            case "session.sealed": moment = .afterSeal
            case "claim.broadcast": moment = .afterClaimBroadcast
            case "proof.broadcast": moment = .afterProofBroadcast
            case "claim.accepted" where event.component == "chain":
                moment = .afterClaim
                end = event.field("session").flatMap { outcomes.sessionEnd($0) }
            default: moment = nil
            }
            guard let moment, let end else { return }
            self.fire(Key(moment: moment, session: grid.sessionNumber(end)))
        }
    }

    /// The block at which a block-defined moment happens (nil for event-defined ones).
    func height(of moment: FaultMoment, session: Int64) -> Int64? {
        let n = Int64(grid.params.numBlocksPerSession)
        let start = (session - 1) * n + 1
        let end = start + n - 1
        switch moment {
        case .sessionStart: return start
        case .midSession: return start + n / 2
        case .sessionEnd: return end
        case .claimWindowOpen: return grid.claimWindowOpen(end)
        case .claimWindowClose: return grid.claimWindowClose(end)
        case .proofWindowOpen: return grid.proofWindowOpen(end)
        case .proofWindowClose: return grid.proofWindowClose(end)
        case .afterSeal, .afterClaimBroadcast, .afterClaim, .afterProofBroadcast: return nil
        }
    }

    /// Returns once the moment has happened (at once if it already has).
    func wait(for moment: FaultMoment, session: Int64) async {
        let key = Key(moment: moment, session: session)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if fired.contains(key) {
                lock.unlock()
                c.resume()
                return
            }
            waiters[key, default: []].append(c)
            lock.unlock()
        }
    }

    private func fire(_ key: Key) {
        lock.lock()
        guard fired.insert(key).inserted else { lock.unlock(); return }
        let ready = waiters.removeValue(forKey: key) ?? []
        lock.unlock()
        for c in ready { c.resume() }
    }
}
