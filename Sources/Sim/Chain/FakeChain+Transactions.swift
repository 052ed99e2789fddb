import Foundation
import PocketProtocol
import RelayRuntime

/// A claim or proof message decoded from a transaction.
enum ChainMessage: Sendable {
    case claim(Pocket_Proof_MsgCreateClaim)
    case proof(Pocket_Proof_MsgSubmitProof)

    static let claimTypeURL = "/" + Pocket_Proof_MsgCreateClaim.protoMessageName
    static let proofTypeURL = "/" + Pocket_Proof_MsgSubmitProof.protoMessageName

    var kind: TxKind {
        switch self {
        case .claim: return .claim
        case .proof: return .proof
        }
    }

    var supplier: String {
        switch self {
        case .claim(let m): return m.supplierOperatorAddress
        case .proof(let m): return m.supplierOperatorAddress
        }
    }

    var sessionID: String {
        switch self {
        case .claim(let m): return m.sessionHeader.sessionID
        case .proof(let m): return m.sessionHeader.sessionID
        }
    }
}

/// A transaction that passed CheckTx.
struct CheckedTx: Sendable {
    /// Uppercase hex sha256 of the TxRaw bytes.
    let hash: String
    let rawHash: Bytes
    let signer: String
    let messages: [ChainMessage]
    let feeUPOKT: UInt64
    let gasLimit: UInt64
    /// What executing it costs (the figure `simulate` reports).
    let gasUsed: UInt64
    let unordered: Bool
    let timeoutHeight: UInt64
    let timeoutTime: RuntimeInstant?

    var kinds: [TxKind] { messages.map(\.kind) }

    func hasExpired(height: Int64, time: RuntimeInstant) -> Bool {
        if timeoutHeight != 0 && Int64(clamping: timeoutHeight) < height { return true }
        if let timeoutTime, timeoutTime < time { return true }
        return false
    }
}

/// A CheckTx refusal with the Cosmos SDK's root-codespace code (or 1101 for
/// a proof-module message that fails ValidateBasic).
struct TxRejection: Error, Sendable {
    let code: UInt32
    let log: String
    /// The message whose ValidateBasic failed, if that is why.
    var message: (message: ChainMessage, rejection: MessageRejection)?

    init(_ code: UInt32, _ log: String, message: (message: ChainMessage, rejection: MessageRejection)? = nil) {
        self.code = code
        self.log = log
        self.message = message
    }

    static let txDecode: UInt32 = 2
    static let invalidSequence: UInt32 = 3
    static let unauthorized: UInt32 = 4
    static let insufficientFunds: UInt32 = 5
    static let invalidPubKey: UInt32 = 8
    static let unknownAddress: UInt32 = 9
    static let invalidCoins: UInt32 = 10
    static let outOfGas: UInt32 = 11
    static let insufficientFee: UInt32 = 13
    static let invalidRequest: UInt32 = 18
    static let txInMempool: UInt32 = 19
    static let txTimeoutHeight: UInt32 = 30
    static let unknownExtensionOptions: UInt32 = 31
    static let wrongSequence: UInt32 = 32
    static let txTimeout: UInt32 = 42
    static let proofModule: UInt32 = 1101
}

/// What a successful message did, recorded only if its whole transaction commits.
enum MessageEffect: Sendable {
    case claim(AcceptedClaim)
    case proof(AcceptedProof)
}

extension FakeChain {
    /// The SDK's limit on an unordered transaction's time to live.
    static let maxUnorderedTTL = Duration.seconds(600)

    /// Gas the ante handler charges (size and signature), checked at CheckTx.
    static func anteGas(txSize: Int) -> UInt64 { 1_000 + 10 * UInt64(txSize) }

    /// Gas a transaction uses in a block: the ante cost plus a fixed cost per message.
    static func gas(txSize: Int, messages: [ChainMessage]) -> UInt64 {
        messages.reduce(anteGas(txSize: txSize)) { total, message in
            switch message {
            case .claim: return total + 25_000
            case .proof: return total + 40_000
            }
        }
    }

    // MARK: ChainPort

    /// Runs CheckTx (without fee and gas-limit checks, which a simulation signs
    /// around) and reports the gas the transaction would use. Messages are not
    /// executed, so a claim outside its window still simulates.
    public func simulate(txBytes: [UInt8]) async throws(ChainError) -> UInt64 {
        do {
            return try checkTx(txBytes, simulate: true).gasUsed
        } catch {
            throw .invalidResponse("simulation failed with code \(error.code): \(error.log)")
        }
    }

    /// SYNC broadcast: CheckTx, then the mempool (where faults may act). Code 0
    /// is mempool acceptance only; inclusion shows in the next blocks.
    public func broadcast(txBytes: [UInt8]) async throws(ChainError) -> BroadcastResult {
        let hash = CosmosTx.hash(txRaw: txBytes)
        let checked: CheckedTx
        do {
            checked = try checkTx(txBytes, simulate: false)
        } catch {
            refuse(hash: hash, error)
            return BroadcastResult(txHash: hash, code: error.code, log: error.log)
        }
        admit(checked)
        return BroadcastResult(txHash: hash, code: 0, log: "")
    }

    // MARK: CheckTx

    func checkTx(_ bytes: Bytes, simulate: Bool) throws(TxRejection) -> CheckedTx {
        let rawHash = Hash.sha256(bytes)
        let hash = rawHash.hex.uppercased()
        let raw: Cosmos_Tx_V1beta1_TxRaw
        let body: Cosmos_Tx_V1beta1_TxBody
        let authInfo: Cosmos_Tx_V1beta1_AuthInfo
        do {
            raw = try CanonicalCodec.decode(Cosmos_Tx_V1beta1_TxRaw.self, from: bytes)
            body = try CanonicalCodec.decode(Cosmos_Tx_V1beta1_TxBody.self, from: Bytes(raw.bodyBytes))
            authInfo = try CanonicalCodec.decode(Cosmos_Tx_V1beta1_AuthInfo.self, from: Bytes(raw.authInfoBytes))
        } catch {
            throw TxRejection(TxRejection.txDecode, "tx parse error: \(error)")
        }
        guard !body.messages.isEmpty else { throw TxRejection(TxRejection.invalidRequest, "must contain at least one message") }
        guard body.extensionOptions.isEmpty else { throw TxRejection(TxRejection.unknownExtensionOptions, "unknown extension options") }

        var messages: [ChainMessage] = []
        for any in body.messages {
            do {
                switch any.typeURL {
                case ChainMessage.claimTypeURL:
                    messages.append(.claim(try CanonicalCodec.decode(Pocket_Proof_MsgCreateClaim.self, from: Bytes(any.value))))
                case ChainMessage.proofTypeURL:
                    messages.append(.proof(try CanonicalCodec.decode(Pocket_Proof_MsgSubmitProof.self, from: Bytes(any.value))))
                default:
                    throw TxRejection(TxRejection.txDecode, "unable to resolve type URL \(any.typeURL): tx parse error")
                }
            } catch let rejection as TxRejection {
                throw rejection
            } catch {
                throw TxRejection(TxRejection.txDecode, "cannot decode \(any.typeURL): \(error)")
            }
        }
        for (i, message) in messages.enumerated() {
            if let rejection = validateBasic(message) {
                throw TxRejection(TxRejection.proofModule, "message \(i): \(rejection)", message: (message, rejection))
            }
        }

        var signers: [String] = []
        for message in messages where !signers.contains(message.supplier) { signers.append(message.supplier) }
        guard signers.count == 1 else { throw TxRejection(TxRejection.unauthorized, "transaction must have exactly one signer, got \(signers.count)") }
        let signer = signers[0]
        guard authInfo.signerInfos.count == 1 else {
            throw TxRejection(TxRejection.unauthorized, "invalid number of signer infos; expected: 1, got \(authInfo.signerInfos.count)")
        }
        guard raw.signatures.count == 1 else {
            throw TxRejection(TxRejection.unauthorized, "wrong number of signatures; expected 1, got \(raw.signatures.count)")
        }
        let info = authInfo.signerInfos[0]
        guard info.hasPublicKey, info.publicKey.typeURL == CosmosTx.secp256k1PubKeyTypeURL,
              let keyMessage = try? CanonicalCodec.decode(Cosmos_Crypto_Secp256k1_PubKey.self, from: Bytes(info.publicKey.value)),
              keyMessage.key.count == 33, let publicKey = try? PublicKey(bytes: Bytes(keyMessage.key))
        else {
            throw TxRejection(TxRejection.invalidPubKey, "signer info must carry a 33-byte \(CosmosTx.secp256k1PubKeyTypeURL)")
        }
        guard publicKey.address() == signer else {
            throw TxRejection(TxRejection.invalidPubKey, "pubKey does not match signer address \(signer) with signer index: 0")
        }
        guard case .single(let single)? = info.modeInfo.sum, single.mode == .direct else {
            throw TxRejection(TxRejection.invalidRequest, "signer info must use SIGN_MODE_DIRECT")
        }
        guard let account = state.accounts[signer] else {
            throw TxRejection(TxRejection.unknownAddress, "account \(signer) does not exist")
        }
        guard account.publicKey == publicKey else {
            throw TxRejection(TxRejection.invalidPubKey, "pubKey does not match the public key of account \(signer)")
        }

        let now = checkTime
        let timeoutTime = body.hasTimeoutTimestamp
            ? RuntimeInstant(unixNanoseconds: body.timeoutTimestamp.seconds &* 1_000_000_000 &+ Int64(body.timeoutTimestamp.nanos))
            : nil
        if body.unordered {
            guard info.sequence == 0 else {
                throw TxRejection(TxRejection.invalidSequence, "unordered transaction must have sequence 0, got \(info.sequence)")
            }
            guard let timeoutTime, timeoutTime.unixNanoseconds != 0 else {
                throw TxRejection(TxRejection.invalidRequest, "unordered transaction must have timeout_timestamp set")
            }
            guard timeoutTime >= now else {
                throw TxRejection(TxRejection.txTimeout, "unordered transaction has a timeout_timestamp that has already passed")
            }
            guard timeoutTime <= now.advanced(by: Self.maxUnorderedTTL) else {
                throw TxRejection(TxRejection.invalidRequest, "unordered tx ttl exceeds 10m0s")
            }
            if let seen = unorderedSeen[hash], seen >= now {
                throw TxRejection(TxRejection.txInMempool, "tx \(hash) is duplicated")
            }
            if let used = unorderedNonces[Self.unorderedNonce(signer: signer, timeout: timeoutTime)], used >= now {
                throw TxRejection(TxRejection.invalidRequest, "unordered tx nonce already used (signer \(signer), timeout \(timeoutTime.unixNanoseconds))")
            }
        } else {
            guard info.sequence == account.sequence else {
                throw TxRejection(TxRejection.wrongSequence, "account sequence mismatch, expected \(account.sequence), got \(info.sequence)")
            }
            if let timeoutTime, timeoutTime < now {
                throw TxRejection(TxRejection.txTimeout, "transaction timeout_timestamp has passed")
            }
        }
        if body.timeoutHeight != 0 && Int64(clamping: body.timeoutHeight) <= latestHeight {
            throw TxRejection(TxRejection.txTimeoutHeight, "tx timeout height \(body.timeoutHeight) is not above the latest height \(latestHeight)")
        }

        var signDoc = Cosmos_Tx_V1beta1_SignDoc()
        signDoc.bodyBytes = raw.bodyBytes
        signDoc.authInfoBytes = raw.authInfoBytes
        signDoc.chainID = genesis.chainID
        signDoc.accountNumber = account.number
        let signDocBytes = (try? CanonicalCodec.encode(signDoc)) ?? []
        guard SupplierSignature.verify(Bytes(raw.signatures[0]), message: signDocBytes, publicKey: publicKey) else {
            throw TxRejection(TxRejection.unauthorized,
                              "signature verification failed; please verify account number (\(account.number)) and chain-id (\(genesis.chainID))")
        }

        let fee = authInfo.fee
        var feeAmount: UInt64 = 0
        for coin in fee.amount {
            guard coin.denom == "upokt", let amount = UInt64(coin.amount) else {
                throw TxRejection(TxRejection.invalidCoins, "fee must be whole upokt, got \(coin.amount)\(coin.denom)")
            }
            let (sum, overflow) = feeAmount.addingReportingOverflow(amount)
            guard !overflow else { throw TxRejection(TxRejection.invalidCoins, "fee amount overflows") }
            feeAmount = sum
        }
        let gasUsed = Self.gas(txSize: bytes.count, messages: messages)
        let checked = CheckedTx(hash: hash, rawHash: rawHash, signer: signer, messages: messages, feeUPOKT: feeAmount,
                                gasLimit: fee.gasLimit, gasUsed: gasUsed, unordered: body.unordered,
                                timeoutHeight: body.timeoutHeight, timeoutTime: timeoutTime)
        if simulate { return checked }

        guard fee.payer.isEmpty || fee.payer == signer, fee.granter.isEmpty else {
            throw TxRejection(TxRejection.invalidRequest, "fee payer must be the signer (fee grants are not supported)")
        }
        let ante = Self.anteGas(txSize: bytes.count)
        guard fee.gasLimit >= ante else {
            throw TxRejection(TxRejection.outOfGas, "out of gas in location: txSize; gasWanted: \(fee.gasLimit), gasUsed: \(ante)")
        }
        let required = UInt64(exactly: (Double(fee.gasLimit) * genesis.minimumGasPriceUPOKT).rounded(.up)) ?? .max
        guard feeAmount >= required else {
            throw TxRejection(TxRejection.insufficientFee, "insufficient fees; got: \(feeAmount)upokt required: \(required)upokt")
        }
        guard !mempool.contains(where: { $0.tx.hash == hash }) else {
            throw TxRejection(TxRejection.txInMempool, "tx already exists in cache")
        }
        let pending = mempool.filter { $0.tx.signer == signer }.reduce(UInt64(0)) { $0 + $1.tx.feeUPOKT }
        let balance = state.balances[signer] ?? 0
        guard balance >= pending, balance - pending >= feeAmount else {
            throw TxRejection(TxRejection.insufficientFunds,
                              "spendable balance \(balance > pending ? balance - pending : 0)upokt is smaller than \(feeAmount)upokt: insufficient funds")
        }
        return checked
    }

    static func unorderedNonce(signer: String, timeout: RuntimeInstant) -> String { "\(signer)/\(timeout.unixNanoseconds)" }

    /// Message ValidateBasic (docs/protocol.md#claim-and-proof-acceptance), run at CheckTx and again at delivery.
    func validateBasic(_ message: ChainMessage) -> MessageRejection? {
        let header: Pocket_Session_SessionHeader
        let hasHeader: Bool
        switch message {
        case .claim(let m): (header, hasHeader) = (m.sessionHeader, m.hasSessionHeader)
        case .proof(let m): (header, hasHeader) = (m.sessionHeader, m.hasSessionHeader)
        }
        do { _ = try Bech32.decodeAddress(message.supplier) } catch { return .invalidSupplierAddress(message.supplier) }
        guard hasHeader else { return .invalidSessionHeader("missing") }
        do { try header.validateBasic() } catch { return .invalidSessionHeader(error.description) }
        switch message {
        case .claim(let m):
            guard m.rootHash.count == SMSTHashing.digestSize else { return .invalidRootHashSize(m.rootHash.count) }
            let root = Bytes(m.rootHash)
            if ClaimAmount.relayCount(root: root) == 0 { return .zeroRelayCount }
            if ClaimAmount.computeUnits(root: root) == 0 { return .zeroComputeUnits }
        case .proof(let m):
            if m.proof.isEmpty { return .emptyProof }
        }
        return nil
    }

    // MARK: Mempool

    func refuse(hash: String, _ error: TxRejection) {
        ledger.broadcastRejections.append(BroadcastRejection(txHash: hash, code: error.code, log: error.log, height: latestHeight))
        record("tx.rejected", [("tx", hash), ("code", String(error.code)), ("log", error.log)])
        if let (message, rejection) = error.message {
            recordRejection(message, height: latestHeight, txHash: hash, atBroadcast: true, rejection)
        }
    }

    func admit(_ tx: CheckedTx) {
        if !tx.unordered { state.accounts[tx.signer]?.sequence += 1 }
        let next = latestHeight + 1
        let action = faults.action(for: tx.kinds) { Double(mempoolEntropy.next() >> 11) * 0x1p-53 }
        let status: TxStatus
        switch action {
        case .drop?:
            status = .dropped
        case .neverInclude?:
            mempool.append(MempoolEntry(tx: tx, includeAt: .max, neverInclude: true))
            status = .neverIncluded
        case .delay(let blocks)?:
            mempool.append(MempoolEntry(tx: tx, includeAt: next + Int64(blocks), neverInclude: false))
            status = .pending(includeAt: next + Int64(blocks))
        case nil:
            mempool.append(MempoolEntry(tx: tx, includeAt: next, neverInclude: false))
            status = .pending(includeAt: next)
        }
        ledger.admit(TxRecord(hash: tx.hash, signer: tx.signer, messageKinds: tx.kinds, broadcastHeight: latestHeight, status: status))
        var fields: TelemetryLabels = [("tx", tx.hash), ("signer", tx.signer),
                                       ("msgs", tx.kinds.map(\.rawValue).joined(separator: ","))]
        if let action { fields.append(("fault", action.description)) }
        record("tx.accepted", fields)
    }

    // MARK: Delivery

    /// Executes an included transaction at `height`: the fee is charged, then
    /// every message runs on a copy of the state that is committed only if all
    /// of them succeed (a failing message reverts the whole transaction).
    func deliver(_ tx: CheckedTx, height: Int64) {
        let balance = state.balances[tx.signer] ?? 0
        guard balance >= tx.feeUPOKT else {
            fail(tx, height: height, failedIndex: nil,
                 reason: .feeUnpaid("balance \(balance)upokt is smaller than the fee \(tx.feeUPOKT)upokt"))
            return
        }
        if tx.unordered, let timeout = tx.timeoutTime {
            // The SDK's unordered-nonce check runs in the ante chain before fees are taken.
            let nonce = Self.unorderedNonce(signer: tx.signer, timeout: timeout)
            if let used = unorderedNonces[nonce], used >= clock.now {
                fail(tx, height: height, failedIndex: nil, reason: .unorderedNonceUsed("signer \(tx.signer), timeout \(timeout.unixNanoseconds)"))
                return
            }
            unorderedNonces[nonce] = timeout
        }
        state.balances[tx.signer] = balance - tx.feeUPOKT
        if tx.unordered, let timeout = tx.timeoutTime { unorderedSeen[tx.hash] = timeout }
        guard tx.gasLimit >= tx.gasUsed else {
            fail(tx, height: height, failedIndex: nil, reason: .outOfGas(gasLimit: tx.gasLimit, gasUsed: tx.gasUsed))
            return
        }
        var scratch = state
        var effects: [MessageEffect] = []
        for (i, message) in tx.messages.enumerated() {
            do {
                effects.append(try apply(message, to: &scratch, height: height, txHash: tx.hash))
            } catch {
                fail(tx, height: height, failedIndex: i, reason: error)
                return
            }
        }
        state = scratch
        ledger.setStatus(tx.hash, .included(height: height))
        record("tx.included", [("tx", tx.hash), ("height", String(height))])
        for effect in effects {
            switch effect {
            case .claim(let claim):
                ledger.claimsAccepted.append(claim)
                record("claim.accepted", [
                    ("supplier", claim.supplier), ("session", claim.sessionID), ("height", String(height)),
                    ("count", String(claim.relayCount)), ("sum", String(claim.computeUnits)), ("root", claim.rootHash.hex),
                    ("replaced", String(claim.replacedEarlierClaim)),
                ])
            case .proof(let proof):
                ledger.proofsAccepted.append(proof)
                record("proof.accepted", [
                    ("supplier", proof.supplier), ("session", proof.sessionID), ("height", String(height)),
                    ("requirement", proof.requirement.description),
                ])
            }
        }
    }

    /// Records a failed transaction: the failing message (or, with no index,
    /// every message) gets `reason`; the others are reverted with it.
    func fail(_ tx: CheckedTx, height: Int64, failedIndex: Int?, reason: MessageRejection) {
        let summary = failedIndex.map { "message \($0): \(reason)" } ?? reason.description
        ledger.setStatus(tx.hash, .failed(height: height, reason: summary))
        record("tx.failed", [("tx", tx.hash), ("height", String(height)), ("reason", summary)])
        for (i, message) in tx.messages.enumerated() {
            let own = failedIndex == nil || failedIndex == i ? reason : .revertedWithTx(messageIndex: failedIndex!, reason: reason.description)
            recordRejection(message, height: height, txHash: tx.hash, atBroadcast: false, own)
        }
    }

    func recordRejection(_ message: ChainMessage, height: Int64, txHash: String, atBroadcast: Bool, _ reason: MessageRejection) {
        let rejected = RejectedMessage(kind: message.kind, supplier: message.supplier, sessionID: message.sessionID,
                                       height: height, txHash: txHash, atBroadcast: atBroadcast, reason: reason)
        switch message.kind {
        case .claim: ledger.claimsRejected.append(rejected)
        case .proof: ledger.proofsRejected.append(rejected)
        }
        record("\(message.kind.rawValue).rejected", [
            ("supplier", message.supplier), ("session", message.sessionID), ("height", String(height)),
            ("tx", txHash), ("rule", reason.rule.rawValue), ("reason", reason.description),
        ])
    }
}
