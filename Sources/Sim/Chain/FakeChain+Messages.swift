import PocketProtocol
import RelayRuntime

/// MsgCreateClaim and MsgSubmitProof as the proof module's message server
/// handles them (docs/protocol.md#claim-and-proof-acceptance), with `height` = the including block's height.
extension FakeChain {
    func apply(_ message: ChainMessage, to state: inout ChainState, height: Int64, txHash: String) throws(MessageRejection) -> MessageEffect {
        if let rejection = validateBasic(message) { throw rejection }
        switch message {
        case .claim(let claim): return .claim(try createClaim(claim, in: &state, height: height, txHash: txHash))
        case .proof(let proof): return .proof(try submitProof(proof, in: &state, height: height, txHash: txHash))
        }
    }

    /// Session check of both messages: the on-chain session at the header's
    /// start has the same id and end, and contains the supplier.
    func validateSession(_ header: Pocket_Session_SessionHeader, supplier: String) throws(MessageRejection) -> Pocket_Session_Session {
        let session: Pocket_Session_Session
        do {
            session = try hydrateSession(application: header.applicationAddress, serviceID: header.serviceID,
                                         height: header.sessionStartBlockHeight)
        } catch {
            throw .sessionNotFound(error.description)
        }
        guard session.header.sessionID == header.sessionID else {
            throw .sessionIDMismatch(expected: session.header.sessionID, got: header.sessionID)
        }
        guard session.header.sessionEndBlockHeight == header.sessionEndBlockHeight else {
            throw .sessionEndMismatch(expected: session.header.sessionEndBlockHeight, got: header.sessionEndBlockHeight)
        }
        guard session.suppliers.contains(where: { $0.operatorAddress == supplier }) else { throw .supplierNotInSession(supplier) }
        return session
    }

    func createClaim(_ msg: Pocket_Proof_MsgCreateClaim, in state: inout ChainState, height: Int64, txHash: String) throws(MessageRejection) -> AcceptedClaim {
        let header = msg.sessionHeader
        let supplier = msg.supplierOperatorAddress
        _ = try validateSession(header, supplier: supplier)
        let end = header.sessionEndBlockHeight
        let grid = grid(at: end)
        let earliest = grid.earliestClaimCommit(end)
        let close = grid.claimWindowClose(end)
        guard height >= earliest else { throw .claimTooEarly(height: height, earliest: earliest) }
        guard height <= close else { throw .claimTooLate(height: height, windowClose: close) }

        let root = Bytes(msg.rootHash)
        let count = ClaimAmount.relayCount(root: root)
        let sum = ClaimAmount.computeUnits(root: root)
        let cupr = services[header.serviceID]?.computeUnitsPerRelay(at: header.sessionStartBlockHeight) ?? 0
        let (expected, overflow) = count.multipliedReportingOverflow(by: cupr)
        guard !overflow, expected == sum else { throw .computeUnitsMismatch(sum: sum, count: count, computeUnitsPerRelay: cupr) }

        let key = ClaimKey(sessionID: header.sessionID, supplier: supplier)
        let replaced = state.claims[key] != nil
        var claim = Pocket_Proof_Claim()
        claim.supplierOperatorAddress = supplier
        claim.sessionHeader = header
        claim.rootHash = msg.rootHash
        state.claims[key] = claim
        return AcceptedClaim(supplier: supplier, sessionHeader: header, rootHash: root, relayCount: count, computeUnits: sum,
                             height: height, txHash: txHash, replacedEarlierClaim: replaced)
    }

    func submitProof(_ msg: Pocket_Proof_MsgSubmitProof, in state: inout ChainState, height: Int64, txHash: String) throws(MessageRejection) -> AcceptedProof {
        let header = msg.sessionHeader
        let supplier = msg.supplierOperatorAddress
        _ = try validateSession(header, supplier: supplier)
        do {
            _ = try GobClosestProofCodec.decode(Bytes(msg.proof)).decompacted()
        } catch {
            throw .malformedProof(error.description)
        }
        let end = header.sessionEndBlockHeight
        let grid = grid(at: end)
        let earliest = grid.earliestProofCommit(end)
        let close = grid.proofWindowClose(end)
        guard height >= earliest else { throw .proofTooEarly(height: height, earliest: earliest) }
        guard height <= close else { throw .proofTooLate(height: height, windowClose: close) }

        let key = ClaimKey(sessionID: header.sessionID, supplier: supplier)
        guard let claim = state.claims[key] else { throw .claimNotFound }
        let fee = proofParamsLive.proofSubmissionFeeUPOKT
        let balance = state.balances[supplier] ?? 0
        guard balance > fee else { throw .insufficientBalanceForProofFee(balance: balance, fee: fee) }
        state.balances[supplier] = balance - fee

        let requirement = proofRequirement(for: claim)
        guard requirement.isRequired else { throw .proofNotRequired }
        var proof = Pocket_Proof_Proof()
        proof.supplierOperatorAddress = supplier
        proof.sessionHeader = header
        proof.closestMerkleProof = msg.proof
        state.proofs[key] = StoredProof(proof: proof, height: height, txHash: txHash)
        return AcceptedProof(supplier: supplier, sessionID: header.sessionID, height: height, txHash: txHash, requirement: requirement)
    }

    // MARK: Proof requirement (docs/protocol.md#claimed-amount, #proof-requirement)

    /// What prices a claim: its compute units, and the difficulty target and
    /// token params at the session start.
    private func pricing(_ claim: Pocket_Proof_Claim) -> (computeUnits: UInt64, target: Bytes, params: SharedParams) {
        let header = claim.sessionHeader
        let start = header.sessionStartBlockHeight
        let target = services[header.serviceID]?.difficultyTarget(at: start) ?? RelayDifficulty.baseTargetHash
        return (ClaimAmount.computeUnits(root: Bytes(claim.rootHash)), target, sharedParamsAt(start))
    }

    /// Claimed uPOKT (docs/protocol.md#claimed-amount), saturated to UInt64.
    func claimedUPOKT(_ claim: Pocket_Proof_Claim) -> UInt64 {
        let p = pricing(claim)
        return UInt64(clamping: ClaimAmount.claimedUPOKT(
            computeUnits: p.computeUnits, targetHash: p.target,
            computeUnitsToTokensMultiplier: p.params.computeUnitsToTokensMultiplier,
            computeUnitCostGranularity: p.params.computeUnitCostGranularity))
    }

    /// The hash of block ProofWindowOpen − 1 (params at session end): proof path and requirement seed.
    func proofSeedHash(sessionEnd: Int64) -> Bytes {
        blockAt(grid(at: sessionEnd).proofSeedBlockHeight(sessionEnd))?.hash ?? []
    }

    /// The chain's decision for the stored claim, with exact amounts (its
    /// current proof status is part of the hashed claim bytes).
    func proofRequirement(for claim: Pocket_Proof_Claim) -> ProofRequirement {
        let p = pricing(claim)
        let claimHash = Hash.sha256((try? CanonicalCodec.encode(claim)) ?? [])
        return ProofRequirement.evaluate(
            claimedUPOKT: ClaimAmount.claimedUPOKT(
                computeUnits: p.computeUnits, targetHash: p.target,
                computeUnitsToTokensMultiplier: p.params.computeUnitsToTokensMultiplier,
                computeUnitCostGranularity: p.params.computeUnitCostGranularity),
            thresholdUPOKT: .init(proofParamsLive.proofRequirementThresholdUPOKT),
            claimHash: claimHash, seedBlockHash: proofSeedHash(sessionEnd: claim.sessionHeader.sessionEndBlockHeight),
            probability: proofParamsLive.proofRequestProbability)
    }
}
