import RelayRuntime
@testable import RelayRuntimeLive
import Testing

@Suite struct RESPCodecTests {
    @Test func encodesArgvAsRESP2Arrays() {
        #expect(RESPEncoder.bytes([[bytes("SET"), bytes("k"), bytes("v")]]) == bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"))
        #expect(RESPEncoder.bytes([[bytes("GET"), []]]) == bytes("*2\r\n$3\r\nGET\r\n$0\r\n\r\n"))
    }

    @Test func encodesBinaryArgumentsAndPipelinesVerbatim() {
        let binary: [UInt8] = [0, 13, 10, 255]
        let long = [UInt8](repeating: 0x61, count: 1234)
        let encoded = RESPEncoder.bytes([[bytes("PING")], [bytes("SET"), binary, long]])
        let expected = bytes("*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$4\r\n") + binary + bytes("\r\n$1234\r\n") + long + bytes("\r\n")
        #expect(encoded == expected)
        #expect(RESPEncoder.encodedSize([bytes("SET"), binary, long]) == expected.count - 14)
    }

    @Test func parsesEveryReplyTypeFromAnyFragmentation() throws {
        let wire = bytes("+OK\r\n:-42\r\n$-1\r\n*-1\r\n$0\r\n\r\n-ERR boom\r\n*2\r\n*1\r\n$1\r\na\r\n:1\r\n$4\r\n\r\n\r\n\r\n*0\r\n")
        let expected: [RedisReply] = [
            .status("OK"), .integer(-42), .null, .null, .bulk([]), .error("ERR boom"),
            .array([.array([.bulk("a")]), .integer(1)]), .bulk([13, 10, 13, 10]), .array([]),
        ]
        for fragment in [1, 7, wire.count] {
            let reader = HiredisReader()
            var replies: [RedisReply] = []
            var offset = 0
            while offset < wire.count {
                let end = min(offset + fragment, wire.count)
                try reader.feed(Array(wire[offset..<end]))
                while let reply = try reader.next() { replies.append(reply) }
                offset = end
            }
            #expect(replies == expected, "fragment size \(fragment)")
        }
    }

    @Test func incompleteReplyWaitsForMoreBytes() throws {
        let reader = HiredisReader()
        try reader.feed(bytes("$5\r\nhel"))
        #expect(try reader.next() == nil)
        try reader.feed(bytes("lo\r\n"))
        #expect(try reader.next() == .bulk("hello"))
    }

    @Test func rejectsRESP3AndGarbage() throws {
        let resp3 = HiredisReader()
        try? resp3.feed(bytes("%1\r\n+a\r\n+b\r\n"))
        #expect(throws: RESPProtocolError.self) { _ = try resp3.next() }
        let garbage = HiredisReader()
        try? garbage.feed(bytes("hello\r\n"))
        #expect(throws: RESPProtocolError.self) { _ = try garbage.next() }
    }

    @Test func compoundCommandsBecomeEVALSHAWithEVALFallback() {
        var profile = ServerProfile()
        let sha = bytes(String(repeating: "a", count: 40))
        profile.scriptSHAs[CompoundScript.compareAndDelete.rawValue] = sha
        let command = RedisCommand.compareAndDelete(key: "lease", expected: bytes("me"))
        let planned = PlannedCommand(command, profile: profile)
        #expect(planned.argv == [bytes("EVALSHA"), sha, bytes("1"), bytes("lease"), bytes("me")])
        #expect(planned.evalFallback == command.arguments)
        // Without a loaded script the portable EVAL form goes out unchanged.
        let unloaded = PlannedCommand(.compareAndExtend(key: "lease", expected: bytes("me"), milliseconds: 5), profile: profile)
        #expect(unloaded.argv.first == bytes("EVAL"))
        #expect(unloaded.evalFallback == nil)
        #expect(PlannedCommand(.get(key: "k"), profile: profile).argv == [bytes("GET"), bytes("k")])
    }

    @Test func ackAndDeleteUsesXACKDELWhenTheServerHasIt() {
        var profile = ServerProfile()
        profile.hasXACKDEL = true
        let ids = [StreamID(milliseconds: 1, sequence: 1), StreamID(milliseconds: 1, sequence: 2), StreamID(milliseconds: 9, sequence: 0)]
        let planned = PlannedCommand(.ackAndDelete(key: "s", group: "g", ids: ids), profile: profile)
        #expect(planned.argv == ["XACKDEL", "s", "g", "IDS", "3", "1-1", "1-2", "9-0"].map(bytes))
        // Per-id codes: 1 acked+deleted, 2 acked but kept, -1 no such entry → [acked, deleted].
        #expect(planned.finish(.array([.integer(1), .integer(2), .integer(-1)])) == .array([.integer(2), .integer(1)]))
        #expect(planned.finish(.error("ERR x")) == .error("ERR x"))
        profile.hasXACKDEL = false
        #expect(PlannedCommand(.ackAndDelete(key: "s", group: "g", ids: ids), profile: profile).argv.first == bytes("EVAL"))
    }

    @Test func handshakeDetectsXACKDELAndRejectsBadCredentials() {
        let url = RedisURL(host: "h", port: 1, username: "alice", password: "pw", database: 2)
        let handshake = Handshake(url: url, clientName: "n", purpose: .commands)
        #expect(handshake.commands[0] == ["AUTH", "alice", "pw"].map(bytes))
        #expect(handshake.commands[1] == ["SELECT", "2"].map(bytes))
        #expect(handshake.commands[2] == ["CLIENT", "SETNAME", "n"].map(bytes))
        #expect(handshake.commands.last == ["COMMAND", "INFO", "XACKDEL"].map(bytes))
        let sha = RedisReply.bulk(String(repeating: "f", count: 40))
        let loads = Array(repeating: sha, count: CompoundScript.allCases.count)
        let on70 = handshake.interpret([.ok, .ok, .ok] + loads + [.array([.null])])
        #expect((try? on70.get())?.hasXACKDEL == false)
        #expect((try? on70.get())?.sha(.fenced) == bytes(String(repeating: "f", count: 40)))
        let on82 = handshake.interpret([.ok, .ok, .ok] + loads + [.array([.array([.bulk("xackdel"), .integer(-5)])])])
        #expect((try? on82.get())?.hasXACKDEL == true)
        let wrong = handshake.interpret([.error("WRONGPASS invalid username-password pair or user is disabled.")])
        #expect(wrong == .failure(.authenticationFailed(endpoint: "h:1", user: "alice", message: "WRONGPASS invalid username-password pair or user is disabled.")))
        let badDB = handshake.interpret([.ok, .error("ERR DB index is out of range")])
        #expect(badDB == .failure(.databaseSelectionFailed(endpoint: "h:1", database: 2, message: "ERR DB index is out of range")))
    }
}
