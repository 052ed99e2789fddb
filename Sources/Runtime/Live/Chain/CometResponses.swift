/// The parts of CometBFT's JSON-RPC answers the client reads, decoded with
/// Foundation's `JSONDecoder`. Field names are CometBFT 0.38's; everything
/// else in an answer is ignored, so a newer node that adds fields still decodes.

/// `{"jsonrpc":"2.0","id":…,"result":…}` or `{…,"error":{…}}`.
struct CometEnvelope<Result: Decodable>: Decodable {
    let result: Result?
    let error: CometRPCError?
}

/// A JSON-RPC error as CometBFT writes it (`data` carries the real reason,
/// e.g. "height 9 must be less than or equal to the current blockchain height 5").
struct CometRPCError: Decodable, Sendable, CustomStringConvertible {
    let code: Int
    let message: String
    let data: String?

    var description: String {
        if let data, !data.isEmpty { return "JSON-RPC error \(code) \(message): \(data)" }
        return "JSON-RPC error \(code) \(message)"
    }
}

/// An int64 as CometBFT prints it: a decimal string ("42"). A bare number is
/// accepted too, since some proxies and older nodes re-encode heights.
struct CometInt64: Decodable, Sendable {
    let value: Int64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = Int64(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a decimal int64: \"\(text)\"")
            }
            self.value = value
        } else {
            value = try container.decode(Int64.self)
        }
    }
}

/// `/status`: the chain id (`node_info.network`) and the latest block.
struct CometStatusResult: Decodable {
    struct NodeInfo: Decodable {
        let network: String
        let version: String?
    }
    struct SyncInfo: Decodable {
        let latest_block_hash: String
        let latest_block_height: CometInt64
        let latest_block_time: String
        let catching_up: Bool?
    }
    let node_info: NodeInfo
    let sync_info: SyncInfo
}

/// `/block`: the canonical hash (`block_id.hash`) and the header's height and
/// time. `block` is null when the node has no block at that height yet.
struct CometBlockResult: Decodable {
    struct BlockID: Decodable {
        let hash: String
    }
    struct Block: Decodable {
        let header: CometHeader
    }
    let block_id: BlockID
    let block: Block?
}

struct CometHeader: Decodable {
    let chain_id: String?
    let height: CometInt64
    let time: String
}

/// One WebSocket message: the `subscribe` acknowledgement (`result: {}`), an
/// event (`result.data`), or an error.
struct CometWebSocketMessage: Decodable {
    struct Result: Decodable {
        let query: String?
        let data: EventData?
    }
    struct EventData: Decodable {
        let type: String
        let value: EventValue?
    }
    struct EventValue: Decodable {
        let header: CometHeader?
    }
    let id: CometMessageID?
    let result: Result?
    let error: CometRPCError?
}

/// A JSON-RPC id, which CometBFT echoes as it was sent: a string or a number.
enum CometMessageID: Decodable, Equatable {
    case string(String)
    case number(Int64)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .string(text)
        } else {
            self = .number(try container.decode(Int64.self))
        }
    }
}
