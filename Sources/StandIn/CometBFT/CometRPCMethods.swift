import Foundation
import NIOConcurrencyHelpers
import PocketProtocol
import RelayRuntime
import SimChain

/// Who the stand-in says it is in `/status` (`node_info`, `validator_info`).
/// Ids and keys are derived from the chain id, so they are stable across restarts.
struct CometNodeIdentity: Sendable {
    let chainID: String
    /// CometBFT version the stand-in mimics (its JSON shapes are 0.38's).
    let version = "0.38.17"
    let moniker = "pocket-chain-stand-in"
    /// 20-byte node id, lowercase hex as CometBFT prints node ids.
    let nodeID: String
    /// The single validator's address (uppercase hex), also every block's proposer.
    let validatorAddress: String
    /// Base64 of the validator's (made-up) 32-byte ed25519 key.
    let validatorPubKey: String

    init(chainID: String) {
        self.chainID = chainID
        let seed = Hash.sha256(Array("pocket-chain-stand-in/\(chainID)".utf8))
        nodeID = Array(seed.prefix(20)).hex
        validatorAddress = Array(seed.suffix(20)).hex.uppercased()
        validatorPubKey = Data(Hash.sha256(seed)).base64EncodedString()
    }
}

/// Why a call has no result; each transport (URI, JSON POST, WebSocket)
/// turns it into the JSON-RPC error CometBFT sends over that transport.
enum CometCallFailure: Error, Equatable {
    case methodNotFound
    /// The arguments could not be converted (a height that is not an int64).
    case invalidParams(String)
    /// The method ran and failed (a height not produced yet); CometBFT's message.
    case failed(String)
}

/// The arguments of one call: a URI's query items or a JSON request's params.
enum CometParams: Sendable {
    case query([String: String])
    case json(JSONValue?)

    /// The named argument (or, for array params, the one at `position`); nil when absent or empty.
    func value(_ name: String, position: Int) -> JSONValue? {
        switch self {
        case .query(let items):
            guard let text = items[name], !text.isEmpty else { return nil }
            return .string(text)
        case .json(.object(let fields)?):
            return fields[name].flatMap { $0 == .null ? nil : $0 }
        case .json(.array(let items)?):
            return position < items.count && items[position] != .null ? items[position] : nil
        case .json:
            return nil
        }
    }

    /// An optional int64 argument as CometBFT converts it: a decimal (quoted or
    /// not); anything else is an invalid-params failure.
    func int64(_ name: String, position: Int) throws(CometCallFailure) -> Int64? {
        guard let value = value(name, position: position) else { return nil }
        switch value {
        case .integer(let number):
            return number
        case .string(var text):
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
            guard let number = Int64(text) else { throw .invalidParams("\(name) \"\(text)\" is not a decimal int64") }
            return number
        default:
            throw .invalidParams("\(name) must be a decimal int64 (a string like \"5\" or a number)")
        }
    }
}

/// The CometBFT RPC methods the stand-in serves over every transport,
/// answered from the fake chain: `status`, `block`, `health`. (The WebSocket
/// adds `subscribe`/`unsubscribe`, see `CometWebSocketSession`.)
struct CometRPCMethods: Sendable {
    let chain: FakeChain
    let node: CometNodeIdentity
    /// `tcp://host:port` of the RPC listener (CometBFT's `rpc.laddr`), known once it is bound.
    let listener: NIOLockedValueBox<String>

    static let httpMethods = ["status", "block", "health"]

    func call(_ method: String, _ params: CometParams) async throws(CometCallFailure) -> any Encodable & Sendable {
        switch method {
        case "status": return await status()
        case "block": return try await block(height: params.int64("height", position: 0))
        case "health": return CometEmptyResult()
        default: throw .methodNotFound
        }
    }

    /// `listen_addr` is CometBFT's p2p address; the stand-in has no p2p, so it names the default one.
    func status() async -> CometStatus {
        let latest = try? await chain.latestBlock()
        let earliest = try? await chain.block(at: 1)
        return CometStatus(
            node_info: .init(id: node.nodeID, listen_addr: "tcp://127.0.0.1:26656", network: node.chainID, version: node.version,
                             moniker: node.moniker, other: .init(rpc_address: listener.withLockedValue { $0 })),
            sync_info: .init(
                latest_block_hash: latest.map { CometFormat.hash($0.hash) } ?? "",
                latest_block_height: String(latest?.height ?? 0),
                latest_block_time: latest.map { RFC3339.formatNano($0.time) } ?? RFC3339.goZeroTime,
                earliest_block_hash: earliest.map { CometFormat.hash($0.hash) } ?? "",
                earliest_block_height: String(earliest?.height ?? 0),
                earliest_block_time: earliest.map { RFC3339.formatNano($0.time) } ?? RFC3339.goZeroTime
            ),
            validator_info: .init(address: node.validatorAddress, pub_key: .init(value: node.validatorPubKey))
        )
    }

    /// The block at `height` (nil: the latest), with CometBFT's height checks and messages.
    func block(height: Int64?) async throws(CometCallFailure) -> CometBlockResult {
        let latestHeight = await chain.height
        let target: Int64
        if let height {
            guard height > 0 else { throw .failed("height must be greater than 0, but got \(height)") }
            guard height <= latestHeight else {
                throw .failed("height \(height) must be less than or equal to the current blockchain height \(latestHeight)")
            }
            target = height
        } else {
            target = latestHeight
        }
        guard target > 0, let block = try? await chain.block(at: target) else {
            return CometBlockResult(chainID: node.chainID, block: nil, previous: nil, proposer: node.validatorAddress)
        }
        let previous = target > 1 ? try? await chain.block(at: target - 1) : nil
        return CometBlockResult(chainID: node.chainID, block: block, previous: previous, proposer: node.validatorAddress)
    }

    /// The header of a block as events carry it.
    func header(of block: ChainBlock) async -> CometHeader {
        let previous = block.height > 1 ? try? await chain.block(at: block.height - 1) : nil
        return CometHeader(chainID: node.chainID, block: block, previous: previous, proposer: node.validatorAddress)
    }
}
