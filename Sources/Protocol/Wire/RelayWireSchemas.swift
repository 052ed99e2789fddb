/// Wire shapes of the relay messages, taken from the field tables of
/// docs/protocol.md#wire-encoding. These are the messages a relay miner decodes from
/// untrusted peers and re-encodes for signatures, so they get Go's strictness.
public enum RelayWireSchemas {
    public static let sessionHeader = WireSchema(name: "pocket.session.SessionHeader", fields: [
        1: .lengthDelimited, 2: .lengthDelimited, 3: .lengthDelimited, 4: .varint, 5: .varint,
    ])

    public static let relayRequestMetadata = WireSchema(name: "pocket.service.RelayRequestMetadata", fields: [
        1: .message(sessionHeader), 2: .lengthDelimited, 3: .lengthDelimited,
    ])

    public static let relayRequest = WireSchema(name: "pocket.service.RelayRequest", fields: [
        1: .message(relayRequestMetadata), 2: .lengthDelimited,
    ])

    public static let relayResponseMetadata = WireSchema(name: "pocket.service.RelayResponseMetadata", fields: [
        1: .message(sessionHeader), 2: .lengthDelimited,
    ])

    public static let relayMinerError = WireSchema(name: "pocket.service.RelayMinerError", fields: [
        1: .lengthDelimited, 2: .varint, 3: .lengthDelimited, 4: .lengthDelimited,
    ])

    public static let relayResponse = WireSchema(name: "pocket.service.RelayResponse", fields: [
        1: .message(relayResponseMetadata), 2: .lengthDelimited, 3: .message(relayMinerError), 4: .lengthDelimited,
    ])

    public static let relay = WireSchema(name: "pocket.service.Relay", fields: [
        1: .message(relayRequest), 2: .message(relayResponse),
    ])
}
