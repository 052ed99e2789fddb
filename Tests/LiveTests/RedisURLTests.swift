import RelayRuntime
@testable import RelayRuntimeLive
import Testing

@Suite struct RedisURLTests {
    @Test func hostOnlyDefaultsToPort6379AndDatabase0() throws {
        let url = try RedisURL(parsing: "redis://localhost")
        #expect(url == RedisURL(host: "localhost", port: 6379, username: nil, password: nil, database: 0))
        #expect(url.endpoint == "localhost:6379")
    }

    @Test func portAndDatabase() throws {
        #expect(try RedisURL(parsing: "redis://127.0.0.1:6380/2") == RedisURL(host: "127.0.0.1", port: 6380, database: 2))
        #expect(try RedisURL(parsing: "redis://h/").database == 0)
        #expect(try RedisURL(parsing: "redis://h:1/15").database == 15)
    }

    @Test func passwordOnlyMeansDefaultUser() throws {
        let url = try RedisURL(parsing: "redis://:s3cret@redis.internal:7000")
        #expect(url.username == nil)
        #expect(url.password == "s3cret")
        #expect(url.host == "redis.internal")
        #expect(url.port == 7000)
    }

    @Test func userPasswordPercentDecodingAndLastAt() throws {
        let url = try RedisURL(parsing: "redis://alice:p%40ss%3Aw@h:1/15")
        #expect(url.username == "alice")
        #expect(url.password == "p@ss:w")
        #expect(try RedisURL(parsing: "redis://u:p@ss/x@h").password == "p@ss/x")
        #expect(try RedisURL(parsing: "redis://u:p@ss/x@h").host == "h")
    }

    @Test func ipv6Literal() throws {
        let url = try RedisURL(parsing: "redis://[::1]:7001/3")
        #expect(url.host == "::1")
        #expect(url.port == 7001)
        #expect(url.database == 3)
        #expect(url.endpoint == "[::1]:7001")
        #expect(try RedisURL(parsing: "redis://[::1]").port == 6379)
    }

    @Test func descriptionNeverShowsThePassword() throws {
        #expect(try RedisURL(parsing: "redis://alice:topsecret@h:1/15").description == "redis://alice:***@h:1/15")
        #expect(try RedisURL(parsing: "redis://:topsecret@h").description == "redis://:***@h:6379")
        #expect(try RedisURL(parsing: "redis://h").description == "redis://h:6379")
    }

    @Test(arguments: [
        ("localhost:6379", RedisURLError.missingScheme),
        ("rediss://h", .unsupportedScheme("rediss")),
        ("http://h:80", .unsupportedScheme("http")),
        ("redis://", .missingHost),
        ("redis://:6379", .missingHost),
        ("redis://h:0", .invalidPort("0")),
        ("redis://h:70000", .invalidPort("70000")),
        ("redis://h:abc", .invalidPort("abc")),
        ("redis://h:", .invalidPort("")),
        ("redis://h:1:2", .invalidHost("h:1:2")),
        ("redis://bad host", .invalidHost("bad host")),
        ("redis://h/x", .invalidDatabase("x")),
        ("redis://h/-1", .invalidDatabase("-1")),
        ("redis://h/1/2", .invalidDatabase("1/2")),
        ("redis://user@h", .invalidUserInfo("expected 'user:password@' or ':password@'")),
        ("redis://u:@h", .invalidUserInfo("empty password")),
        ("redis://u:%zz@h", .invalidUserInfo("bad percent-encoding")),
        ("redis://h?timeout=1", .unsupportedComponent("?timeout=1")),
        ("redis://h/0?x", .unsupportedComponent("0?x")),
    ])
    func invalidURLsGiveTypedErrors(text: String, expected: RedisURLError) {
        #expect(throws: expected) { try RedisURL(parsing: text) }
    }

    @Test func errorMessagesNameTheProblemAndTheSyntax() {
        #expect(RedisURLError.invalidPort("70000").description == "invalid Redis URL: bad port '70000' (1-65535)")
        #expect(RedisURLError.missingHost.description.contains("redis://[[user]:password@]host[:port][/db]"))
    }

    @Test func connectRejectsABadURLBeforeAnyIO() async {
        do {
            _ = try await LiveRedisClient.connect(url: "redis://h:99999")
            Issue.record("expected invalidURL")
        } catch {
            #expect(error == .invalidURL(.invalidPort("99999")))
        }
    }

    @Test func backoffDoublesFrom50msAndCapsAt2s() {
        let policy = ReconnectBackoffPolicy(initial: .milliseconds(50), maximum: .seconds(2))
        #expect((1...8).map { policy.delay(afterFailures: $0) } == [
            .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400),
            .milliseconds(800), .milliseconds(1600), .seconds(2), .seconds(2),
        ])
        #expect(policy.delay(afterFailures: 0) == .zero)
    }
}
