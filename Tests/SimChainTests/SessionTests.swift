import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import Testing

@Suite struct SessionTests {
    static func sortedAddresses(_ keys: [PrivateKey]) -> [String] {
        keys.map { $0.publicKey.address() }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    @Test func sessionsAreHydratedWithTheSpecFunctions() throws {
        let app = Keys.app.publicKey.address()
        let (session, block1, application, beforeStart, second, block11) = try Fixture.run { chain, _ in
            await chain.run(untilHeight: 7)
            let session = try await chain.session(application: app, serviceID: Fixture.service, height: 7)
            var beforeStart: ChainError?
            do throws(ChainError) { _ = try await chain.session(application: app, serviceID: Fixture.service, height: 11) } catch { beforeStart = error }
            await chain.run(untilHeight: 11)
            let second = try await chain.session(application: app, serviceID: Fixture.service, height: 15)
            return (session, try await chain.block(at: 1), try await chain.application(address: app), beforeStart,
                    second, try await chain.block(at: 11))
        }
        let id = SessionID.compute(startBlockHash: block1.hash, serviceID: Fixture.service, applicationAddress: app, sessionStartHeight: 1)
        #expect(session.header.applicationAddress == app)
        #expect(session.header.serviceID == Fixture.service)
        #expect(session.header.sessionID == id)
        #expect(session.sessionID == id)
        #expect(session.header.sessionStartBlockHeight == 1)
        #expect(session.header.sessionEndBlockHeight == 10)
        #expect(session.sessionNumber == 1)
        #expect(session.numBlocksPerSession == 10)
        #expect(session.application == application)
        #expect(application.delegateeGatewayAddresses == [Keys.gateway.publicKey.address()])
        // Both suppliers staked for anvil, in store (address) order, dehydrated to the one service.
        #expect(session.suppliers.map(\.operatorAddress) == Self.sortedAddresses([Keys.supplier, Keys.supplier2]))
        #expect(session.suppliers.allSatisfy { $0.services.map(\.serviceID) == [Fixture.service] && $0.serviceConfigHistory.isEmpty })
        #expect(beforeStart == .notFound("session start block 11 for height 11 is not produced yet"))
        #expect(second.header.sessionStartBlockHeight == 11 && second.header.sessionEndBlockHeight == 20 && second.sessionNumber == 2)
        #expect(second.header.sessionID == SessionID.compute(startBlockHash: block11.hash, serviceID: Fixture.service,
                                                             applicationAddress: app, sessionStartHeight: 11))
    }

    @Test func moreCandidatesThanSlotsAreSelectedByWeight() throws {
        let extra = (0..<5).map { GenesisSupplier(privateKey: PrivateKey.fromSecret("simchain-extra-\($0)"), services: [Fixture.service]) }
        let app = Keys.app.publicKey.address()
        let (session, block1) = try Fixture.run(Fixture.genesis(numSuppliersPerSession: 3, extraSuppliers: extra)) { chain, _ in
            await chain.run(untilHeight: 1)
            return (try await chain.session(application: app, serviceID: Fixture.service, height: 1), try await chain.block(at: 1))
        }
        let candidates = Self.sortedAddresses([Keys.supplier, Keys.supplier2] + extra.map(\.privateKey))
        let preimage = SessionID.preimage(startBlockHash: block1.hash, serviceID: Fixture.service, applicationAddress: app, sessionStartHeight: 1)
        let expected = SessionID.selectSuppliers(candidates, preimage: preimage, limit: 3)
        #expect(expected.count == 3)
        #expect(session.suppliers.map(\.operatorAddress) == expected)
        let weights = expected.map { SessionID.supplierWeight(preimage: preimage, supplierOperatorAddress: $0) }
        #expect(weights == weights.sorted())
    }

    @Test func unknownApplicationsAndServicesAreNotFound() throws {
        let errors = try Fixture.run { chain, _ in
            await chain.run(untilHeight: 1)
            var errors: [ChainError] = []
            for (app, service) in [(Keys.stranger, Fixture.service), (Keys.app, Fixture.otherService)] {
                do throws(ChainError) { _ = try await chain.session(application: app.publicKey.address(), serviceID: service, height: 1) } catch { errors.append(error) }
            }
            return errors
        }
        #expect(errors == [
            .notFound("application \(Keys.stranger.publicKey.address())"),
            .notFound("application \(Keys.app.publicKey.address()) is not staked for service \(Fixture.otherService)"),
        ])
    }

    /// A shorter session from height 21 re-anchors the grid there (docs/protocol.md#sessions-and-windows).
    @Test func paramsHistoryReanchorsTheGrid() throws {
        var shorter = SharedParams.localnet
        shorter.numBlocksPerSession = 5
        let genesis = Fixture.genesis(sharedParamsUpdates: [SharedParamsUpdate(effectiveHeight: 21, params: shorter)])
        let (at20, at21, session) = try Fixture.run(genesis) { chain, _ in
            await chain.run(untilHeight: 23)
            return (try await chain.sharedParams(atHeight: 20), try await chain.sharedParams(atHeight: 21),
                    try await chain.session(application: Keys.app.publicKey.address(), serviceID: Fixture.service, height: 23))
        }
        #expect(at20 == .localnet)
        #expect(at21.numBlocksPerSession == 5 && at21.sessionGridAnchorHeight == 21 && at21.sessionNumberAtAnchor == 3)
        #expect(session.header.sessionStartBlockHeight == 21 && session.header.sessionEndBlockHeight == 25)
        #expect(session.sessionNumber == 3 && session.numBlocksPerSession == 5)
    }

    @Test func computeUnitsAndDifficultyFollowTheirHistory() throws {
        let genesis = Fixture.genesis(cuprUpdates: [HeightUpdate(effectiveHeight: 11, value: 5)])
        let (cupr10, cupr11, live, target) = try Fixture.run(genesis) { chain, _ in
            await chain.run(untilHeight: 12)
            return (try await chain.computeUnitsPerRelay(serviceID: Fixture.service, atHeight: 10),
                    try await chain.computeUnitsPerRelay(serviceID: Fixture.service, atHeight: 11),
                    try await chain.service(id: Fixture.service).computeUnitsPerRelay,
                    try await chain.relayDifficultyTarget(serviceID: Fixture.service, atHeight: 11))
        }
        #expect(cupr10 == 3 && cupr11 == 5 && live == 5)
        #expect(target == RelayDifficulty.baseTargetHash)
    }

    @Test func accountsHaveKeysAndNumbersInGenesisOrder() throws {
        let (gateway, app, supplier, balance, stake) = try Fixture.run { chain, _ in
            (try await chain.account(address: Keys.gateway.publicKey.address()),
             try await chain.account(address: Keys.app.publicKey.address()),
             try await chain.account(address: Keys.supplier.publicKey.address()),
             try await chain.balance(address: Keys.supplier.publicKey.address()),
             try await chain.supplier(operatorAddress: Keys.supplier.publicKey.address()).stake)
        }
        #expect(gateway.accountNumber == 1 && app.accountNumber == 2 && supplier.accountNumber == 4)
        #expect(gateway.publicKey == Keys.gateway.publicKey && supplier.publicKey == Keys.supplier.publicKey)
        #expect(balance == Fixture.supplierBalance)
        #expect(stake.denom == "upokt" && stake.amount == String(Fixture.supplierStake))
    }
}
