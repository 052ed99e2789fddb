import GRPCCore

/// `demo.DemoService` on the gRPC listener. Request metadata injects faults:
/// `x-demo-status: N` fails the call with gRPC status code N (1–16; 0 is OK),
/// `x-demo-delay-ms: N` waits N ms first. Answers carry the backend id in the
/// message and in the `x-backend-id` response metadata.
struct DemoGRPCService: Demo_DemoService.ServiceProtocol {
    let state: DemoBackendState
    let backendID: String

    func getBlockHeight(request: ServerRequest<Demo_BlockHeightRequest>, context: ServerContext) async throws -> ServerResponse<Demo_BlockHeightResponse> {
        await state.count(.grpcGetBlockHeight)
        try await applyFaults(request.metadata)
        var response = Demo_BlockHeightResponse()
        response.height = await state.nextHeight()
        response.backendID = backendID
        response.echo = request.message.echo
        return ServerResponse(message: response, metadata: ["x-backend-id": .string(backendID)])
    }

    func streamBlocks(request: ServerRequest<Demo_StreamBlocksRequest>, context: ServerContext) async throws -> StreamingServerResponse<Demo_Block> {
        await state.count(.grpcStreamBlocks)
        try await applyFaults(request.metadata)
        let total = request.message.count == 0 ? DemoStream.defaultBatches : min(Int(request.message.count), DemoStream.maxBatches)
        let delay = min(Int(request.message.delayMs), DemoFaults.maxDelayMilliseconds)
        let state = state
        let backendID = backendID
        return StreamingServerResponse(metadata: ["x-backend-id": .string(backendID)]) { writer in
            for sequence in 1...total {
                if demoStopping { break }
                if sequence > 1, !(await demoPause(milliseconds: delay)) { break }
                var block = Demo_Block()
                block.height = await state.nextHeight()
                block.sequence = UInt32(sequence)
                block.total = UInt32(total)
                block.backendID = backendID
                try await writer.write(block)
            }
            return [:]
        }
    }

    private func applyFaults(_ metadata: Metadata) async throws {
        if let text = metadata[stringValues: "x-demo-delay-ms"].first(where: { _ in true }) {
            guard let delay = Int(text), (0...DemoFaults.maxDelayMilliseconds).contains(delay) else {
                throw RPCError(code: .invalidArgument, message: "x-demo-delay-ms: \(text) must be an integer in 0...\(DemoFaults.maxDelayMilliseconds)")
            }
            await state.count(injected: "delay")
            _ = await demoPause(milliseconds: delay)
        }
        if let text = metadata[stringValues: "x-demo-status"].first(where: { _ in true }) {
            guard let number = Int(text), let status = Status.Code(rawValue: number) else {
                throw RPCError(code: .invalidArgument, message: "x-demo-status: \(text) must be a gRPC status code, 0...16")
            }
            guard let code = RPCError.Code(status) else { return }  // 0: OK, nothing to inject
            await state.count(injected: "status")
            throw RPCError(code: code, message: "injected status \(number) (asked by the x-demo-status metadata)")
        }
    }
}
