/// A multiplier of the new-session rate over virtual time (see the Load over time article):
/// m(t) = schedule(t) x diurnal(t) x spikes(t) x bursts(t), each factor 1
/// when absent. Arrival gaps are drawn in operational time, which advances
/// at rate m(t) (a time change; see `LoadClock`).
package struct LoadSpec: Sendable, Equatable {
    package var schedule: LoadSchedule?
    package var diurnal: DiurnalCycle?
    package var spikes: [LoadSpike]
    package var bursts: MarkovBursts?

    package init(schedule: LoadSchedule? = nil, diurnal: DiurnalCycle? = nil, spikes: [LoadSpike] = [], bursts: MarkovBursts? = nil) {
        self.schedule = schedule
        self.diurnal = diurnal
        self.spikes = spikes
        self.bursts = bursts
    }

    /// True when every factor is absent (m = 1).
    package var isIdentity: Bool { schedule == nil && diurnal == nil && spikes.isEmpty && bursts == nil }
}

/// A piecewise multiplier given by points: raw (it changes the load).
/// Before the first point it holds the first value, after the last the last
/// value; with `repeatSeconds` the points repeat with that period, wrapping
/// from the last point of one period to the first of the next.
package struct LoadSchedule: Sendable, Equatable {
    package enum Interpolation: String, Sendable, Equatable, CaseIterable {
        case linear
        case step
    }

    /// (virtual seconds, multiplier), times strictly increasing.
    package var points: [(time: Double, multiplier: Double)]
    package var interpolation: Interpolation
    package var repeatSeconds: Double?

    package init(points: [(time: Double, multiplier: Double)], interpolation: Interpolation = .linear, repeatSeconds: Double? = nil) {
        self.points = points
        self.interpolation = interpolation
        self.repeatSeconds = repeatSeconds
    }

    package static func == (a: LoadSchedule, b: LoadSchedule) -> Bool {
        a.interpolation == b.interpolation && a.repeatSeconds == b.repeatSeconds
            && a.points.map(\.time) == b.points.map(\.time) && a.points.map(\.multiplier) == b.points.map(\.multiplier)
    }
}

/// 1 + A cos(2 pi (t - peak) / period), with A = (r - 1) / (r + 1) for a
/// peak-to-trough ratio r: mean 1 over a period, max 2r/(1+r), min 2/(1+r).
package struct DiurnalCycle: Sendable, Equatable {
    package var periodSeconds: Double
    package var peakAtSeconds: Double
    package var peakToTrough: Double

    package init(periodSeconds: Double = 86_400, peakAtSeconds: Double = 0, peakToTrough: Double) {
        self.periodSeconds = periodSeconds
        self.peakAtSeconds = peakAtSeconds
        self.peakToTrough = peakToTrough
    }

    package var amplitude: Double { (peakToTrough - 1) / (peakToTrough + 1) }
}

/// A raw multiplier inside [at, at + duration], reached by linear ramps of
/// `rampSeconds` at both ends (from and back to 1). Overlapping spikes
/// multiply; they may overlap only where both are at full height.
package struct LoadSpike: Sendable, Equatable {
    package var atSeconds: Double
    package var durationSeconds: Double
    package var multiplier: Double
    package var rampSeconds: Double

    package init(atSeconds: Double, durationSeconds: Double, multiplier: Double, rampSeconds: Double = 0) {
        self.atSeconds = atSeconds
        self.durationSeconds = durationSeconds
        self.multiplier = multiplier
        self.rampSeconds = rampSeconds
    }

    /// Where the spike is at full height.
    package var plateau: ClosedRange<Double> {
        (atSeconds + rampSeconds)...(atSeconds + durationSeconds - rampSeconds)
    }

    package var end: Double { atSeconds + durationSeconds }
}

/// A Markov-modulated multiplier: exponential sojourns with the given means,
/// the next state uniform among the others, the first from the stationary
/// distribution. Multipliers are rescaled so the long-run mean is 1.
package struct MarkovBursts: Sendable, Equatable {
    package struct State: Sendable, Equatable {
        package var multiplier: Double
        package var meanDurationSeconds: Double

        package init(multiplier: Double, meanDurationSeconds: Double) {
            self.multiplier = multiplier
            self.meanDurationSeconds = meanDurationSeconds
        }
    }

    package var states: [State]

    package init(states: [State]) {
        self.states = states
    }

    /// Time-stationary probabilities: the jump chain is uniform among the
    /// other states (stationary law uniform), so pi_i is proportional to the
    /// mean sojourn d_i.
    package var stationary: [Double] {
        let total = states.reduce(0) { $0 + $1.meanDurationSeconds }
        return states.map { $0.meanDurationSeconds / total }
    }

    /// The multipliers rescaled to long-run mean 1.
    package var normalisedMultipliers: [Double] {
        let mean = zip(stationary, states).reduce(0) { $0 + $1.0 * $1.1.multiplier }
        return states.map { $0.multiplier / mean }
    }
}
