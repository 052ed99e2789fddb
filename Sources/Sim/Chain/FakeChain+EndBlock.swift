import PocketProtocol
import RelayRuntime

/// The EndBlockers: the proof module validates the proofs stored in this
/// block (docs/protocol.md#proof-verification), then tokenomics settles the
/// claims whose proof window closes at this height (docs/protocol.md#settlement).
extension FakeChain {
    func validateSubmittedProofs(height: Int64) {
        for key in state.proofs.keys.sorted() {
            let stored = state.proofs[key]!
            state.proofs[key] = nil
            let failure: ProofInvalidity?
            if var claim = state.claims[key] {
                failure = validate(stored.proof, against: claim)
                claim.proofValidationStatus = failure == nil ? .validated : .invalid
                state.claims[key] = claim
            } else {
                failure = .claimMissing
            }
            let status: Pocket_Proof_ClaimProofStatus = failure == nil ? .validated : .invalid
            ledger.proofValidations.append(ProofValidation(supplier: key.supplier, sessionID: key.sessionID, height: height,
                                                           status: status, failure: failure))
            var fields: TelemetryLabels = [("supplier", key.supplier), ("session", key.sessionID), ("height", String(height))]
            if let failure { fields.append(("reason", failure.description)) }
            record(failure == nil ? "proof.validated" : "proof.invalid", fields)
        }
    }

    /// Every check the chain runs on a stored proof; nil when it is valid.
    func validate(_ proof: Pocket_Proof_Proof, against claim: Pocket_Proof_Claim) -> ProofInvalidity? {
        do {
            try checkProof(proof, claim: claim)
            return nil
        } catch {
            return error
        }
    }

    private func checkProof(_ proof: Pocket_Proof_Proof, claim: Pocket_Proof_Claim) throws(ProofInvalidity) {
        let header = proof.sessionHeader
        let closest: SparseMerkleClosestProof
        do {
            closest = try GobClosestProofCodec.decode(Bytes(proof.closestMerkleProof)).decompacted()
        } catch {
            throw .malformedProof(error.description)
        }
        guard let value = closest.value else { throw .malformedProof("the closest proof carries no leaf value") }
        let relay: ReceivedRelay
        do { relay = try ReceivedRelay(bytes: value) } catch { throw .relayUndecodable(error.description) }
        let request = relay.message.req
        let response = relay.message.res

        // RelayRequest / RelayResponse ValidateBasic.
        guard request.meta.hasSessionHeader else { throw .invalidRelayRequest("missing session header") }
        do { try request.meta.sessionHeader.validateBasic() } catch { throw .invalidRelayRequest(error.description) }
        guard !request.meta.signature.isEmpty else { throw .invalidRelayRequest("missing application signature") }
        guard response.meta.hasSessionHeader else { throw .invalidRelayResponse("missing session header") }
        do { try response.meta.sessionHeader.validateBasic() } catch { throw .invalidRelayResponse(error.description) }
        guard !response.meta.supplierOperatorSignature.isEmpty else { throw .invalidRelayResponse("missing supplier operator signature") }

        guard request.meta.supplierOperatorAddress == proof.supplierOperatorAddress else {
            throw .supplierMismatch(expected: proof.supplierOperatorAddress, got: request.meta.supplierOperatorAddress)
        }
        let onChain: Pocket_Session_SessionHeader
        do {
            onChain = try hydrateSession(application: header.applicationAddress, serviceID: header.serviceID,
                                         height: header.sessionStartBlockHeight).header
        } catch {
            throw .requestSessionHeaderMismatch(error.description)
        }
        if let difference = request.meta.sessionHeader.firstDifference(from: onChain) { throw .requestSessionHeaderMismatch(difference) }
        if let difference = response.meta.sessionHeader.firstDifference(from: onChain) { throw .responseSessionHeaderMismatch(difference) }

        try checkRingSignature(request)
        guard let supplierKey = state.accounts[proof.supplierOperatorAddress]?.publicKey,
              let responseHash = try? relay.responseSignableHash(),
              SupplierSignature.verify(Bytes(response.meta.supplierOperatorSignature), message: responseHash, publicKey: supplierKey)
        else { throw .supplierSignature }

        let target = services[header.serviceID]?.difficultyTarget(at: header.sessionStartBlockHeight) ?? []
        guard target.count == 32 else { throw .invalidDifficultyTarget(length: target.count) }
        let relayHash = Hash.sha256((try? CanonicalCodec.encode(relay.message)) ?? [])
        guard RelayDifficulty.isRelayVolumeApplicable(relayHash: relayHash, targetHash: target) else { throw .difficultyNotMet }

        let expectedPath = SessionID.proofPath(seedBlockHash: proofSeedHash(sessionEnd: header.sessionEndBlockHeight),
                                               sessionID: header.sessionID)
        guard closest.path == expectedPath else { throw .pathMismatch }
        do {
            try SMSTProofVerifier.verify(closest, root: Bytes(claim.rootHash))
        } catch {
            throw .closestProof(error.description)
        }
    }

    /// The ring check of docs/protocol.md#ring-membership with live state: the application, its
    /// current delegations and pending undelegations at the target session end.
    private func checkRingSignature(_ request: Pocket_Service_RelayRequest) throws(ProofInvalidity) {
        let header = request.meta.sessionHeader
        guard let application = state.applications[header.applicationAddress] else {
            throw .ringSignature("application \(header.applicationAddress) not found")
        }
        let targetEnd = SessionGrid(liveSharedParams).sessionEnd(header.sessionEndBlockHeight)
        let addresses = RingMembership.expectedAddresses(
            application: application.address, delegatedGateways: application.delegateeGatewayAddresses,
            pendingUndelegations: application.pendingUndelegations.mapValues(\.gatewayAddresses), sessionEndHeight: targetEnd)
        var expected: Set<PublicKey> = []
        for address in addresses {
            if address == RingMembership.placeholderAddress {
                expected.insert(RingMembership.placeholderPublicKey)
            } else if let key = state.accounts[address]?.publicKey {
                expected.insert(key)
            } else {
                throw .ringSignature("account \(address) has no public key")
            }
        }
        let message: Bytes
        do { message = try request.signableHash() } catch { throw .ringSignature(error.description) }
        if case .failure(let error) = RingMembership.accepts(signature: Bytes(request.meta.signature), message: message, expected: expected) {
            throw .ringSignature(error.description)
        }
    }

    // MARK: Settlement

    func settleClaims(height: Int64) {
        for key in state.claims.keys.sorted() {
            let claim = state.claims[key]!
            let header = claim.sessionHeader
            let end = header.sessionEndBlockHeight
            guard grid(at: end).proofWindowClose(end) <= height else { continue }
            let requirement = proofRequirement(for: claim)
            let outcome: SettlementOutcome
            switch (requirement.isRequired, claim.proofValidationStatus) {
            case (false, _), (true, .validated): outcome = .settled(requirement)
            case (true, .invalid): outcome = .expired(.proofInvalid, requirement: requirement)
            default: outcome = .expired(.proofMissing, requirement: requirement)
            }
            var slashed: UInt64 = 0
            if !outcome.isSettled {
                let stake = state.supplierStakes[key.supplier] ?? 0
                slashed = min(stake, proofParamsLive.proofMissingPenaltyUPOKT)
                state.supplierStakes[key.supplier] = stake - slashed
            }
            state.claims[key] = nil
            let root = Bytes(claim.rootHash)
            let record = SettlementRecord(
                supplier: key.supplier, sessionID: key.sessionID, applicationAddress: header.applicationAddress,
                serviceID: header.serviceID, sessionEndHeight: end, height: height, outcome: outcome,
                relayCount: ClaimAmount.relayCount(root: root), computeUnits: ClaimAmount.computeUnits(root: root),
                claimedUPOKT: UInt64(clamping: claimedUPOKT(claim)), proofStatus: claim.proofValidationStatus, slashedUPOKT: slashed)
            ledger.settlements.append(record)
            self.record(outcome.isSettled ? "claim.settled" : "claim.expired", [
                ("supplier", key.supplier), ("session", key.sessionID), ("height", String(height)),
                ("outcome", outcome.description), ("claimed_upokt", String(record.claimedUPOKT)), ("slashed_upokt", String(slashed)),
            ])
        }
    }
}
