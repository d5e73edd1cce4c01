import RealModule

/// A `load.schedule` from windowed rates: request counts per window of
/// `width` seconds, smoothed by a Gaussian kernel of `bandwidth` windows
/// (0: none), as multipliers at the window centres, linearly interpolated
/// and normalised so that m has mean 1 over [0, span]. With `repeat_s` (a
/// daily period), the windows are folded onto one period first. Stepped
/// (`interpolation: step`), a multiplier holds from its time to the next:
/// `denoised` writes one per window from the window's start.
package struct RateSchedule: Sendable, Equatable {
    package var times: [Double]
    package var multipliers: [Double]
    package var repeatSeconds: Double?
    package var step: Bool

    package init(times: [Double], multipliers: [Double], repeatSeconds: Double? = nil, step: Bool = false) {
        self.times = times
        self.multipliers = multipliers
        self.repeatSeconds = repeatSeconds
        self.step = step
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
        let (rates, lengths) = windowRates(times, span: span, width: width, period: period)
        let times = rates.indices.map { (Double($0) + 0.5) * width }
        var schedule = RateSchedule(times: times, multipliers: smoothed(rates, lengths: lengths, bandwidth: bandwidth), repeatSeconds: period)
        schedule.normalise(over: period ?? span)
        return schedule
    }

    /// The windowed rates with the count noise taken out (`SpectralShrink`;
    /// `noise`: the banded periodogram of the generator's own windowed rates
    /// under a flat schedule), stepped: each window's multiplier holds over
    /// the window, so a run's count in a window is that window's rate alone
    /// (linear interpolation would mix each window's noise into its
    /// neighbours' and correlate them). Negative rates are cut to 0.
    package static func denoised(_ times: [Double], span: Double, width: Double, noise: [Double], period: Double? = nil) -> (schedule: RateSchedule, keptVariance: Double) {
        let (rates, _) = windowRates(times, span: span, width: width, period: period)
        let (values, kept) = noise.count == rates.count ? SpectralShrink.shrunk(rates, noise: noise) : (rates, 1)
        var schedule = RateSchedule(times: rates.indices.map { Double($0) * width }, multipliers: values.map { Swift.max(0, $0) },
                                    repeatSeconds: period, step: true)
        schedule.normalise(over: period ?? span)
        return (schedule, kept)
    }

    /// The request rate per window over [0, span) (folded onto one period when
    /// there is one) and each window's covered length.
    package static func windowRates(_ times: [Double], span: Double, width: Double, period: Double? = nil) -> (rates: [Double], lengths: [Double]) {
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
        return (zip(counts, lengths).map { $0 / $1 }, lengths)
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
        if step { return multipliers[low] }
        let f = (t - times[low]) / (times[high] - times[low])
        return multipliers[low] + f * (multipliers[high] - multipliers[low])
    }

    /// ∫_0^t m, piece by piece (without repeat: `fit` uses it within the trace's span).
    package func integral(to t: Double) -> Double {
        guard !times.isEmpty else { return t }
        if step {
            // Each value from its time to the next (the first also before it).
            var total = 0.0, previous = 0.0
            for index in times.indices {
                let end = Swift.min(t, index + 1 < times.count ? times[index + 1] : t)
                if end > previous {
                    total += (end - previous) * multipliers[index]
                    previous = end
                }
                if end >= t { break }
            }
            return total
        }
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

/// How a fitted schedule goes on past the trace's span. Either way the first
/// period is the trace's own windows, so a run's first span is the trace's.
package enum BeyondSpan: String, Sendable, CaseIterable {
    /// Later periods play the trace's whole blocks of windows in a new random order.
    case shuffled
    /// The trace's own windows again, period after period (an exact repeat of its shape).
    case trace
}

/// The plan of a shuffled schedule: blocks of `blockWindows` windows (600 s
/// for a trace of half an hour or more, so that a 600 s count of a run falls
/// on exactly one block), the trace's `wholeBlocks` complete ones, and
/// `slots` blocks per later period (for 600 s blocks, whole hours: the
/// slots past the trace's blocks are fillers at the mean rate).
package struct BlockPlan: Sendable, Equatable {
    package var blockWindows: Int
    package var wholeBlocks: Int
    package var slots: Int
    /// Windows in the first period: the trace's, padded to whole slots (hours for 600 s blocks).
    package var firstWindows: Int

    package init(blockWindows: Int, wholeBlocks: Int, slots: Int, firstWindows: Int) {
        self.blockWindows = blockWindows
        self.wholeBlocks = wholeBlocks
        self.slots = slots
        self.firstWindows = firstWindows
    }

    /// Blocks of 600 s need three whole ones (half an hour); shorter traces are cut in thirds.
    package init(windows: Int, width: Double, span: Double) {
        let hourly = span >= 1800 && abs(600 / width - (600 / width).rounded()) < 1e-9
        blockWindows = hourly ? Int((600 / width).rounded()) : Swift.max(1, windows / 3)
        wholeBlocks = Swift.max(1, Swift.min(windows / blockWindows, Int((span / (Double(blockWindows) * width)).rounded(.down))))
        let group = hourly ? 6 : 1
        slots = (wholeBlocks + group - 1) / group * group
        let perGroup = group * blockWindows
        firstWindows = (windows + perGroup - 1) / perGroup * perGroup
    }

    package var fillers: Int { slots - wholeBlocks }
}

/// How the later periods of a shuffled schedule are levelled: the variance
/// budget over blocks and the smear of sessions across a block's end.
package struct BlockLevels: Sendable, Equatable {
    /// The share of a block's requests its sessions send in the next block (0 without sessions).
    package var spill: Double = 0
    /// Block levels' deviations from their mean are multiplied by this (1: as in the trace).
    package var shrink: Double = 1
    /// A filler's level: the blocks' mean plus or minus this many times their mean (the sign drawn per filler).
    package var fillerOffset: Double = 0

    package init(spill: Double = 0, shrink: Double = 1, fillerOffset: Double = 0) {
        self.spill = spill
        self.shrink = shrink
        self.fillerOffset = fillerOffset
    }

    /// The budget over `slots` blocks of `seconds`: the schedule's blocks take
    /// the variance of the trace's whole block counts (`levels` x `rate` x
    /// `seconds`) less what the generator adds by itself at that window
    /// (`intrinsicIDC` x the mean count: Poisson, sessions, bursts). Fillers
    /// sit far enough from the mean that the blocks keep that variance; when
    /// even fillers at the mean would give too much, deviations shrink.
    package init(levels: [Double], slots: Int, rate: Double, seconds: Double, intrinsicIDC: Double, spill: Double) {
        self.spill = Swift.min(0.45, Swift.max(0, spill))
        let n = Double(levels.count), k = Double(slots - levels.count)
        guard levels.count >= 2 else { return }
        let counts = levels.map { $0 * rate * seconds }
        let mean = counts.reduce(0, +) / n
        let squares = counts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        guard mean > 0, squares > 0 else { return }
        let target = Swift.max(0, squares / (n - 1) - intrinsicIDC * mean) * (n + k - 1)
        if target >= squares, k > 0 {
            fillerOffset = ((target - squares) / k).squareRoot() / mean
        } else {
            shrink = Swift.min(1, (target / squares).squareRoot())
        }
    }
}

extension RateSchedule {
    /// The schedule over its first period (the trace's windows, then fillers
    /// to whole slots) and `periods - 1` later ones, not repeating (so that
    /// before 0, in a warm start's burn-in, it holds the first window's
    /// value, as the fit that judged the first span had it): each
    /// later period plays the whole blocks of `base` (the trace's windowed
    /// request rates) and `plan.fillers` fillers in a random order (a
    /// fixed-seed stream), levelled by `levels`, their request rates scaled to mean 1. A filler
    /// is one of the trace's blocks (drawn at random) at its own level from
    /// `levels`: the trace's partial last block (a cut, not a full window of
    /// its load) is not replayed. With sessions each block's level is
    /// deconvolved so that, after the spill from the block before, its
    /// request rate is the target. `blockLevels`: each whole block's level
    /// when it is not its windows' mean (a denoised schedule's windows keep
    /// their shape, the budget is over the trace's own block counts).
    package func shuffled(width: Double, plan: BlockPlan, periods: Int, base: [Double]? = nil, blockLevels: [Double]? = nil,
                          levels budget: BlockLevels = BlockLevels(), seed: UInt64 = 1) -> RateSchedule {
        let source = base ?? multipliers
        let b = plan.blockWindows
        let blocks = (0..<plan.wholeBlocks).map { Array(source[($0 * b)..<(($0 + 1) * b)]) }
        let levels = blockLevels ?? blocks.map { $0.reduce(0, +) / Double(b) }
        let mean = levels.reduce(0, +) / Double(levels.count)
        var rng = Xoshiro256(seed: seed, identity: StreamIdentity("fit-shuffled-schedule"))
        func draw(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        /// A block's windows at `level`, and that level.
        func block(_ index: Int?) -> ([Double], Double) {
            guard let index else {
                let pick = draw(blocks.count)
                let level = mean * (1 + (draw(2) == 0 ? -1 : 1) * budget.fillerOffset)
                return (blocks[pick], level)
            }
            return (blocks[index], mean + budget.shrink * (levels[index] - mean))
        }
        var values = multipliers
        while values.count < plan.firstWindows {
            // The first period's pad: a block's windows at the blocks' mean level.
            let windows = blocks[draw(blocks.count)], own = windows.reduce(0, +) / Double(b)
            values += windows.prefix(plan.firstWindows - values.count).map { own > 0 ? $0 * mean / own : mean }
        }
        // Sessions spill into a period from the one before: the first later period's from the first's last block.
        var previous = values.suffix(b).reduce(0, +) / Double(b)
        for _ in 1..<Swift.max(2, periods) {
            // Fisher-Yates on an explicit draw, so a written schedule does not depend on the standard library's shuffle.
            var order = Array(0..<plan.slots)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, draw(i + 1)) }
            let picks = order.map { block($0 < blocks.count ? $0 : nil) }
            // The targets (request rates) are scaled to mean 1, not the levels: with the spill, a
            // period's request rate is its targets' mean, whatever its last block's level.
            let scale = picks.reduce(0) { $0 + $1.1 } / Double(picks.count)
            for (windows, target) in picks {
                let goal = scale > 0 ? target / scale : 1
                let level = Swift.max(0.1 * goal, (goal - budget.spill * previous) / (1 - budget.spill))
                let own = windows.reduce(0, +) / Double(b)
                values += windows.map { own > 0 ? $0 * level / own : level }
                previous = level
            }
        }
        return Self.windows(values, width: width, step: step)
    }

    /// One point per window: at its start when stepped; else at its centre,
    /// after a point at 0 at the first window's value.
    static func windows(_ values: [Double], width: Double, step: Bool, repeatSeconds: Double? = nil) -> RateSchedule {
        if step { return RateSchedule(times: values.indices.map { Double($0) * width }, multipliers: values, repeatSeconds: repeatSeconds, step: true) }
        let times = values.indices.map { (Double($0) + 0.5) * width }
        return RateSchedule(times: [0] + times, multipliers: [values[0]] + values, repeatSeconds: repeatSeconds)
    }

    /// (Both begin with a point at 0 at the first window's value: without a
    /// repeat the schedule holds that value before the first centre, and so
    /// the first span stays exactly what it was, not a ramp from the last point.)
    /// The trace's own windows, repeating every `windows x width` seconds.
    package func repeating(width: Double) -> RateSchedule {
        Self.windows(multipliers, width: width, step: step, repeatSeconds: Double(Swift.max(1, multipliers.count)) * width)
    }
}
