import RealModule

/// The path of a `MarkovBursts` modulation, drawn lazily from its own
/// stream: the same seed and identity always give the same path, so every
/// arrival stream that shares a modulation (the workload-wide one) walks
/// its own copy and sees the same states at the same instants.
struct BurstPath: Sendable {
    var rng: Xoshiro256
    let multipliers: [Double]
    let meanDurations: [Double]
    var state: Int
    /// When the current state ends (nanoseconds).
    var switchAt: Int64

    /// A path that is stationary from `start` on.
    init(_ bursts: MarkovBursts, rng: Xoshiro256, start: Int64) {
        self.rng = rng
        multipliers = bursts.normalisedMultipliers
        meanDurations = bursts.states.map(\.meanDurationSeconds)
        // First state from the stationary law; its residual sojourn is again
        // exponential with the same mean (memoryless).
        let u = self.rng.nextUnit()
        var cumulative = 0.0
        var first = 0
        for (index, p) in bursts.stationary.enumerated() {
            cumulative += p
            first = index
            if u < cumulative { break }
        }
        state = first
        switchAt = start
        switchAt = start.saturatingAdd(sojourn())
    }

    mutating func sojourn() -> Int64 {
        nanoseconds(fromSeconds: -Double.log(rng.nextOpenUnit()) * meanDurations[state])
    }

    /// Moves to the state in force at `t` (t never decreases between calls).
    mutating func advance(to t: Int64) {
        while switchAt <= t {
            let other = Int(rng.nextBelow(UInt64(multipliers.count - 1)))
            state = other >= state ? other + 1 : other
            switchAt = switchAt.saturatingAdd(sojourn())
        }
    }

    var multiplier: Double { multipliers[state] }
}
