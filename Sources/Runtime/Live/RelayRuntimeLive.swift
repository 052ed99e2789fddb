import RelayRuntime
public enum RelayRuntimeLiveInfo {}
