import Foundation
import PocketProtocol
import RelayRuntime
import RelayRuntimeLive
import Testing

/// AllClaims is paged by the node; the client follows `next_key` to the end
/// and orders the claims as the port promises (session end, then id).
@Suite(.timeLimit(.minutes(1)))
struct LiveClientPagingTests {
    @Test func claimsFollowPaginationToTheLastPage() async throws {
        try await ContractChain.run(.liveClient, configure: { $0.claimsPageLimit = 1 }) { c in
            let supplier = Keys.supplier.publicKey.address()
            let grid = ContractGenesis.grid
            var headers: [Pocket_Session_SessionHeader] = []
            for session: Int64 in [1, 2] {
                let end = grid.sessionEnd(session * 4)
                await c.produceBlocks(through: grid.earliestClaimCommit(end) - 1)
                let work = try await SessionWork.make(on: c.port, height: end)
                #expect(try await c.port.broadcast(txBytes: try await TxBuilder(memo: "s\(session)").build([work.claimMessage()], on: c.port)).accepted)
                headers.append(work.header)
            }
            await c.produceBlock()
            let claims = try await c.port.claims(supplierOperatorAddress: supplier)
            #expect(claims.map(\.sessionHeader) == headers)
            #expect(claims == (try await c.chain.claims(supplierOperatorAddress: supplier)))
            #expect(await c.chain.allClaims().count == 2)
        }
    }
}
