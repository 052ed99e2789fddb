import Foundation
import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import SimChain
import SwiftProtobuf
import Testing

/// The transaction service end to end: a real signed claim transaction is
/// simulated and broadcast over gRPC, lands in a block of the fake chain,
/// and then shows in the proof module's queries and in GetTx; refusals come
/// back as CheckTx codes in `tx_response`, like a node's.
@Suite(.timeLimit(.minutes(1)))
struct TransactionTests {
    @Test func aBroadcastClaimIsIncludedAndQueryable() async throws {
        try await StandIn.run { chain, client in
            let app = Keys.app.publicKey.address()
            let supplier = Keys.supplier.publicKey.address()
            let grid = SessionGrid(StandIn.sharedParams)
            // Session 1 ends at 4; broadcast once its claim window is about to open.
            try await StandIn.waitForHeight(grid.earliestClaimCommit(grid.sessionEnd(1)) - 1, on: chain)
            let header = try await chain.session(application: app, serviceID: StandIn.service, height: 1).header
            let claim = try Claims.message(header: header)
            let txBytes = try await TxBuilder().build([claim], on: chain)
            let hash = CosmosTx.hash(txRaw: txBytes)
            let txs = Cosmos_Tx_V1beta1_Service.Client(wrapping: client)

            let simulated = try await txs.simulate(.with { $0.txBytes = Data(txBytes) })
            #expect(simulated.gasInfo.gasUsed == (try await chain.simulate(txBytes: txBytes)))
            #expect(simulated.gasInfo.gasWanted == StandIn.gasLimit)
            #expect(simulated.result.msgResponses.map(\.typeURL) == ["/pocket.proof.MsgCreateClaimResponse"])

            let balanceBefore = try await chain.balance(address: supplier)
            let broadcast = try await txs.broadcastTx(.with { $0.txBytes = Data(txBytes); $0.mode = .sync }).txResponse
            #expect(broadcast.code == 0 && broadcast.codespace.isEmpty && broadcast.txhash == hash)
            #expect(broadcast.gasWanted == Int64(StandIn.gasLimit))

            // Inclusion: GetTx answers once the tx is in a block.
            var found: Cosmos_Tx_V1beta1_GetTxResponse?
            try await StandIn.eventually("the claim tx in a block") {
                found = try? await txs.getTx(.with { $0.hash = hash.lowercased() })
                return found != nil
            }
            let tx = try #require(found)
            let record = try #require(await chain.ledger.transaction(hash))
            #expect(record.status == .included(height: tx.txResponse.height))
            #expect(tx.txResponse.code == 0 && tx.txResponse.txhash == hash && tx.txResponse.timestamp.hasSuffix("Z"))
            #expect(tx.txResponse.events.first?.attributes.map(\.value).prefix(2) == ["/pocket.proof.MsgCreateClaim", supplier])
            #expect(tx.tx.body.messages == [claim] && tx.tx.authInfo.fee.gasLimit == StandIn.gasLimit)
            #expect(tx.txResponse.tx.typeURL == "/cosmos.tx.v1beta1.Tx")
            #expect(try Cosmos_Tx_V1beta1_Tx(serializedBytes: tx.txResponse.tx.value) == tx.tx)

            // The proof module's queries show the chain's stored claim.
            let proofs = Pocket_Proof_Query.Client(wrapping: client)
            let stored = try #require(await chain.claim(sessionID: header.sessionID, supplierOperatorAddress: supplier))
            #expect(try await proofs.claim(.with { $0.sessionID = header.sessionID; $0.supplierOperatorAddress = supplier }).claim == stored)
            let bySupplier = try await proofs.allClaims(.with { $0.supplierOperatorAddress = supplier }).claims
            #expect(bySupplier == (try await chain.claims(supplierOperatorAddress: supplier)) && bySupplier == [stored])
            #expect(try await proofs.allClaims(.with { $0.sessionID = header.sessionID }).claims == [stored])
            #expect(try await proofs.allClaims(.with { $0.sessionEndHeight = UInt64(header.sessionEndBlockHeight) }).claims == [stored])
            #expect(try await proofs.allClaims(.with { $0.supplierOperatorAddress = Keys.supplier2.publicKey.address() }).claims.isEmpty)
            let sent = try Pocket_Proof_MsgCreateClaim(serializedBytes: claim.value)
            #expect(stored.proofValidationStatus == .pendingValidation && stored.rootHash == sent.rootHash && stored.sessionHeader == header)
            await expectStatus(.notFound) { try await proofs.proof(.with { $0.sessionID = header.sessionID; $0.supplierOperatorAddress = supplier }) }

            // The fee left the account; an unordered tx leaves the sequence alone.
            let bank = Cosmos_Bank_V1beta1_Query.Client(wrapping: client)
            let balance = try await bank.balance(.with { $0.address = supplier; $0.denom = "upokt" }).balance.amount
            #expect(balance == String(try await chain.balance(address: supplier)) && balance == String(balanceBefore - StandIn.fee))
            let account = try Cosmos_Auth_V1beta1_BaseAccount(
                serializedBytes: try await Cosmos_Auth_V1beta1_Query.Client(wrapping: client).account(.with { $0.address = supplier }).account.value)
            #expect(account.sequence == 0)

            // Broadcasting the same bytes again is refused by CheckTx, not by gRPC.
            let again = try await txs.broadcastTx(.with { $0.txBytes = Data(txBytes); $0.mode = .sync }).txResponse
            #expect(again.code != 0 && again.codespace == "sdk" && !again.rawLog.isEmpty)
        }
    }

    @Test func checkTxRefusalsComeBackAsCodes() async throws {
        try await StandIn.run { chain, client in
            try await StandIn.waitForHeight(1, on: chain)
            let header = try await chain.session(application: Keys.app.publicKey.address(), serviceID: StandIn.service, height: 1).header
            let claim = try Claims.message(header: header)
            let txs = Cosmos_Tx_V1beta1_Service.Client(wrapping: client)
            func broadcast(_ builder: TxBuilder) async throws -> Cosmos_Base_Abci_V1beta1_TxResponse {
                let bytes = try await builder.build([claim], on: chain)
                let answer = try await txs.broadcastTx(.with { $0.txBytes = Data(bytes); $0.mode = .sync }).txResponse
                #expect(answer.txhash == CosmosTx.hash(txRaw: bytes))
                return answer
            }

            let forged = try await broadcast(TxBuilder(signingKey: Keys.stranger, memo: "forged"))
            #expect(forged.code == 4 && forged.codespace == "sdk" && forged.rawLog.contains("signature verification failed"))
            let cheap = try await broadcast(TxBuilder(fee: 0, memo: "cheap"))
            #expect(cheap.code == 13 && cheap.codespace == "sdk" && cheap.rawLog.contains("insufficient fees"))
            let outOfOrder = try await broadcast(TxBuilder(unordered: false, sequence: 7, memo: "ordered"))
            #expect(outOfOrder.code == 32 && outOfOrder.codespace == "sdk" && outOfOrder.rawLog.contains("sequence mismatch"))

            // Refused transactions never reach a block, so GetTx does not know them.
            let ledger = await chain.ledger
            #expect(ledger.broadcastRejections.map(\.code) == [4, 13, 32])
            await expectStatus(.notFound) { try await txs.getTx(.with { $0.hash = forged.txhash }) }

            // ASYNC answers with the hash only, before (and whatever) CheckTx says.
            let bytes = try await TxBuilder(fee: 0, memo: "async").build([claim], on: chain)
            let fireAndForget = try await txs.broadcastTx(.with { $0.txBytes = Data(bytes); $0.mode = .async }).txResponse
            #expect(fireAndForget.txhash == CosmosTx.hash(txRaw: bytes) && fireAndForget.code == 0)
        }
    }
}
