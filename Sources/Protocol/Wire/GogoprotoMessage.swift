import SwiftProtobuf

/// gogoproto behaviour a `.proto` file cannot tell protoc-gen-swift about.
/// `CanonicalCodec` applies it to conforming messages on every encode/decode.
public protocol GogoprotoMessage: SwiftProtobuf.Message {
    /// Wire shape used to reject what Go's generated `Unmarshal` rejects.
    static var wireSchema: WireSchema { get }
    /// Sets every `(gogoproto.nullable) = false` sub-message (recursively) so
    /// it is emitted even when empty, as Go always emits it (`0a 00`).
    mutating func materializeNonNullableFields()
}

extension Pocket_Service_RelayRequest: GogoprotoMessage {
    public static var wireSchema: WireSchema { RelayWireSchemas.relayRequest }
    public mutating func materializeNonNullableFields() {
        if !hasMeta { meta = Pocket_Service_RelayRequestMetadata() }
    }
}

extension Pocket_Service_RelayResponse: GogoprotoMessage {
    public static var wireSchema: WireSchema { RelayWireSchemas.relayResponse }
    public mutating func materializeNonNullableFields() {
        if !hasMeta { meta = Pocket_Service_RelayResponseMetadata() }
    }
}

extension Pocket_Service_Relay: GogoprotoMessage {
    public static var wireSchema: WireSchema { RelayWireSchemas.relay }
    /// `req`/`res` themselves are nullable: only fill what is present.
    public mutating func materializeNonNullableFields() {
        if hasReq { req.materializeNonNullableFields() }
        if hasRes { res.materializeNonNullableFields() }
    }
}

extension Pocket_Service_RelayRequestMetadata: GogoprotoMessage {
    public static var wireSchema: WireSchema { RelayWireSchemas.relayRequestMetadata }
    public mutating func materializeNonNullableFields() {}
}

extension Pocket_Service_RelayResponseMetadata: GogoprotoMessage {
    public static var wireSchema: WireSchema { RelayWireSchemas.relayResponseMetadata }
    public mutating func materializeNonNullableFields() {}
}

extension Pocket_Service_RelayMinerError: GogoprotoMessage {
    public static var wireSchema: WireSchema { RelayWireSchemas.relayMinerError }
    public mutating func materializeNonNullableFields() {}
}

extension Pocket_Session_SessionHeader: GogoprotoMessage {
    public static var wireSchema: WireSchema { RelayWireSchemas.sessionHeader }
    public mutating func materializeNonNullableFields() {}
}
