import RelayRuntimeLive

/// What `relayer validate` reports: every problem of the file and, once the
/// file is usable, of the supplier keys it points at.
public struct RelayerValidation: Sendable {
    public let file: String
    /// Problems that would stop the relayer from starting; empty when it can start.
    public let problems: [ConfigProblem]
    public let warnings: [ConfigProblem]
    /// The suppliers the relayer would sign for (empty when the file or the keys are unusable).
    public let operatorAddresses: [String]

    public var isValid: Bool { problems.isEmpty }
}

extension RelayerConfigFile {
    /// Loads the file, then its supplier keys, and reports everything found
    /// (key problems under `keys.keys_file` / `keys.keys_dir`, never with key material).
    public static func validate(path: String, redisURLOverride: String? = nil) -> RelayerValidation {
        let settings: RelayerSettings
        do {
            settings = try load(path: path, redisURLOverride: redisURLOverride)
        } catch {
            return RelayerValidation(file: path, problems: error.problems, warnings: error.warnings, operatorAddresses: [])
        }
        do {
            let keys = try SupplierKeyFiles.load(settings.keys)
            return RelayerValidation(file: path, problems: [], warnings: settings.warnings, operatorAddresses: keys.map(\.operatorAddress))
        } catch {
            let problems = error.problems.map { problem in
                ConfigProblem(keyPath: keyPath(of: problem, in: settings.keys), message: problem.description)
            }
            return RelayerValidation(file: path, problems: problems, warnings: settings.warnings, operatorAddresses: [])
        }
    }

    static func keyPath(of problem: SupplierKeysError.Problem, in source: KeysSource) -> String {
        if problem.file == source.keysFile { return "keys.keys_file" }
        if let directory = source.keysDirectory, problem.file.hasPrefix(directory) { return "keys.keys_dir" }
        return "keys"
    }
}
