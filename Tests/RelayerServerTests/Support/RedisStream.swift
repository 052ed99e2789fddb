import PocketProtocol
import RedisTooling
import RelayRuntime
import RelayRuntimeLive

/// Reads a supplier's relay stream straight from Redis.
enum RedisStream {
    static func entries(url: String, key: String) async throws -> [Pocket_Relayminer_MinedRelayMessage] {
        let client = try await LiveRedisClient.connect(url: url, poolSize: 1)
        defer { Task { await client.close() } }
        return try await client.xrange(key).map { entry in
            guard let data = entry.value(of: RedisKeys.relayField) else {
                throw TestFailure("stream entry \(entry.id) has no \(RedisKeys.relayField) field")
            }
            return try Pocket_Relayminer_MinedRelayMessage(serializedBytes: data)
        }
    }
}

/// Whether a redis-server binary is installed (the live tests need one).
enum LocalRedisServerAvailable {
    static let value = LocalRedisServer.binaryPath != nil
}
