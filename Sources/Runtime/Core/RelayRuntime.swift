public enum RelayRuntimeInfo {}
