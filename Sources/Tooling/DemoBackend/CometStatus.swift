import Foundation

/// A CometBFT 0.38 `/status` result (node_info, sync_info, validator_info)
/// for the demo backend: enough for a client that reads the network and the
/// latest height, shaped like a node's so a relayer's CometBFT service
/// answers look real. Hashes and keys are made up, derived from the height
/// and the backend id so they are stable.
enum CometStatus {
    static func result(height: Int64, backendID: String, network: String, rpcAddress: String, now: Date = Date()) -> DemoJSON {
        let time = rfc3339(now)
        let nodeSeed = fnv1a(backendID)
        return .object([
            ("node_info", .object([
                ("protocol_version", .object([("p2p", .string("8")), ("block", .string("11")), ("app", .string("0"))])),
                ("id", .string(hex(seed: nodeSeed, count: 40))),
                ("listen_addr", .string("tcp://0.0.0.0:26656")),
                ("network", .string(network)),
                ("version", .string("0.38.17")),
                ("channels", .string("40202122233038606100")),
                ("moniker", .string(backendID)),
                ("other", .object([("tx_index", .string("on")), ("rpc_address", .string(rpcAddress))])),
            ])),
            ("sync_info", .object([
                ("latest_block_hash", .string(hex(seed: UInt64(bitPattern: height), count: 64).uppercased())),
                ("latest_app_hash", .string(hex(seed: UInt64(bitPattern: height) ^ 0xA5A5, count: 64).uppercased())),
                ("latest_block_height", .string(String(height))),
                ("latest_block_time", .string(time)),
                ("earliest_block_hash", .string(hex(seed: 1, count: 64).uppercased())),
                ("earliest_app_hash", .string(hex(seed: 1 ^ 0xA5A5, count: 64).uppercased())),
                ("earliest_block_height", .string("1")),
                ("earliest_block_time", .string(time)),
                ("catching_up", .bool(false)),
            ])),
            ("validator_info", .object([
                ("address", .string(hex(seed: nodeSeed ^ 0x5A5A, count: 40).uppercased())),
                ("pub_key", .object([
                    ("type", .string("tendermint/PubKeyEd25519")),
                    ("value", .string(Data(bytes(seed: nodeSeed, count: 32)).base64EncodedString())),
                ])),
                ("voting_power", .string("0")),
            ])),
            ("backend_id", .string(backendID)),
        ])
    }

    /// RFC 3339 UTC with nanosecond digits, as CometBFT prints times.
    static func rfc3339(_ date: Date) -> String {
        let nanos = Int64((date.timeIntervalSince1970 * 1e9).rounded(.down))
        let seconds = nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
        let fraction = nanos - seconds * 1_000_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):"
            + "\(pad(secondOfDay % 60, 2)).\(pad(fraction, 9))Z"
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }

    /// `count` pseudo-random bytes from `seed` (splitmix64).
    static func bytes(seed: UInt64, count: Int) -> [UInt8] {
        var state = seed
        var out: [UInt8] = []
        while out.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            for shift in stride(from: 0, to: 64, by: 8) where out.count < count { out.append(UInt8(truncatingIfNeeded: z >> UInt64(shift))) }
        }
        return out
    }

    /// `count` lowercase hex digits from `seed`.
    static func hex(seed: UInt64, count: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes(seed: seed, count: (count + 1) / 2).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }.prefix(count))
    }
}
