/// xoshiro256** (Blackman and Vigna 2018): the generator behind every random
/// stream in the model. Value type, 32 bytes of state, seeded through
/// SplitMix64 so that any 64-bit seed (including 0) gives a valid state.
@usableFromInline package struct Xoshiro256: RandomNumberGenerator, Sendable, Equatable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    @inlinable
    package init(seed: UInt64) {
        var expander = SplitMix64(seed: seed)
        s0 = expander.next()
        s1 = expander.next()
        s2 = expander.next()
        s3 = expander.next()
    }

    /// A generator with the given raw state (not all zero), for reference vectors.
    @usableFromInline package init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        (s0, s1, s2, s3) = state
    }

    /// A child stream for a stable identity: the same `seed` and `identity`
    /// always give the same stream, whatever else the program draws.
    @inlinable
    package init(seed: UInt64, identity: StreamIdentity) {
        self.init(seed: identity.combined(with: seed))
    }

    @inlinable
    package mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }
}

extension RandomNumberGenerator {
    /// A uniform double in the open interval (0, 1): never 0, never 1, so it is
    /// safe to take its logarithm or raise it to a negative power.
    @inlinable
    package mutating func nextOpenUnit() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// A uniform double in [0, 1).
    @inlinable
    package mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
    @inlinable
    package mutating func nextBelow(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }
}
