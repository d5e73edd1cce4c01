import RealModule

/// A `load.schedule` from windowed rates: request counts per window of
/// `width` seconds, smoothed by a Gaussian kernel of `bandwidth` windows
/// (0: none), as multipliers at the window centres, linearly interpolated
/// and normalised so that m has mean 1 over [0, span]. With `repeat_s` (a
/// daily period), the windows are folded onto one period first.
public struct RateSchedule: Sendable, Equatable {
    public var times: [Double]
    public var multipliers: [Double]
    public var repeatSeconds: Double?

    public init(times: [Double], multipliers: [Double], repeatSeconds: Double? = nil) {
        self.times = times
        self.multipliers = multipliers
        self.repeatSeconds = repeatSeconds
    }

    /// Counts per window over [0, span) (the last window may be partial) and each window's length.
    public static func counts(_ times: [Double], span: Double, width: Double) -> (counts: [Double], lengths: [Double]) {
        let windows = Swift.max(1, Int((span / width).rounded(.up)))
        var counts = [Double](repeating: 0, count: windows)
        for t in times where t >= 0 { counts[Swift.min(windows - 1, Int(t / width))] += 1 }
        let lengths = (0..<windows).map { Swift.min(width, span - Double($0) * width) }.map { Swift.max($0, 1e-9) }
        return (counts, lengths)
    }

    public static func fitted(_ times: [Double], span: Double, width: Double, bandwidth: Double, period: Double? = nil) -> RateSchedule {
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
    public static func smoothed(_ rates: [Double], lengths: [Double], bandwidth: Double) -> [Double] {
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
    public mutating func normalise(over seconds: Double) {
        let mean = integral(to: seconds) / seconds
        if mean > 0 { multipliers = multipliers.map { $0 / mean } }
    }

    /// m(t): the first value before the first point, the last after the last (no repeat).
    public func value(at t: Double) -> Double {
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
    public func integral(to t: Double) -> Double {
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

    /// How a fitted schedule goes on past the trace's span.
    public enum BeyondSpan: String, Sendable, CaseIterable {
        /// The trace's blocks of windows in a new random order each period.
        case shuffled
        /// The trace's own windows again, period after period.
        case trace
    }

    /// Windows per block for `shuffled`: the largest multiple of `aligned`
    /// seconds (the longest IDC window the fit is judged on) that still cuts
    /// the windows into two blocks and at least half a third (the last may be
    /// shorter), so a block keeps the trace's slow variation within it and,
    /// but for the last, a 600 s count never straddles two blocks; shorter
    /// traces are cut into three blocks of windows.
    public static func blockWindows(windows: Int, width: Double, aligned: Double = 600) -> Int {
        let perAligned = Swift.max(1, Int((aligned / width).rounded()))
        guard 2 * windows >= 5 * perAligned else { return Swift.max(1, windows / 3) }
        var block = perAligned
        while 2 * windows >= 5 * (block + perAligned) { block += perAligned }
        return block
    }

    /// The schedule over `periods` periods of the trace's windows, repeating
    /// after them: the first period is the trace's own order, each later one
    /// its blocks of `blockWindows` windows in a random order (a fixed-seed
    /// stream). Every period has the trace's windowed rates, so its mean rate
    /// and the spread of its window and block rates; only the order changes.
    public func shuffled(width: Double, blockWindows: Int, periods: Int, seed: UInt64 = 1) -> RateSchedule {
        let windows = multipliers.count
        let blocks = stride(from: 0, to: windows, by: blockWindows).map { $0..<Swift.min(windows, $0 + blockWindows) }
        let period = Double(windows) * width
        var rng = Xoshiro256(seed: seed, identity: StreamIdentity("fit-shuffled-schedule"))
        var out = RateSchedule(times: [], multipliers: [], repeatSeconds: Double(periods) * period)
        for cycle in 0..<periods {
            var order = Array(blocks.indices)
            if cycle > 0 { order.shuffle(using: &rng) }
            var slot = 0
            for window in order.flatMap({ blocks[$0] }) {
                out.times.append(Double(cycle) * period + (Double(slot) + 0.5) * width)
                out.multipliers.append(multipliers[window])
                slot += 1
            }
        }
        return out
    }

    /// The trace's own windows, repeating every `windows x width` seconds.
    public func repeating(width: Double) -> RateSchedule {
        RateSchedule(times: times, multipliers: multipliers, repeatSeconds: Double(Swift.max(1, multipliers.count)) * width)
    }
}
