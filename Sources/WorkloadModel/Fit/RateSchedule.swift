import RealModule

/// A `load.schedule` from windowed rates: request counts per window of
/// `width` seconds, smoothed by a Gaussian kernel of `bandwidth` windows
/// (0: none), as multipliers at the window centres, linearly interpolated
/// and normalised so that m has mean 1 over [0, span]. With `repeat_s` (a
/// daily period), the windows are folded onto one period first.
package struct RateSchedule: Sendable, Equatable {
    package var times: [Double]
    package var multipliers: [Double]
    package var repeatSeconds: Double?

    package init(times: [Double], multipliers: [Double], repeatSeconds: Double? = nil) {
        self.times = times
        self.multipliers = multipliers
        self.repeatSeconds = repeatSeconds
    }

    /// Counts per window over [0, span) (the last window may be partial) and each window's length.
    package static func counts(_ times: [Double], span: Double, width: Double) -> (counts: [Double], lengths: [Double]) {
        let windows = Swift.max(1, Int((span / width).rounded(.up)))
        var counts = [Double](repeating: 0, count: windows)
        for t in times where t >= 0 { counts[Swift.min(windows - 1, Int(t / width))] += 1 }
        let lengths = (0..<windows).map { Swift.min(width, span - Double($0) * width) }.map { Swift.max($0, 1e-9) }
        return (counts, lengths)
    }

    package static func fitted(_ times: [Double], span: Double, width: Double, bandwidth: Double, period: Double? = nil) -> RateSchedule {
        var (counts, lengths) = counts(times, span: span, width: width)
        if let period {
            // Fold: each time-of-day window's rate is the mean over the days that cover it.
            let perPeriod = Int((period / width).rounded())
            var folded = [Double](repeating: 0, count: perPeriod), covered = folded
            for i in counts.indices {
                folded[i % perPeriod] += counts[i]
                covered[i % perPeriod] += lengths[i]
            }
            counts = folded
            lengths = covered.map { Swift.max($0, 1e-9) }
        }
        let rates = smoothed(zip(counts, lengths).map { $0 / $1 }, lengths: lengths, bandwidth: bandwidth)
        let times = rates.indices.map { (Double($0) + 0.5) * width }
        var schedule = RateSchedule(times: times, multipliers: rates, repeatSeconds: period)
        schedule.normalise(over: period ?? span)
        return schedule
    }

    /// Rates per window smoothed by a Gaussian kernel of `bandwidth` windows
    /// (0: as they are), each window weighted by its length.
    package static func smoothed(_ rates: [Double], lengths: [Double], bandwidth: Double) -> [Double] {
        guard bandwidth > 0 else { return rates }
        let reach = Int((3 * bandwidth).rounded(.up))
        return rates.indices.map { i in
            var sum = 0.0, weight = 0.0
            for j in Swift.max(0, i - reach)...Swift.min(rates.count - 1, i + reach) {
                let z = Double(j - i) / bandwidth
                let w = Double.exp(-z * z / 2) * lengths[j]
                sum += w * rates[j]
                weight += w
            }
            return sum / weight
        }
    }

    /// Scales the multipliers so that m has mean 1 over [0, seconds].
    package mutating func normalise(over seconds: Double) {
        let mean = integral(to: seconds) / seconds
        if mean > 0 { multipliers = multipliers.map { $0 / mean } }
    }

    /// m(t): the first value before the first point, the last after the last (no repeat).
    package func value(at t: Double) -> Double {
        guard let first = times.first, let last = times.last else { return 1 }
        if t <= first { return multipliers[0] }
        if t >= last { return multipliers[multipliers.count - 1] }
        var low = 0, high = times.count - 1
        while high - low > 1 {
            let mid = (low + high) / 2
            if times[mid] <= t { low = mid } else { high = mid }
        }
        let f = (t - times[low]) / (times[high] - times[low])
        return multipliers[low] + f * (multipliers[high] - multipliers[low])
    }

    /// ∫_0^t m, piece by piece (without repeat: `fit` uses it within the trace's span).
    package func integral(to t: Double) -> Double {
        guard !times.isEmpty else { return t }
        var total = 0.0
        var previous = 0.0
        var previousValue = multipliers[0]
        for (time, value) in zip(times, multipliers) {
            if time >= t { break }
            if time > previous {
                total += (time - previous) * (value + previousValue) / 2
                previous = time
            }
            previousValue = value
        }
        let end = value(at: t)
        total += (t - previous) * (previousValue + end) / 2
        return total
    }
}
