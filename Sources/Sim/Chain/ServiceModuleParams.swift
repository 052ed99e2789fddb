import PocketProtocol

/// The service module's params (docs/protocol.md#relay-mining-difficulty). The fake chain keeps difficulty
/// as a genesis-given history and never retargets, so these are only
/// reported (the chain stand-in's `pocket.service.Query/Params`), and
/// `targetNumRelays` fills `num_relays_ema` where no difficulty update exists,
/// as the chain does.
public struct ServiceModuleParams: Sendable, Hashable {
    /// Fee to register a service, in uPOKT.
    public var addServiceFeeUPOKT: UInt64
    /// Relays per session the difficulty adjustment aims for.
    public var targetNumRelays: UInt64

    public init(addServiceFeeUPOKT: UInt64, targetNumRelays: UInt64) {
        self.addServiceFeeUPOKT = addServiceFeeUPOKT
        self.targetNumRelays = targetNumRelays
    }

    /// poktroll's defaults (docs/protocol.md#parameter-values: target 100 000 relays).
    public static let localnet = ServiceModuleParams(addServiceFeeUPOKT: 1, targetNumRelays: 100_000)
}
