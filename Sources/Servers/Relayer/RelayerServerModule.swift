/// The relayer servers around one RelayerProcess.
enum RelayerServerModule {}
