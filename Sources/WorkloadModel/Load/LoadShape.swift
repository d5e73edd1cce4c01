/// The deterministic part of one level's load (schedule, diurnal, spikes),
/// prepared for the arrival path: breakpoints in integer nanoseconds, so
/// pieces start exactly where a factor changes its formula.
///
/// Immutable, shared by the arrival streams that use it.
final class LoadShape: Sendable {
    /// Schedule points in nanoseconds and their multipliers; with a period,
    /// extended by the last point one period earlier and the first one
    /// period later, so that every instant of a period falls in a segment.
    let scheduleTimes: [Int64]
    let scheduleValues: [Double]
    let step: Bool
    let period: Int64?
    let diurnal: (amplitude: Double, omega: Double, peak: Double)?
    /// Spikes: breakpoints (start, end of ramp up, start of ramp down, end).
    let spikes: [(a: Int64, b: Int64, c: Int64, d: Int64, multiplier: Double)]

    init(_ spec: LoadSpec) {
        var times: [Int64] = []
        var values: [Double] = []
        var period: Int64?
        if let schedule = spec.schedule {
            times = schedule.points.map { nanoseconds(fromSeconds: $0.time) }
            values = schedule.points.map(\.multiplier)
            if let repeatSeconds = schedule.repeatSeconds {
                let p = nanoseconds(fromSeconds: repeatSeconds)
                period = p
                times = [times[times.count - 1] - p] + times + [times[0] + p]
                values = [values[values.count - 1]] + values + [values[0]]
            }
        }
        scheduleTimes = times
        scheduleValues = values
        step = spec.schedule?.interpolation == .step
        self.period = period
        diurnal = spec.diurnal.map { ($0.amplitude, 2 * Double.pi / $0.periodSeconds, $0.peakAtSeconds) }
        spikes = spec.spikes.map {
            (nanoseconds(fromSeconds: $0.atSeconds), nanoseconds(fromSeconds: $0.atSeconds + $0.rampSeconds),
             nanoseconds(fromSeconds: $0.end - $0.rampSeconds), nanoseconds(fromSeconds: $0.end), $0.multiplier)
        }
    }

    /// The linear factors (value at `t`, slope per second) in force from `t`
    /// on, and the next instant after `t` where one of them changes.
    func linearFactors(at t: Int64, into factors: inout [(value: Double, slope: Double)]) -> Int64 {
        var next = Int64.max
        if !scheduleTimes.isEmpty {
            let (value, slope, change) = scheduleFactor(at: t)
            factors.append((value, slope))
            next = Swift.min(next, change)
        }
        if !spikes.isEmpty {
            for spike in spikes {
                let (value, slope, change) = Self.spikeFactor(spike, at: t)
                if value != 1 || slope != 0 { factors.append((value, slope)) }
                next = Swift.min(next, change)
            }
        }
        return next
    }

    func scheduleFactor(at t: Int64) -> (value: Double, slope: Double, change: Int64) {
        var offset: Int64 = 0
        var u = t
        if let period {
            // floor division, also for the negative times of a warm start's burn-in.
            var k = t / period
            if t < 0 && t % period != 0 { k -= 1 }
            offset = k * period
            u = t - offset
        }
        let times = scheduleTimes
        guard u >= times[0] else { return (scheduleValues[0], 0, times[0] + offset) }
        guard u < times[times.count - 1] else { return (scheduleValues[times.count - 1], 0, period.map { offset + $0 + times[1] } ?? .max) }
        // The segment [times[i], times[i+1]) containing u.
        var low = 0
        var high = times.count - 1
        while high - low > 1 {
            let mid = (low + high) / 2
            if times[mid] <= u { low = mid } else { high = mid }
        }
        let change = times[low + 1] + offset
        if step { return (scheduleValues[low], 0, change) }
        let slope = (scheduleValues[low + 1] - scheduleValues[low]) / (Double(times[low + 1] - times[low]) / 1e9)
        return (scheduleValues[low] + slope * (Double(u - times[low]) / 1e9), slope, change)
    }

    static func spikeFactor(_ s: (a: Int64, b: Int64, c: Int64, d: Int64, multiplier: Double), at t: Int64) -> (value: Double, slope: Double, change: Int64) {
        if t < s.a { return (1, 0, s.a) }
        if t >= s.d { return (1, 0, .max) }
        if t < s.b {
            let slope = (s.multiplier - 1) / (Double(s.b - s.a) / 1e9)
            return (1 + slope * (Double(t - s.a) / 1e9), slope, s.b)
        }
        if t < s.c { return (s.multiplier, 0, s.c) }
        let slope = (1 - s.multiplier) / (Double(s.d - s.c) / 1e9)
        return (s.multiplier + slope * (Double(t - s.c) / 1e9), slope, s.d)
    }
}
