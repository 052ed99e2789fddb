import PocketProtocol

/// App-stake metering on `RedisKeys.meter(session, supplier)` (docs/protocol.md#app-stake-metering):
/// `INCRBY` of the relay cost; over the budget the cost is given back and the
/// relay refused. Callers charge only after the ring signature and the
/// session were verified, so unauthenticated requests cannot spend a
/// supplier's budget (the Go relayer charges first and never refunds).
struct RelayMeter: Sendable {
    /// A charge taken from a (session, supplier) budget, to refund if the relay is not served.
    struct Charge: Sendable, Equatable {
        let key: String
        let amount: UInt64
    }

    enum Outcome: Sendable {
        case charged(RelayMeter.Charge)
        /// Metering is off, or the relay costs nothing.
        case free
        /// Redis failed and the policy is fail-open: served unmetered.
        case bypassed(RedisError)
    }

    let config: RelayerConfig.Meter
    let keys: RedisKeys
    let redis: any RedisClient
    let recorder: RelayTelemetry
    var telemetry: any TelemetryPort { recorder.telemetry }
    var component: String { recorder.component }

    func charge(sessionID: String, supplier: String, costUPOKT: UInt64, limitUPOKT: UInt64, service: String) async throws(RelayRejection) -> Outcome {
        guard config.enabled, costUPOKT > 0 else { return .free }
        let key = keys.meter(sessionID: sessionID, supplier: supplier)
        let amount = Int64(clamping: costUPOKT)
        let total: Int64
        do {
            total = try await incrBy(key, amount)
        } catch {
            switch config.onRedisFailure {
            case .failClosed:
                throw RelayRejection(.meterUnavailable(error))
            case .failOpen:
                telemetry.count(RelayerMetrics.meterBypassed, [("service", recorder.serviceLabel(service))])
                telemetry.event(component, "meter.bypassed", level: .warning, [("service", service), ("supplier", supplier), ("session", sessionID), ("error", error.description)])
                return .bypassed(error)
            }
        }
        if total > Int64(clamping: limitUPOKT) {
            let charge = RelayMeter.Charge(key: key, amount: costUPOKT)
            await refund(charge, reason: "over_budget", service: service)
            throw RelayRejection(.overBudget(consumedUPOKT: total - amount, costUPOKT: costUPOKT, limitUPOKT: limitUPOKT))
        }
        return .charged(RelayMeter.Charge(key: key, amount: costUPOKT))
    }

    /// INCRBY, with the key's TTL refreshed in the same round trip.
    private func incrBy(_ key: String, _ amount: Int64) async throws(RedisError) -> Int64 {
        guard let ttl = config.keyTTL else { return try await redis.incrBy(key, amount) }
        let replies = try await redis.pipeline([.incrBy(key: key, amount: amount), .pexpire(key: key, milliseconds: max(ttl.milliseconds, 1))])
        guard let first = replies.first else { throw .unexpectedReply(command: "INCRBY", reply: "no reply") }
        switch first {
        case .integer(let n): return n
        case .error(let message): throw RedisError.fromErrorReply(message)
        default: throw .unexpectedReply(command: "INCRBY", reply: first.description)
        }
    }

    /// Gives a charge back (DECRBY). A failed refund over-counts the budget
    /// (safe for the supplier) and is reported.
    func refund(_ charge: RelayMeter.Charge, reason: String, service: String) async {
        do {
            _ = try await redis.incrBy(charge.key, -Int64(clamping: charge.amount))
            telemetry.count(RelayerMetrics.meterRefunds, [("service", recorder.serviceLabel(service)), ("reason", reason)])
        } catch {
            telemetry.count(RelayerMetrics.meterRefundFailed, [("service", recorder.serviceLabel(service))])
            telemetry.event(component, "meter.refund_failed", level: .warning, [("key", charge.key), ("amount", String(charge.amount)), ("reason", reason), ("error", error.description)])
        }
    }

    func refund(_ outcome: Outcome, reason: String, service: String) async {
        if case .charged(let charge) = outcome { await refund(charge, reason: reason, service: service) }
    }
}
