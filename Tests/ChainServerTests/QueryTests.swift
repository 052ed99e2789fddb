import Foundation
import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import SimChain
import SwiftProtobuf
import Testing

/// Every query method of the stand-in, called with the generated client over
/// loopback HTTP/2, answers exactly what the FakeChain says directly.
@Suite(.timeLimit(.minutes(1)))
struct QueryTests {
    @Test func sessionsAndSharedParamsAreTheChainsOwn() async throws {
        try await StandIn.run { chain, client in
            try await StandIn.waitForHeight(6, on: chain)
            let sessions = Pocket_Session_Query.Client(wrapping: client)
            let app = Keys.app.publicKey.address()

            for height in [Int64(1), 4, 5, 6] {
                let answer = try await sessions.getSession(.with {
                    $0.applicationAddress = app
                    $0.serviceID = StandIn.service
                    $0.blockHeight = height
                })
                #expect(answer.session == (try await chain.session(application: app, serviceID: StandIn.service, height: height)))
            }
            #expect(try await sessions.getSession(.with { $0.applicationAddress = app; $0.serviceID = StandIn.service }).session.header.serviceID
                == StandIn.service)
            #expect(try await sessions.params(.init()).params.numSuppliersPerSession == 15)

            let shared = Pocket_Shared_Query.Client(wrapping: client)
            #expect(try await shared.params(.init()).params == SharedParams.wireOf(try await chain.sharedParams(atHeight: await chain.height)))
            for height in [Int64(0), 1, 400, 401, 1_000] {
                let answer = try await shared.paramsAtHeight(.with { $0.height = height })
                #expect(answer.params == SharedParams.wireOf(try await chain.sharedParams(atHeight: height)))
            }
            // The governance change at 401 doubles the session length and anchors the grid there.
            let later = try await shared.paramsAtHeight(.with { $0.height = 401 }).params
            #expect(later.numBlocksPerSession == 8 && later.sessionGridAnchorHeight == 401)
            #expect(SharedParams(later) == (try await chain.sharedParams(atHeight: 401)))
        }
    }

    @Test func serviceModuleAnswersHistoryByHeight() async throws {
        try await StandIn.run { chain, client in
            try await StandIn.waitForHeight(1, on: chain)
            let services = Pocket_Service_Query.Client(wrapping: client)

            let params = try await services.params(.init()).params
            #expect(params.targetNumRelays == 777 && params.addServiceFee.amount == "42" && params.addServiceFee.denom == "upokt")
            #expect(try await services.service(.with { $0.id = StandIn.service }).service == (try await chain.service(id: StandIn.service)))

            for height in [Int64(1), StandIn.updateHeight - 1, StandIn.updateHeight, StandIn.updateHeight + 5] {
                let cupr = try await services.computeUnitsPerRelayAtHeight(.with { $0.serviceID = StandIn.service; $0.blockHeight = height })
                #expect(cupr.computeUnitsPerRelay == (try await chain.computeUnitsPerRelay(serviceID: StandIn.service, atHeight: height)))
                let difficulty = try await services.relayMiningDifficultyAtHeight(.with { $0.serviceID = StandIn.service; $0.blockHeight = height })
                    .relayMiningDifficulty
                #expect(Bytes(difficulty.targetHash) == (try await chain.relayDifficultyTarget(serviceID: StandIn.service, atHeight: height)))
                #expect(difficulty.serviceID == StandIn.service && difficulty.numRelaysEma == 777)
                #expect(difficulty.blockHeight == (height >= StandIn.updateHeight ? StandIn.updateHeight : 1))
            }
            #expect(try await services.computeUnitsPerRelayAtHeight(.with { $0.serviceID = StandIn.service; $0.blockHeight = StandIn.updateHeight })
                .computeUnitsPerRelay == StandIn.laterCUPR)
        }
    }

    @Test func actorsAccountsAndBalancesAreTheChainsOwn() async throws {
        try await StandIn.run { chain, client in
            try await StandIn.waitForHeight(1, on: chain)
            let app = Keys.app.publicKey.address()
            let supplier = Keys.supplier.publicKey.address()
            let gateway = Keys.gateway.publicKey.address()

            let applications = Pocket_Application_Query.Client(wrapping: client)
            #expect(try await applications.application(.with { $0.address = app }).application == (try await chain.application(address: app)))
            let delegating = try await applications.allApplications(.with { $0.delegateeGatewayAddress = gateway })
            #expect(delegating.applications == [try await chain.application(address: app)])
            #expect(try await applications.allApplications(.with { $0.delegateeGatewayAddress = supplier }).applications.isEmpty)

            let suppliers = Pocket_Supplier_Query.Client(wrapping: client)
            let full = try await suppliers.supplier(.with { $0.operatorAddress = supplier }).supplier
            #expect(full == (try await chain.supplier(operatorAddress: supplier)))
            #expect(!full.serviceConfigHistory.isEmpty)
            let dehydrated = try await suppliers.supplier(.with { $0.operatorAddress = supplier; $0.dehydrated = true }).supplier
            #expect(dehydrated.serviceConfigHistory.isEmpty && dehydrated.services.map(\.serviceID) == full.services.map(\.serviceID))

            let auth = Cosmos_Auth_V1beta1_Query.Client(wrapping: client)
            let expected = try await chain.account(address: supplier)
            let packed = try await auth.account(.with { $0.address = supplier }).account
            #expect(packed.typeURL == "/cosmos.auth.v1beta1.BaseAccount")
            let account = try Cosmos_Auth_V1beta1_BaseAccount(serializedBytes: packed.value)
            #expect(account.address == supplier && account.accountNumber == expected.accountNumber && account.sequence == expected.sequence)
            #expect(account.pubKey.typeURL == "/cosmos.crypto.secp256k1.PubKey")
            #expect(Bytes(try Cosmos_Crypto_Secp256k1_PubKey(serializedBytes: account.pubKey.value).key) == Keys.supplier.publicKey.compressed)

            let bank = Cosmos_Bank_V1beta1_Query.Client(wrapping: client)
            let balance = try await bank.balance(.with { $0.address = app; $0.denom = "upokt" }).balance
            let direct = try await chain.balance(address: app)
            #expect(balance.denom == "upokt" && balance.amount == String(direct) && direct == 7_000)
            #expect(try await bank.balance(.with { $0.address = Keys.stranger.publicKey.address(); $0.denom = "upokt" }).balance.amount == "0")
            #expect(try await bank.balance(.with { $0.address = app; $0.denom = "uatom" }).balance.amount == "0")

            let proofs = Pocket_Proof_Query.Client(wrapping: client)
            #expect(try await proofs.params(.init()).params == ProofParams.localnet.wireForTest)
        }
    }

    @Test func listingsArePaged() async throws {
        try await StandIn.run { chain, client in
            try await StandIn.waitForHeight(1, on: chain)
            let applications = Pocket_Application_Query.Client(wrapping: client)
            let first = try await applications.allApplications(.with { $0.pagination = .with { $0.limit = 1; $0.countTotal = true } })
            #expect(first.applications.count == 1 && first.pagination.total == 1 && first.pagination.nextKey.isEmpty)
            await expectStatus(.invalidArgument) {
                try await applications.allApplications(.with { $0.pagination = .with { $0.key = Data([1]); $0.offset = 1 } })
            }
        }
    }
}

extension SharedParams {
    /// The wire form as the test expects it, field by field (independent of the server's conversion).
    static func wireOf(_ p: SharedParams) -> Pocket_Shared_Params {
        .with {
            $0.numBlocksPerSession = p.numBlocksPerSession
            $0.gracePeriodEndOffsetBlocks = p.gracePeriodEndOffsetBlocks
            $0.claimWindowOpenOffsetBlocks = p.claimWindowOpenOffsetBlocks
            $0.claimWindowCloseOffsetBlocks = p.claimWindowCloseOffsetBlocks
            $0.proofWindowOpenOffsetBlocks = p.proofWindowOpenOffsetBlocks
            $0.proofWindowCloseOffsetBlocks = p.proofWindowCloseOffsetBlocks
            $0.supplierUnbondingPeriodSessions = p.supplierUnbondingPeriodSessions
            $0.applicationUnbondingPeriodSessions = p.applicationUnbondingPeriodSessions
            $0.computeUnitsToTokensMultiplier = p.computeUnitsToTokensMultiplier
            $0.gatewayUnbondingPeriodSessions = p.gatewayUnbondingPeriodSessions
            $0.computeUnitCostGranularity = p.computeUnitCostGranularity
            $0.sessionGridAnchorHeight = p.sessionGridAnchorHeight
            $0.sessionNumberAtAnchor = p.sessionNumberAtAnchor
        }
    }
}

extension ProofParams {
    var wireForTest: Pocket_Proof_Params {
        .with {
            $0.proofRequestProbability = proofRequestProbability
            $0.proofRequirementThreshold = TxBuilder.upokt(proofRequirementThresholdUPOKT)
            $0.proofMissingPenalty = TxBuilder.upokt(proofMissingPenaltyUPOKT)
            $0.proofSubmissionFee = TxBuilder.upokt(proofSubmissionFeeUPOKT)
        }
    }
}
