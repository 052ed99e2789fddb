import RelayRuntime
public enum PocketSimInfo {}
