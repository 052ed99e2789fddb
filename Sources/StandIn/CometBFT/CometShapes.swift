import PocketProtocol
import RelayRuntime

// The JSON bodies the stand-in answers with, shaped like CometBFT 0.38's
// (rpc/core/types, types.Block, types.Header): the same field names and
// nesting, int64s as decimal strings, hashes as uppercase hex, times as
// RFC 3339 with nanoseconds. Property names are the JSON keys themselves
// (snake_case), so the encoder needs no key strategy that could also touch
// map keys such as "tm.event".
//
// What the fake chain does not model is present with neutral values: empty
// hashes (""), no transactions in `data.txs`, no commit signatures.

/// `/status`'s result.
struct CometStatus: Encodable, Sendable {
    struct ProtocolVersion: Encodable, Sendable {
        let p2p = "8"
        let block = "11"
        let app = "0"
    }
    struct Other: Encodable, Sendable {
        let tx_index = "off"
        let rpc_address: String
    }
    struct NodeInfo: Encodable, Sendable {
        let protocol_version = ProtocolVersion()
        let id: String
        let listen_addr: String
        let network: String
        let version: String
        let channels = "40202122233038606100"
        let moniker: String
        let other: Other
    }
    struct SyncInfo: Encodable, Sendable {
        let latest_block_hash: String
        let latest_app_hash = ""
        let latest_block_height: String
        let latest_block_time: String
        let earliest_block_hash: String
        let earliest_app_hash = ""
        let earliest_block_height: String
        let earliest_block_time: String
        let catching_up = false
    }
    struct PubKey: Encodable, Sendable {
        let type = "tendermint/PubKeyEd25519"
        let value: String
    }
    struct ValidatorInfo: Encodable, Sendable {
        let address: String
        let pub_key: PubKey
        let voting_power = "10"
    }
    let node_info: NodeInfo
    let sync_info: SyncInfo
    let validator_info: ValidatorInfo
}

/// `BlockID`: the canonical hash and its part-set header.
struct CometBlockID: Encodable, Sendable {
    struct Parts: Encodable, Sendable {
        let total: UInt32
        let hash: String
    }
    let hash: String
    let parts: Parts

    /// The id of `block` (one part, whose hash the stand-in takes from the block hash).
    init(_ block: ChainBlock?) {
        if let block {
            hash = CometFormat.hash(block.hash)
            parts = Parts(total: 1, hash: hash)
        } else {
            hash = ""
            parts = Parts(total: 0, hash: "")
        }
    }
}

/// `types.Header`.
struct CometHeader: Encodable, Sendable {
    struct Version: Encodable, Sendable {
        let block = "11"
        let app = "0"
    }
    let version = Version()
    let chain_id: String
    let height: String
    let time: String
    let last_block_id: CometBlockID
    let last_commit_hash = ""
    let data_hash = ""
    let validators_hash = ""
    let next_validators_hash = ""
    let consensus_hash = ""
    let app_hash = ""
    let last_results_hash = ""
    let evidence_hash = ""
    let proposer_address: String

    init(chainID: String, block: ChainBlock, previous: ChainBlock?, proposer: String) {
        chain_id = chainID
        height = String(block.height)
        time = RFC3339.formatNano(block.time)
        last_block_id = CometBlockID(previous)
        proposer_address = proposer
    }
}

/// `/block`'s result: `block_id` and the block (null when there is none).
struct CometBlockResult: Encodable, Sendable {
    struct Data: Encodable, Sendable {
        let txs: [String] = []
    }
    struct Evidence: Encodable, Sendable {
        let evidence: [String] = []
    }
    struct Commit: Encodable, Sendable {
        let height: String
        let round = 0
        let block_id: CometBlockID
        let signatures: [String] = []
    }
    struct Block: Encodable, Sendable {
        let header: CometHeader
        let data = Data()
        let evidence = Evidence()
        let last_commit: Commit
    }
    let block_id: CometBlockID
    let block: Block?

    init(chainID: String, block: ChainBlock?, previous: ChainBlock?, proposer: String) {
        block_id = CometBlockID(block)
        self.block = block.map { block in
            Block(header: CometHeader(chainID: chainID, block: block, previous: previous, proposer: proposer),
                  last_commit: Commit(height: String(block.height - 1), block_id: CometBlockID(previous)))
        }
    }

    /// Encodes `block: null` explicitly, as Go does for a nil pointer.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(block_id, forKey: .block_id)
        try container.encode(block, forKey: .block)
    }

    private enum Keys: String, CodingKey {
        case block_id, block
    }
}

/// A `NewBlockHeader` event as a subscription delivers it (`ResultEvent`).
struct CometNewBlockHeaderEvent: Encodable, Sendable {
    struct Value: Encodable, Sendable {
        let header: CometHeader
    }
    struct Data: Encodable, Sendable {
        let type = "tendermint/event/NewBlockHeader"
        let value: Value
    }
    let query: String
    let data: Data
    let events: [String: [String]] = ["tm.event": ["NewBlockHeader"]]

    init(query: String, header: CometHeader) {
        self.query = query
        data = Data(value: Value(header: header))
    }
}

/// Results that are empty objects (`subscribe`, `unsubscribe`, `health`).
struct CometEmptyResult: Encodable, Sendable {}

enum CometFormat {
    /// Hashes as CometBFT prints `HexBytes`: uppercase hex.
    static func hash(_ bytes: Bytes) -> String { bytes.hex.uppercased() }
}
