/// The `relay` test and load client.
enum RelayClientModule {}
