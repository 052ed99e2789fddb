/// Operator configuration files (relayer and miner YAML). See RelayerFile.swift.
enum OperatorConfigModule {}
