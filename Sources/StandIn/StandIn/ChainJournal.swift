import Foundation
import NIOConcurrencyHelpers

/// The stand-in's persistent state: an append-only JSON-lines file in the
/// state directory. The first line names the chain (world, chain id, genesis
/// time); every further line is one produced block — its height, time and
/// hash, and the signed bytes of every transaction admitted to the mempool
/// since the block before it, in admission order.
///
/// State survives a restart by replay (`ChainJournal+Replay.swift`): a fresh
/// fake chain from the same genesis gets the same transactions at the same
/// block times, so it rebuilds the same blocks, balances, claims, proofs and
/// settlements, and the recorded hashes prove it. What does not survive:
/// transactions still waiting in the mempool at the stop, armed control
/// faults (stall, drop-next-tx), and blocks of slots missed while stopped
/// (production continues from the restart's wall-clock time).
///
/// Lines are written without fsync: a killed process loses nothing already
/// written, an OS crash may lose the tail; a torn last line is ignored.
final class ChainJournal: Sendable {
    static let fileName = "chain-journal.jsonl"
    static let format = "pocket-chain-stand-in-journal/1"

    struct Header: Codable, Equatable {
        var format = ChainJournal.format
        let world: String
        let chain_id: String
        let genesis_time_ns: Int64
    }

    struct Block: Codable, Equatable {
        let height: Int64
        let time_ns: Int64
        /// Uppercase hex of the block hash.
        let hash: String
        let txs: [Tx]
    }

    struct Tx: Codable, Equatable {
        /// Base64 of the `TxRaw` bytes.
        let bytes: String
        /// Lost to a drop fault after admission (replayed with the fault armed).
        let dropped: Bool?
    }

    let path: String
    private let handle: NIOLockedValueBox<FileHandle>

    private init(path: String, handle: FileHandle) {
        self.path = path
        self.handle = NIOLockedValueBox(handle)
    }

    deinit {
        try? handle.withLockedValue { try $0.close() }
    }

    /// Opens (or creates) the journal in `directory` for the chain `header`
    /// describes. An existing journal must describe the same world and chain
    /// id; its genesis time and blocks are returned for the replay.
    static func open(directory: String, header: Header) throws(StandInStateError) -> (journal: ChainJournal, header: Header, blocks: [Block]) {
        let path = (directory as NSString).appendingPathComponent(fileName)
        var recorded = header
        var blocks: [Block] = []
        if FileManager.default.fileExists(atPath: path) {
            (recorded, blocks) = try read(path)
            guard recorded.world == header.world, recorded.chain_id == header.chain_id else {
                throw .otherChain(path: path, recorded: "world \(recorded.world) (chain \(recorded.chain_id))",
                                  expected: "world \(header.world) (chain \(header.chain_id))")
            }
            try truncateToWholeLines(path, header: recorded, blocks: blocks)
        } else {
            guard FileManager.default.createFile(atPath: path, contents: Data((encode(header) + "\n").utf8)) else {
                throw .writeFailed(path: path, reason: "cannot create the file")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw .writeFailed(path: path, reason: "cannot open the file for writing") }
        do { try handle.seekToEnd() } catch { throw .writeFailed(path: path, reason: "\(error)") }
        return (ChainJournal(path: path, handle: handle), recorded, blocks)
    }

    func append(_ block: Block) throws(StandInStateError) {
        let line = Data((Self.encode(block) + "\n").utf8)
        do {
            try handle.withLockedValue { try $0.write(contentsOf: line) }
        } catch {
            throw .writeFailed(path: path, reason: "\(error)")
        }
    }

    // MARK: Reading

    static func read(_ path: String) throws(StandInStateError) -> (Header, [Block]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path, reason: "cannot read the file") }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // A torn last line (the process died mid-write) is dropped; anything else malformed is an error.
        if let last = lines.last, last.isEmpty || (try? JSONDecoder().decode(Block.self, from: Data(last))) == nil, lines.count > 1 {
            lines.removeLast()
        }
        guard let first = lines.first, let header = try? JSONDecoder().decode(Header.self, from: Data(first)) else {
            throw .unreadable(path: path, reason: "the first line is not a journal header")
        }
        guard header.format == format else { throw .unreadable(path: path, reason: "format \(header.format), this build reads \(format)") }
        var blocks: [Block] = []
        for (index, line) in lines.dropFirst().enumerated() {
            guard let block = try? JSONDecoder().decode(Block.self, from: Data(line)) else {
                throw .unreadable(path: path, reason: "line \(index + 2) is not a block record")
            }
            guard block.height == Int64(blocks.count + 1) else {
                throw .unreadable(path: path, reason: "line \(index + 2) records block \(block.height), expected \(blocks.count + 1)")
            }
            blocks.append(block)
        }
        return (header, blocks)
    }

    /// Rewrites the file without a torn tail, so appends start on a fresh line.
    private static func truncateToWholeLines(_ path: String, header: Header, blocks: [Block]) throws(StandInStateError) {
        let text = ([encode(header)] + blocks.map { encode($0) }).joined(separator: "\n") + "\n"
        guard let existing = FileManager.default.contents(atPath: path), existing != Data(text.utf8) else { return }
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw .writeFailed(path: path, reason: "\(error)")
        }
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }
}
