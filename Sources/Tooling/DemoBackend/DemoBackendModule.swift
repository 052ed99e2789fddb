/// The demo backend served by `backend serve`.
enum DemoBackendModule {}
