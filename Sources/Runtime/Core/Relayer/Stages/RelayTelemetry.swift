import PocketProtocol

/// What the relayer reports per relay: counters by service and outcome, and
/// one event per relay at debug level (a production log does not get a line
/// per relay; the simulator's trace keeps them all).
struct RelayTelemetry: Sendable {
    let telemetry: any TelemetryPort
    let services: Set<String>
    let component: String

    /// Metric label for a service: configured ids as they are, anything else
    /// as `unknown`, so a client cannot create label values at will.
    func serviceLabel(_ id: String?) -> String {
        guard let id, services.contains(id) else { return "unknown" }
        return id
    }

    func received() { telemetry.count(RelayerMetrics.relaysReceived) }

    func duration(seconds: Double) { telemetry.observe(RelayerMetrics.relayDuration, [], value: seconds) }

    func streamStarted() { telemetry.count(RelayerMetrics.streamsStarted) }

    func count(_ metric: MetricDescriptor, service: String?, by amount: Int64 = 1) {
        telemetry.count(metric, [("service", serviceLabel(service))], by: amount)
    }

    func record(_ rejection: RelayRejection) {
        let service = serviceLabel(rejection.sessionHeader?.serviceID)
        telemetry.count(RelayerMetrics.relaysRejected, [("service", service), ("reason", rejection.name)])
        guard telemetry.isEnabled(.debug) else { return }
        telemetry.event(component, "relay.rejected", level: .debug, [
            ("reason", rejection.name), ("status", String(rejection.httpStatus)), ("service", service),
            ("supplier", rejection.supplier ?? ""), ("session", rejection.sessionHeader?.sessionID ?? ""),
            ("message", rejection.message),
        ])
    }

    func record(_ served: ServedRelay) {
        recordServed(mining: served.mining, relayHash: served.relayHash, header: served.response.meta.sessionHeader, supplier: served.supplier)
    }

    func recordServed(mining: MiningOutcome, relayHash: [UInt8]?, header: Pocket_Session_SessionHeader, supplier: String, kind: String = "complete") {
        let service = serviceLabel(header.serviceID)
        telemetry.count(RelayerMetrics.relaysServed, [("service", service), ("mining", mining.label)])
        let level: EventLevel = mining.isUnpublished ? .warning : .debug
        guard telemetry.isEnabled(level) else { return }
        var fields: TelemetryLabels = [
            ("service", service), ("supplier", supplier), ("session", header.sessionID), ("kind", kind), ("mining", mining.label),
        ]
        if let relayHash { fields.append(("relay_hash", Hex.encode(relayHash))) }
        switch mining {
        case .published(let id): fields.append(("stream_id", id.description))
        case .unpublished(let error): fields.append(("error", error.description))
        case .backendError(let status): fields.append(("backend_status", String(status)))
        case .streamFailed(let detail): fields.append(("error", detail))
        case .late, .notApplicable: break
        }
        // An unpublished relay is revenue lost: an operator must see it at the default level.
        telemetry.event(component, "relay.served", level: level, fields)
    }
}
