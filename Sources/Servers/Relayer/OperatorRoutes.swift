import HTTPTypes
import Hummingbird
import NIOCore
import RelayRuntime
import RelayRuntimeLive

/// The operator endpoints: `/health` (the process is up; 200 with the current
/// height), `/ready` (200 only when `RelayerReadiness` passes, else 503 with
/// the failing checks), and `/metrics` (Prometheus text format).
enum OperatorRoutes {
    static func addHealth<Context: RequestContext>(to router: Router<Context>, readiness: RelayerReadiness) {
        for path in ["/health", "/healthz"] {
            router.get(RouterPath(path)) { _, _ -> Response in
                let height = await readiness.height()
                return json(.ok, "{\"status\":\"healthy\",\"block_height\":\(height)}")
            }
        }
        router.get("/ready") { _, _ -> Response in
            let report = await readiness.check()
            let problems = report.problems.map { JSONText.quoted($0) }.joined(separator: ",")
            let status = report.ready ? "ready" : "not_ready"
            return json(report.ready ? .ok : .serviceUnavailable,
                        "{\"status\":\"\(status)\",\"block_height\":\(report.blockHeight),\"problems\":[\(problems)]}")
        }
    }

    static func addMetrics<Context: RequestContext>(to router: Router<Context>, telemetry: PrometheusTelemetry) {
        router.get("/metrics") { _, _ -> Response in
            var fields = HTTPFields()
            fields[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: telemetry.exposition())))
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
