/// A stable name for a random stream, hashed with FNV-1a so that it is the
/// same in every process (Swift's `Hasher` is seeded per process and must not
/// be used for anything that has to repeat).
///
/// Streams are named by what they are for ("arrivals", a profile's name, a
/// session ordinal), never by the order in which they are created, so adding
/// a profile or a field does not shift the draws of the others.
@usableFromInline package struct StreamIdentity: Sendable, Hashable {
    /// The FNV-1a / SplitMix64 digest of the parts appended so far.
    @inlinable
    package var hash: UInt64 { state }

    // Internal rather than `private(set)`: the `@inlinable` mutators below
    // must be able to write it from client modules.
    @usableFromInline var state: UInt64

    @usableFromInline package init(_ parts: String...) {
        state = 0xCBF2_9CE4_8422_2325
        for part in parts { append(part) }
    }

    /// Appends a string component (with a separator, so ("ab","c") != ("a","bc")).
    @usableFromInline package mutating func append(_ part: String) {
        for byte in part.utf8 { mixByte(byte) }
        mixByte(0xFF)
    }

    /// Appends an integer component, such as a session ordinal.
    @usableFromInline package mutating func append(_ value: UInt64) {
        state = SplitMix64.mix(state ^ SplitMix64.mix(value &+ 0x632B_E59B_D9B4_E019))
    }

    @usableFromInline package func appending(_ value: UInt64) -> StreamIdentity {
        var copy = self
        copy.append(value)
        return copy
    }

    @usableFromInline package func appending(_ part: String) -> StreamIdentity {
        var copy = self
        copy.append(part)
        return copy
    }

    mutating func mixByte(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    /// The 64-bit seed of this identity's stream under a run seed.
    @usableFromInline package func combined(with seed: UInt64) -> UInt64 {
        SplitMix64.mix(seed ^ SplitMix64.mix(hash))
    }
}
