/// Session boundaries and the claim/proof timeline
/// (docs/protocol.md#sessions-and-windows), as the chain computes them. Every
/// function takes the shared params effective for the height in question
/// (docs/protocol.md#params-by-height says which height that is).
public struct SessionGrid: Sendable, Hashable {
    public let params: SharedParams

    public init(_ params: SharedParams) { self.params = params }

    private var blocks: Int64 { Int64(bitPattern: params.numBlocksPerSession) }

    /// (anchor, number at anchor), falling back to the block-1 grid below the anchor.
    private func anchor(for height: Int64) -> (Int64, Int64) {
        let anchor = Int64(bitPattern: params.sessionGridAnchorHeight)
        var n0 = Int64(bitPattern: params.sessionNumberAtAnchor)
        if anchor <= 0 || anchor > height { return (1, 1) }
        if n0 <= 0 { n0 = 1 }
        return (anchor, n0)
    }

    public func sessionStart(_ height: Int64) -> Int64 {
        guard height > 0 else { return 0 }
        let (a, _) = anchor(for: height)
        return a + (height - a) / blocks * blocks
    }

    /// The session's last block (inclusive).
    public func sessionEnd(_ height: Int64) -> Int64 {
        guard height > 0 else { return 0 }
        return sessionStart(height) + blocks - 1
    }

    public func sessionNumber(_ height: Int64) -> Int64 {
        guard height > 0 else { return 0 }
        let (a, n0) = anchor(for: height)
        return n0 + (height - a) / blocks
    }

    public func isSessionStart(_ height: Int64) -> Bool { sessionStart(height) == height }
    public func isSessionEnd(_ height: Int64) -> Bool { sessionEnd(height) == height }
    public func nextSessionStart(_ height: Int64) -> Int64 { sessionEnd(height) + 1 }

    public func gracePeriodEnd(_ height: Int64) -> Int64 {
        sessionEnd(height) + Int64(bitPattern: params.gracePeriodEndOffsetBlocks)
    }

    /// True once `currentHeight` is past the grace period of the session containing `sessionEndHeight`.
    public func isGracePeriodElapsed(sessionEndHeight: Int64, currentHeight: Int64) -> Bool {
        currentHeight > gracePeriodEnd(sessionEndHeight)
    }

    public func claimWindowOpen(_ height: Int64) -> Int64 {
        sessionEnd(height) + Int64(bitPattern: params.claimWindowOpenOffsetBlocks) + 1
    }

    public func claimWindowClose(_ height: Int64) -> Int64 {
        claimWindowOpen(height) + Int64(bitPattern: params.claimWindowCloseOffsetBlocks)
    }

    public func proofWindowOpen(_ height: Int64) -> Int64 {
        claimWindowClose(height) + Int64(bitPattern: params.proofWindowOpenOffsetBlocks)
    }

    public func proofWindowClose(_ height: Int64) -> Int64 {
        proofWindowOpen(height) + Int64(bitPattern: params.proofWindowCloseOffsetBlocks)
    }

    /// The randomized per-supplier offset is disabled on chain: claims may land from the window open.
    public func earliestClaimCommit(_ height: Int64) -> Int64 { claimWindowOpen(height) }
    public func earliestProofCommit(_ height: Int64) -> Int64 { proofWindowOpen(height) }

    /// The block whose hash seeds the proof path and the proof-requirement sample.
    public func proofSeedBlockHeight(_ height: Int64) -> Int64 { earliestProofCommit(height) - 1 }

    /// Blocks from a session end to its proof window close (no +1, as on chain).
    public var sessionEndToProofWindowCloseBlocks: Int64 {
        Int64(bitPattern: params.claimWindowOpenOffsetBlocks + params.claimWindowCloseOffsetBlocks
              + params.proofWindowOpenOffsetBlocks + params.proofWindowCloseOffsetBlocks)
    }

    /// Sessions whose claims can be pending at once: ceil(endToProofClose / N).
    public var numPendingSessions: Int64 {
        (sessionEndToProofWindowCloseBlocks + blocks - 1) / blocks
    }

    /// The session end settled in the EndBlock of the block after its proof window closes.
    public func settlementSessionEnd(_ height: Int64) -> Int64 {
        sessionEndToProofWindowCloseBlocks + sessionEnd(height) + 1
    }
}
