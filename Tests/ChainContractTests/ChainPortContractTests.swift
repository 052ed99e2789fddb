import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import Testing

/// The chain-port contract: each check is written once against `ChainPort`
/// and run twice, on the FakeChain in process and on the live gRPC client
/// talking to the chain stand-in over loopback (`Contract.holds`). Each run
/// must give the specific answers asserted here, and the two runs must
/// give identical transcripts of every answer.
@Suite(.timeLimit(.minutes(2)))
struct ChainPortContractTests {
    static let app = Keys.app.publicKey.address()
    static let supplier = Keys.supplier.publicKey.address()
    static let supplier2 = Keys.supplier2.publicKey.address()
    static let gateway = Keys.gateway.publicKey.address()
    static let stranger = Keys.stranger.publicKey.address()
    static let service = ContractGenesis.service

    /// Sessions on the 4-block grid: ids from the start block's hash, both
    /// suppliers selected, the same session for every height inside it, and
    /// notFound until the start block exists (then found).
    @Test func sessionsAtSeveralHeights() async throws {
        try await Contract.holds { c in
            var t = Transcript()
            await c.produceBlocks(through: 12)
            var ids: [Int64: String] = [:]
            for height: Int64 in [1, 4, 5, 8, 9, 12] {
                let session = try await c.port.session(application: Self.app, serviceID: Self.service, height: height)
                t.note("session@\(height)", session)
                let start = (height - 1) / 4 * 4 + 1
                let startHash = try await c.port.block(at: start).hash
                #expect(session.header.sessionStartBlockHeight == start && session.header.sessionEndBlockHeight == start + 3, "\(c.implementation)")
                #expect(session.sessionNumber == (start + 3) / 4 && session.numBlocksPerSession == 4)
                #expect(session.header.sessionID == SessionID.compute(startBlockHash: startHash, serviceID: Self.service,
                                                                      applicationAddress: Self.app, sessionStartHeight: start))
                #expect(session.sessionID == session.header.sessionID && session.application.address == Self.app)
                #expect(Set(session.suppliers.map(\.operatorAddress)) == [Self.supplier, Self.supplier2])
                #expect(session.suppliers.allSatisfy { $0.services.map(\.serviceID) == [Self.service] && $0.serviceConfigHistory.isEmpty })
                ids[height] = session.header.sessionID
            }
            #expect(ids[1] == ids[4] && ids[4] != ids[5] && ids[5] == ids[8] && ids[8] != ids[9])

            // Session 4 starts at 13: not produced yet.
            expectFailure(await t.call("session@13 before") { () async throws(ChainError) in
                try await c.port.session(application: Self.app, serviceID: Self.service, height: 13)
            }, "notFound")
            await c.produceBlock()
            let later = try await t.call("session@13 after") { () async throws(ChainError) in
                try await c.port.session(application: Self.app, serviceID: Self.service, height: 13)
            }.get()
            #expect(later.header.sessionStartBlockHeight == 13 && later.header.sessionEndBlockHeight == 16)

            // No session for an unknown application, a service the application is not staked for, or height 0.
            expectFailure(await t.call("stranger") { () async throws(ChainError) in
                try await c.port.session(application: Self.stranger, serviceID: Self.service, height: 5)
            }, "notFound")
            expectFailure(await t.call("other service") { () async throws(ChainError) in
                try await c.port.session(application: Self.app, serviceID: ContractGenesis.otherService, height: 5)
            }, "notFound")
            expectFailure(await t.call("height 0") { () async throws(ChainError) in
                try await c.port.session(application: Self.app, serviceID: Self.service, height: 0)
            }, "notFound")
            return t
        }
    }

    /// Shared params by height across the governance change at 21 (4 → 8
    /// blocks per session, grid re-anchored at 21 as session 6), and the
    /// sessions on either side of it; the session module's supplier count.
    @Test func sharedParamsAtHeightsAcrossAParamChange() async throws {
        try await Contract.holds { c in
            var t = Transcript()
            await c.produceBlocks(through: 25)
            var byHeight: [Int64: SharedParams] = [:]
            for height: Int64 in [0, 1, 20, 21, 25, 1_000] {
                byHeight[height] = try await t.call("params@\(height)") { () async throws(ChainError) in
                    try await c.port.sharedParams(atHeight: height)
                }.get()
            }
            #expect(byHeight[0] == ContractGenesis.sharedParams && byHeight[1] == ContractGenesis.sharedParams)
            #expect(byHeight[20] == ContractGenesis.sharedParams, "\(c.implementation)")
            let changed = try #require(byHeight[21])
            #expect(changed.numBlocksPerSession == 8 && changed.sessionGridAnchorHeight == 21 && changed.sessionNumberAtAnchor == 6)
            #expect(changed.claimWindowCloseOffsetBlocks == 4 && byHeight[25] == changed && byHeight[1_000] == changed)

            let before = try await c.port.session(application: Self.app, serviceID: Self.service, height: 20)
            let after = try await c.port.session(application: Self.app, serviceID: Self.service, height: 25)
            t.note("session@20", before)
            t.note("session@25", after)
            #expect(before.header.sessionStartBlockHeight == 17 && before.header.sessionEndBlockHeight == 20 && before.sessionNumber == 5)
            #expect(after.header.sessionStartBlockHeight == 21 && after.header.sessionEndBlockHeight == 28 && after.sessionNumber == 6)
            #expect(after.numBlocksPerSession == 8)

            #expect(try await t.call("num suppliers") { () async throws(ChainError) in try await c.port.numSuppliersPerSession() }.get() == 15)
            return t
        }
    }

    /// CUPR and difficulty as recorded per height (the change at 1000 is
    /// answered by height, long before the chain gets there), the live
    /// service, and notFound for a service that does not exist.
    @Test func difficultyAndComputeUnitsAtHeights() async throws {
        try await Contract.holds { c in
            var t = Transcript()
            await c.produceBlocks(through: 2)
            for height: Int64 in [1, 999, 1_000, 1_005] {
                let cupr = try await t.call("cupr@\(height)") { () async throws(ChainError) in
                    try await c.port.computeUnitsPerRelay(serviceID: Self.service, atHeight: height)
                }.get()
                let target = try await t.call("difficulty@\(height)") { () async throws(ChainError) in
                    try await c.port.relayDifficultyTarget(serviceID: Self.service, atHeight: height)
                }.get()
                let changed = height >= ContractGenesis.updateHeight
                #expect(cupr == (changed ? ContractGenesis.laterCUPR : ContractGenesis.cupr), "\(c.implementation) at \(height)")
                #expect(target == (changed ? ContractGenesis.laterTarget : RelayDifficulty.baseTargetHash), "\(c.implementation) at \(height)")
            }
            let service = try await t.call("service") { () async throws(ChainError) in try await c.port.service(id: Self.service) }.get()
            #expect(service.id == Self.service && service.computeUnitsPerRelay == ContractGenesis.cupr)
            #expect(try await c.port.computeUnitsPerRelay(serviceID: ContractGenesis.otherService, atHeight: 2) == 1)

            expectFailure(await t.call("unknown service") { () async throws(ChainError) in try await c.port.service(id: "nope") }, "notFound")
            expectFailure(await t.call("unknown cupr") { () async throws(ChainError) in
                try await c.port.computeUnitsPerRelay(serviceID: "nope", atHeight: 1)
            }, "notFound")
            expectFailure(await t.call("unknown difficulty") { () async throws(ChainError) in
                try await c.port.relayDifficultyTarget(serviceID: "nope", atHeight: 1)
            }, "notFound")
            return t
        }
    }

    /// Accounts with their genesis numbers, public keys and sequences: an
    /// ordered transaction from supplier 2 moves its sequence to 1, unordered
    /// ones leave it at 0. Balances, including an unknown address's zero.
    @Test func accountsWithSequenceAndPublicKey() async throws {
        try await Contract.holds { c in
            var t = Transcript()
            let end = ContractGenesis.grid.sessionEnd(1)
            await c.produceBlocks(through: ContractGenesis.grid.earliestClaimCommit(end) - 1)
            let work = try await SessionWork.make(on: c.port, height: 1, supplier: Keys.supplier2)
            // Supplier 2's account is first read after inclusion: the live client
            // serves a cached account for up to its live max age (90 s).
            let number = try await c.chain.account(address: Self.supplier2).accountNumber
            let ordered = TxBuilder(key: Keys.supplier2, unordered: false, sequence: 0, memo: "ordered", accountNumber: number)
            let result = try await c.port.broadcast(txBytes: try await ordered.build([work.claimMessage()], on: c.port))
            t.note("ordered broadcast", result)
            #expect(result.accepted, "\(result.log)")
            await c.produceBlock()

            let expected: [(PrivateKey, UInt64, UInt64)] = [(Keys.gateway, 1, 0), (Keys.app, 2, 0), (Keys.supplier, 3, 0), (Keys.supplier2, 4, 1)]
            for (key, number, sequence) in expected {
                let address = key.publicKey.address()
                let account = try await t.call("account \(address)") { () async throws(ChainError) in try await c.port.account(address: address) }.get()
                #expect(account.address == address && account.accountNumber == number && account.sequence == sequence, "\(c.implementation)")
                #expect(account.publicKey == key.publicKey)
            }
            expectFailure(await t.call("unknown account") { () async throws(ChainError) in try await c.port.account(address: Self.stranger) },
                          "notFound")

            #expect(try await t.call("balance app") { () async throws(ChainError) in try await c.port.balance(address: Self.app) }.get()
                == ContractGenesis.appBalance)
            #expect(try await t.call("balance stranger") { () async throws(ChainError) in try await c.port.balance(address: Self.stranger) }.get()
                == 0)
            #expect(try await t.call("balance supplier 2") { () async throws(ChainError) in try await c.port.balance(address: Self.supplier2) }.get()
                == ContractGenesis.supplierBalance - ordered.fee)
            return t
        }
    }

    /// A real signed claim transaction: simulated (gas), broadcast (code 0,
    /// the tx hash), absent from the claims while in the mempool, then
    /// stored once its block is produced, with the fee charged. Broadcasting
    /// the same bytes again is refused with a code, not an error.
    @Test func claimsAfterABroadcastClaimIsIncluded() async throws {
        try await Contract.holds { c in
            var t = Transcript()
            let end = ContractGenesis.grid.sessionEnd(1)
            await c.produceBlocks(through: ContractGenesis.grid.earliestClaimCommit(end) - 1)
            #expect(try await t.call("claims before") { () async throws(ChainError) in
                try await c.port.claims(supplierOperatorAddress: Self.supplier)
            }.get().isEmpty)

            let work = try await SessionWork.make(on: c.port, height: 1)
            let builder = TxBuilder()
            let txBytes = try await builder.build([work.claimMessage()], on: c.port)
            let gas = try await t.call("simulate") { () async throws(ChainError) in try await c.port.simulate(txBytes: txBytes) }.get()
            #expect(gas == FakeChain.gas(claimTxOfSize: txBytes.count) && gas < builder.gasLimit, "\(c.implementation): \(gas)")

            let broadcast = try await t.call("broadcast") { () async throws(ChainError) in try await c.port.broadcast(txBytes: txBytes) }.get()
            #expect(broadcast.code == 0 && broadcast.log.isEmpty && broadcast.txHash == CosmosTx.hash(txRaw: txBytes))
            #expect(try await c.port.claims(supplierOperatorAddress: Self.supplier).isEmpty, "still in the mempool")

            await c.produceBlock()
            let claims = try await t.call("claims after") { () async throws(ChainError) in
                try await c.port.claims(supplierOperatorAddress: Self.supplier)
            }.get()
            #expect(claims.count == 1, "\(c.implementation)")
            #expect(claims.first?.sessionHeader == work.header && claims.first?.rootHash == Data(work.tree.root))
            #expect(claims.first?.proofValidationStatus == .pendingValidation && claims.first?.supplierOperatorAddress == Self.supplier)
            #expect(try await c.port.claims(supplierOperatorAddress: Self.supplier2).isEmpty)
            #expect(try await t.call("balance") { () async throws(ChainError) in try await c.port.balance(address: Self.supplier) }.get()
                == ContractGenesis.supplierBalance - builder.fee)

            let again = try await t.call("broadcast again") { () async throws(ChainError) in try await c.port.broadcast(txBytes: txBytes) }.get()
            #expect(again.code != 0 && !again.log.isEmpty && again.txHash == broadcast.txHash)
            return t
        }
    }

    /// CheckTx refusals come back as the SDK's codes with their logs: a
    /// signature by the wrong key (4), an ordered tx with the wrong sequence
    /// (32), a fee under the minimum gas price (13), bytes that are no
    /// transaction (2); simulating those bytes is an invalid response.
    @Test func broadcastCodesForBadSignatureWrongSequenceAndInsufficientFee() async throws {
        try await Contract.holds { c in
            var t = Transcript()
            await c.produceBlocks(through: 2)
            let claim = try await SessionWork.make(on: c.port, height: 1).claimMessage()
            func broadcast(_ label: String, _ builder: TxBuilder) async throws -> BroadcastResult {
                let bytes = try await builder.build([claim], on: c.port)
                let result = try await t.call(label) { () async throws(ChainError) in try await c.port.broadcast(txBytes: bytes) }.get()
                #expect(result.txHash == CosmosTx.hash(txRaw: bytes))
                return result
            }
            let forged = try await broadcast("forged", TxBuilder(signingKey: Keys.stranger, memo: "forged"))
            #expect(forged.code == 4 && forged.log.contains("signature verification failed"), "\(c.implementation): \(forged)")
            let outOfOrder = try await broadcast("wrong sequence", TxBuilder(unordered: false, sequence: 7, memo: "ordered"))
            #expect(outOfOrder.code == 32 && outOfOrder.log.contains("account sequence mismatch, expected 0, got 7"), "\(outOfOrder)")
            let cheap = try await broadcast("cheap", TxBuilder(fee: 1, memo: "cheap"))
            #expect(cheap.code == 13 && cheap.log.contains("insufficient fees; got: 1upokt required: 5000upokt"), "\(cheap)")

            let garbage: [UInt8] = [0x0A, 0x02, 0xFF]
            let decode = try await t.call("garbage") { () async throws(ChainError) in try await c.port.broadcast(txBytes: garbage) }.get()
            #expect(decode.code == 2 && decode.txHash == CosmosTx.hash(txRaw: garbage))
            expectFailure(await t.call("simulate garbage") { () async throws(ChainError) in try await c.port.simulate(txBytes: garbage) },
                          "invalidResponse")
            #expect(await c.chain.ledger.broadcastRejections.map(\.code) == [4, 32, 13, 2])
            return t
        }
    }

    /// Unknown objects are notFound through every query that names one;
    /// known actors come back whole (the supplier hydrated, with its history).
    @Test func notFoundForUnknownObjectsAndActorsAsStaked() async throws {
        try await Contract.holds { c in
            var t = Transcript()
            await c.produceBlocks(through: 1)
            expectFailure(await t.call("app") { () async throws(ChainError) in try await c.port.application(address: Self.stranger) }, "notFound")
            expectFailure(await t.call("supplier") { () async throws(ChainError) in try await c.port.supplier(operatorAddress: Self.stranger) },
                          "notFound")
            expectFailure(await t.call("service") { () async throws(ChainError) in try await c.port.service(id: "nope") }, "notFound")
            expectFailure(await t.call("account") { () async throws(ChainError) in try await c.port.account(address: Self.stranger) }, "notFound")
            expectFailure(await t.call("session") { () async throws(ChainError) in
                try await c.port.session(application: Self.stranger, serviceID: Self.service, height: 1)
            }, "notFound")
            #expect(try await t.call("claims of a stranger") { () async throws(ChainError) in
                try await c.port.claims(supplierOperatorAddress: Self.stranger)
            }.get().isEmpty)

            let application = try await t.call("known app") { () async throws(ChainError) in try await c.port.application(address: Self.app) }.get()
            #expect(application.delegateeGatewayAddresses == [Self.gateway] && application.serviceConfigs.map(\.serviceID) == [Self.service])
            let supplier = try await t.call("known supplier") { () async throws(ChainError) in
                try await c.port.supplier(operatorAddress: Self.supplier)
            }.get()
            #expect(supplier.services.map(\.serviceID) == [Self.service, ContractGenesis.otherService])
            #expect(supplier.serviceConfigHistory.count == 2 && supplier.stake.amount == String(ContractGenesis.supplierStake))
            #expect(try await t.call("proof params") { () async throws(ChainError) in try await c.port.proofParams() }.get()
                == ContractGenesis.proofParams)
            return t
        }
    }
}

extension FakeChain {
    /// Gas of a one-claim transaction of `size` bytes, by the fake chain's schedule.
    static func gas(claimTxOfSize size: Int) -> UInt64 { 1_000 + 10 * UInt64(size) + 25_000 }
}
