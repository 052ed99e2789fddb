/// `zero_drift`: every relay acknowledged minable to a client is a leaf of
/// an accepted claim — the operator is paid for everything it served.
/// In a run where Redis lost its data (restart without persistence) it is
/// `losses_reported` instead: every unpaid relay must be one acknowledged
/// before the loss, so the loss explains it. Only the end of the run can
/// tell (claims land windows after the relays), so it is checked at the end
/// from the monitor's `DriftTally`.
struct ZeroDrift: InvariantCheck {
    private var dataLoss = false
    let checkedAtEnd = true

    var name: String { dataLoss ? "losses_reported" : "zero_drift" }

    mutating func observe(_ event: WorldEvent, at _: Int64) -> String? {
        if case .redisDataLost = event { dataLoss = true }
        return nil
    }

    func finish(_ end: EndOfRun) -> String? {
        let unpaid = end.drift.reduce(0) { $0 + $1.unpaid }
        if dataLoss {
            let silent = unpaid - end.drift.reduce(0) { $0 + $1.explainedByDataLoss }
            return silent == 0 ? nil : "\(silent) acknowledged minable relays are unpaid without a Redis data loss to explain them"
        }
        return unpaid == 0 ? nil : "\(unpaid) acknowledged minable relays are not in an accepted claim"
    }
}
