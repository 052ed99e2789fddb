/// The Pocket Network (Shannon) relay-mining protocol as pure values and
/// functions: wire types, hashing and signatures, ring signatures, the sparse
/// merkle sum trie, session and window math, proof requirement and metering.
///
/// Nothing in this module performs I/O, reads a clock or owns a thread, so
/// every function can be checked bit-for-bit against the Go reference vectors
/// and run unchanged inside the deterministic simulator.
public enum PocketProtocolInfo {
    /// Version of the protocol rules implemented here (poktroll line they follow).
    public static let referenceLine = "poktroll v0.1.35"
}
