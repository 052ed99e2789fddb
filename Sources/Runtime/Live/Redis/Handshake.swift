import RelayRuntime

/// The compound operations that run as Lua scripts on servers without a native command.
enum CompoundScript: Int, CaseIterable, Sendable {
    case compareAndDelete, compareAndExtend, acquireLease, ackAndDelete, fenced, appendUnlessSealed, sealStream

    var source: String {
        switch self {
        case .compareAndDelete: return RedisScripts.compareAndDelete
        case .compareAndExtend: return RedisScripts.compareAndExtend
        case .acquireLease: return RedisScripts.acquireLease
        case .ackAndDelete: return RedisScripts.ackAndDelete
        case .fenced: return RedisScripts.fenced
        case .appendUnlessSealed: return RedisScripts.appendUnlessSealed
        case .sealStream: return RedisScripts.sealStream
        }
    }

    init?(_ command: RedisCommand) {
        switch command {
        case .compareAndDelete: self = .compareAndDelete
        case .compareAndExtend: self = .compareAndExtend
        case .acquireLease: self = .acquireLease
        case .ackAndDelete: self = .ackAndDelete
        case .fenced: self = .fenced
        case .appendUnlessSealed: self = .appendUnlessSealed
        case .sealStream: self = .sealStream
        default: return nil
        }
    }
}

/// What one connection's handshake learned about its server.
struct ServerProfile: Sendable, Equatable {
    /// SHA1 of each script as `SCRIPT LOAD` returned it (indexed by `CompoundScript.rawValue`);
    /// nil when loading failed, and the command then goes out as EVAL.
    var scriptSHAs: [[UInt8]?] = Array(repeating: nil, count: CompoundScript.allCases.count)
    /// Redis ≥ 8.2 `XACKDEL` is available (probed with `COMMAND INFO XACKDEL`).
    var hasXACKDEL = false

    func sha(_ script: CompoundScript) -> [UInt8]? { scriptSHAs[script.rawValue] }
}

/// What a connection is for, which decides what its handshake does.
enum ConnectionPurpose: Sendable {
    /// Ordinary commands: load scripts and probe optional commands too.
    case commands
    /// Pub/sub: only credentials and name.
    case subscriber
}

/// The commands sent on every new connection, as one pipeline, and how
/// their replies are judged.
///
/// AUTH and SELECT run on *every* connection because Redis scopes both to the
/// connection; SCRIPT LOAD runs on every connection too, which re-fills the
/// script cache after a server restart so EVALSHA rarely meets NOSCRIPT.
struct Handshake {
    enum Step {
        case auth, select, setName, loadScript(CompoundScript), probeXACKDEL
    }

    let steps: [Step]
    let commands: [[[UInt8]]]
    private let url: RedisURL

    init(url: RedisURL, clientName: String?, purpose: ConnectionPurpose) {
        self.url = url
        var steps: [Step] = []
        var commands: [[[UInt8]]] = []
        func add(_ step: Step, _ argv: [String]) {
            steps.append(step)
            commands.append(argv.map { Array($0.utf8) })
        }
        if let password = url.password {
            if let user = url.username { add(.auth, ["AUTH", user, password]) } else { add(.auth, ["AUTH", password]) }
        }
        if url.database != 0 { add(.select, ["SELECT", String(url.database)]) }
        // Always at least one command, so a server that needs a password we
        // do not have says NOAUTH now rather than on the first real command.
        add(.setName, ["CLIENT", "SETNAME", clientName ?? "pocket-relay-miner"])
        if purpose == .commands {
            for script in CompoundScript.allCases { add(.loadScript(script), ["SCRIPT", "LOAD", script.source]) }
            add(.probeXACKDEL, ["COMMAND", "INFO", "XACKDEL"])
        }
        self.steps = steps
        self.commands = commands
    }

    func interpret(_ replies: [RedisReply]) -> Result<ServerProfile, LiveRedisError> {
        var profile = ServerProfile()
        for (step, reply) in zip(steps, replies) {
            if case .error(let message) = reply {
                if message.hasPrefix("NOAUTH") || message.hasPrefix("WRONGPASS") {
                    return .failure(.authenticationFailed(endpoint: url.endpoint, user: url.username, message: message))
                }
                switch step {
                case .auth:
                    return .failure(.authenticationFailed(endpoint: url.endpoint, user: url.username, message: message))
                case .select:
                    return .failure(.databaseSelectionFailed(endpoint: url.endpoint, database: url.database, message: message))
                case .setName, .loadScript, .probeXACKDEL:
                    continue // optional: EVAL and the script fallback still work
                }
            }
            switch step {
            case .loadScript(let script):
                if case .bulk(let sha) = reply, sha.count == 40 { profile.scriptSHAs[script.rawValue] = sha }
            case .probeXACKDEL:
                // `[nil]` when the command does not exist (7.0), `[[name, arity, …]]` when it does.
                if case .array(let items) = reply, let first = items.first, case .array = first { profile.hasXACKDEL = true }
            case .auth, .select, .setName:
                break
            }
        }
        return .success(profile)
    }
}
