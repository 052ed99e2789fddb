import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import SwiftProtobuf

/// Throwaway identities of the chain tests.
enum Keys {
    /// Delegates to `gateway`.
    static let app = PrivateKey.fromSecret("simchain-app")
    /// Delegates to nobody: signs its own relays over [app, app].
    static let soloApp = PrivateKey.fromSecret("simchain-solo-app")
    static let gateway = PrivateKey.fromSecret("simchain-gateway")
    static let supplier = PrivateKey.fromSecret("simchain-supplier")
    static let supplier2 = PrivateKey.fromSecret("simchain-supplier-2")
    /// Staked for another service only.
    static let otherSupplier = PrivateKey.fromSecret("simchain-other-supplier")
    /// Not on chain at all.
    static let stranger = PrivateKey.fromSecret("simchain-stranger")
}

enum Fixture {
    static let service = "anvil"
    static let otherService = "ethereum"
    static let cupr: UInt64 = 3
    static let supplierBalance: UInt64 = 1_000_000_000
    static let supplierStake: UInt64 = 60_000_000_000

    static func genesis(
        probability: Double = 1, thresholdUPOKT: UInt64 = 20_000_000, submissionFee: UInt64 = 1_000_000,
        numSuppliersPerSession: UInt64 = 15, extraSuppliers: [GenesisSupplier] = [], chainID: String = "pocket-sim",
        minimumGasPrice: Double = 0, supplierBalance: UInt64 = Fixture.supplierBalance,
        sharedParamsUpdates: [SharedParamsUpdate] = [], cuprUpdates: [HeightUpdate<UInt64>] = [],
        difficulty: Bytes = RelayDifficulty.baseTargetHash
    ) -> ChainGenesis {
        ChainGenesis(
            chainID: chainID,
            sharedParamsUpdates: sharedParamsUpdates,
            proofParams: ProofParams(proofRequestProbability: probability, proofRequirementThresholdUPOKT: thresholdUPOKT,
                                     proofMissingPenaltyUPOKT: 320_000_000, proofSubmissionFeeUPOKT: submissionFee),
            numSuppliersPerSession: numSuppliersPerSession,
            minimumGasPriceUPOKT: minimumGasPrice,
            services: [GenesisService(id: service, computeUnitsPerRelay: cupr, relayDifficultyTarget: difficulty,
                                      computeUnitsPerRelayUpdates: cuprUpdates),
                       GenesisService(id: otherService, computeUnitsPerRelay: 1)],
            gateways: [GenesisGateway(privateKey: Keys.gateway)],
            applications: [
                GenesisApplication(privateKey: Keys.app, serviceID: service, delegatedGateways: [Keys.gateway.publicKey.address()]),
                GenesisApplication(privateKey: Keys.soloApp, serviceID: service),
            ],
            suppliers: [
                GenesisSupplier(privateKey: Keys.supplier, stakeUPOKT: supplierStake, services: [service, otherService], balanceUPOKT: supplierBalance),
                GenesisSupplier(privateKey: Keys.supplier2, services: [service]),
                GenesisSupplier(privateKey: Keys.otherSupplier, services: [otherService]),
            ] + extraSuppliers)
    }

    /// Runs `body` under a fresh kernel with a chain built from `genesis`.
    static func run<T: Sendable>(seed: UInt64 = 1, _ genesis: ChainGenesis = Fixture.genesis(),
                                 _ body: @escaping @Sendable (FakeChain, SimKernel) async throws -> T) throws -> T {
        let kernel = SimKernel(seed: seed)
        let chain = FakeChain(genesis: genesis, kernel: kernel)
        return try kernel.run { try await body(chain, kernel) }
    }

    static func at(_ seconds: Int64) -> RuntimeInstant { SimKernel.epoch.advanced(by: .seconds(seconds)) }
}

/// A session's relays, ring-signed by a gateway or the application and
/// signed by the supplier, and the supplier's SMST over them. Unchecked
/// Sendable: the trie is only ever used on the simulator's one thread.
struct SessionWork: @unchecked Sendable {
    let header: Pocket_Session_SessionHeader
    let supplier: PrivateKey
    let relays: [DehydratedRelay]
    let tree: SparseMerkleSumTrie

    /// `count` relays for (app, supplier) in the session at `height`.
    static func make(on chain: FakeChain, kernel: SimKernel, app: PrivateKey = Keys.app, signer: PrivateKey = Keys.gateway,
                     supplier: PrivateKey = Keys.supplier, height: Int64 = 1, count: Int = 4, weight: UInt64 = Fixture.cupr,
                     tag: String = "") async throws -> SessionWork {
        let session = try await chain.session(application: app.publicKey.address(), serviceID: Fixture.service, height: height)
        let application = try await chain.application(address: app.publicKey.address())
        var ring: [PublicKey] = []
        for address in RelayRequestBuilder.ringAddresses(for: application) {
            ring.append(try await chain.account(address: address).publicKey!)
        }
        var rng = kernel.entropy.stream(for: "test.gateway")
        var relays: [DehydratedRelay] = []
        for i in 0..<count {
            let request = try RelayRequestBuilder.build(
                sessionHeader: session.header, supplierOperatorAddress: supplier.publicKey.address(),
                payload: Bytes(#"{"jsonrpc":"2.0","id":\#(i),"method":"eth_blockNumber\#(tag)"}"#.utf8),
                signer: signer, ring: ring, using: &rng)
            let response = try RelayResponseBuilder.signed(sessionHeader: session.header,
                                                           payload: Bytes(#"{"id":\#(i),"result":"0x\#(i)"}"#.utf8), key: supplier)
            relays.append(try DehydratedRelay(request: request.request, response: response))
        }
        return SessionWork(header: session.header, supplier: supplier, relays: relays, tree: tree(relays, weight: weight))
    }

    static func tree(_ relays: [DehydratedRelay], weight: UInt64) -> SparseMerkleSumTrie {
        let tree = SparseMerkleSumTrie()
        for relay in relays { tree.update(key: relay.hash, value: relay.bytes, weight: weight) }
        return tree
    }

    var supplierAddress: String { supplier.publicKey.address() }

    func claim(root: Bytes? = nil, header: Pocket_Session_SessionHeader? = nil) -> ChainMsg {
        var msg = Pocket_Proof_MsgCreateClaim()
        msg.supplierOperatorAddress = supplierAddress
        msg.sessionHeader = header ?? self.header
        msg.rootHash = Data(root ?? tree.root)
        return .claim(msg)
    }

    /// The gob closest proof at the session's real path (seed = block ProofWindowOpen − 1).
    func proofBytes(on chain: FakeChain, tree: SparseMerkleSumTrie? = nil, path: Bytes? = nil) async throws -> Bytes {
        let grid = SessionGrid(try await chain.sharedParams(atHeight: header.sessionEndBlockHeight))
        let seed = try await chain.block(at: grid.proofSeedBlockHeight(header.sessionEndBlockHeight)).hash
        let path = path ?? SessionID.proofPath(seedBlockHash: seed, sessionID: header.sessionID)
        return GobClosestProofCodec.encode(try (tree ?? self.tree).proveClosest(path: path).compacted())
    }

    func proof(_ bytes: Bytes) -> ChainMsg {
        var msg = Pocket_Proof_MsgSubmitProof()
        msg.supplierOperatorAddress = supplierAddress
        msg.sessionHeader = header
        msg.proof = Data(bytes)
        return .proof(msg)
    }
}

enum ChainMsg {
    case claim(Pocket_Proof_MsgCreateClaim)
    case proof(Pocket_Proof_MsgSubmitProof)
    /// Anything else the chain does not route.
    case other(Pocket_Session_SessionHeader)

    func packed() throws -> Google_Protobuf_Any {
        switch self {
        case .claim(let m): return try CosmosTx.pack(m)
        case .proof(let m): return try CosmosTx.pack(m)
        case .other(let m): return try CosmosTx.pack(m)
        }
    }
}

/// Builds signed transactions the way the miner does (unordered, sequence 0,
/// timeout timestamp after the latest block), with knobs to break them.
struct TxBuilder {
    var key: PrivateKey = Keys.supplier
    /// Signs with this key instead of `key` (whose public key is in the signer info).
    var signingKey: PrivateKey?
    var chainID: String?
    var accountNumber: UInt64?
    var fee: UInt64 = 0
    var gasLimit: UInt64 = 500_000
    var unordered = true
    var sequence: UInt64 = 0
    var ttl: Duration? = .seconds(300)
    var memo = "HA RelayMiner"

    func build(_ messages: [ChainMsg], on chain: FakeChain) async throws -> Bytes {
        let account = try await chain.account(address: key.publicKey.address())
        let latest = try? await chain.latestBlock()
        let base = latest?.time ?? chain.genesis.genesisTime
        let packed = try messages.map { try $0.packed() }
        var timestamp: Google_Protobuf_Timestamp?
        if let ttl {
            // Unordered txs of one signer need distinct timeout timestamps (the SDK's
            // unordered nonce), so the nanoseconds come from the messages, as the miner does.
            let t = base.advanced(by: ttl).unixNanoseconds
            let digest = Hash.sha256(packed.flatMap { Array($0.value) } + Array(memo.utf8))
            let nanos = (UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])) % 1_000_000_000
            timestamp = Google_Protobuf_Timestamp(seconds: t / 1_000_000_000, nanos: Int32(nanos))
        }
        let spec = CosmosTxSpec(
            messages: packed, memo: memo, unordered: unordered, timeoutTimestamp: timestamp,
            feeAmount: fee > 0 ? [upokt(fee)] : [], gasLimit: gasLimit, signerPublicKey: key.publicKey.compressed,
            chainID: chainID ?? chain.genesis.chainID, accountNumber: accountNumber ?? account.accountNumber, sequence: sequence)
        let signer = signingKey ?? key
        return try UnsignedCosmosTx(spec).sign { SupplierSignature.sign($0, with: signer) }.txRawBytes
    }

    func upokt(_ amount: UInt64) -> Cosmos_Base_V1beta1_Coin {
        var coin = Cosmos_Base_V1beta1_Coin()
        coin.denom = "upokt"
        coin.amount = String(amount)
        return coin
    }
}

extension FakeChain {
    /// Broadcasts and requires CheckTx to accept.
    @discardableResult
    func submit(_ messages: [ChainMsg], _ builder: TxBuilder = TxBuilder()) async throws -> BroadcastResult {
        let result = try await broadcast(txBytes: try await builder.build(messages, on: self))
        guard result.accepted else { throw TestFailure("broadcast refused: code \(result.code): \(result.log)") }
        return result
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
