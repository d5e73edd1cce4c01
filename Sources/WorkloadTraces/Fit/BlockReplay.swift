import WorkloadModel

/// Within the span, the schedule's whole 600 s blocks at the trace's own
/// realised levels: its slow shape, not its minute noise (the windows inside
/// a block keep the chosen schedule's shape, so the 60 s figures are not
/// counted twice). A run adds its own noise to every block again (Poisson,
/// sessions, bursts: about `noiseIDC` x the mean count), so the blocks keep
/// sqrt(1 - noise / trace) of the trace's deviations from their mean: the
/// expected IDC over 600 s is then the trace's. Past the span the stationary
/// process takes over (`FittedModel.shuffledSchedule`), from the schedule
/// without these factors.
struct BlockReplay {
    static let seconds = 600.0
    /// Fixed-point steps: with sessions a block's requests are partly the block before's new sessions.
    static let iterations = 4

    /// Per whole block of the span, the factor on the schedule's points in it.
    var factors: [Double]
    /// The share of the trace's block deviations kept, and the two IDCs it comes from.
    var kept: Double
    var traceIDC: Double
    var noiseIDC: Double

    /// Nil under three whole blocks, or for a schedule folded onto a day.
    init?(schedule: RateSchedule, expected: ExpectedLoad, sample: RequestSample) {
        let n = Int(sample.span / Self.seconds), per = Int(Self.seconds / 60)
        guard n >= 3, schedule.repeatSeconds == nil else { return nil }
        var real = [Double](repeating: 0, count: n)
        for t in sample.times where t >= 0 && Int(t / Self.seconds) < n { real[Int(t / Self.seconds)] += 1 }
        let mean = real.reduce(0, +) / Double(n)
        guard mean > 0 else { return nil }
        let trace = real.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1) / mean
        let noise = expected.noise.idc600
        let share = trace > 0 ? Swift.max(0, 1 - noise / trace).squareRoot() : 0
        let targets = real.map { mean + share * ($0 - mean) }
        let goal = targets.reduce(0, +)
        var factors = [Double](repeating: 1, count: n)
        for _ in 0..<Self.iterations {
            // Expected request counts (new sessions and their later turns), shares compared block by block.
            let minutes = expected.counts(Self.applying(factors, to: schedule), span: sample.span, requests: sample.count)
            guard minutes.count >= n * per else { return nil }
            let blocks = (0..<n).map { j in minutes[(j * per)..<((j + 1) * per)].reduce(0, +) }
            let total = blocks.reduce(0, +)
            guard total > 0 else { return nil }
            for j in 0..<n where blocks[j] > 0 { factors[j] *= (targets[j] / goal) / (blocks[j] / total) }
        }
        (self.factors, kept, traceIDC, noiseIDC) = (factors, share, trace, noise)
    }

    /// `schedule` with each point in a whole block times that block's factor.
    static func applying(_ factors: [Double], to schedule: RateSchedule) -> RateSchedule {
        var out = schedule
        out.multipliers = zip(schedule.times, schedule.multipliers).map { time, value in
            let block = Int(time / seconds)
            return time >= 0 && block < factors.count ? value * factors[block] : value
        }
        return out
    }

    /// How the 600 s variance was split, for the schedule's comment.
    var note: String {
        String(format: "Within the span, each whole 600 s block is set to the trace's own level (the trace's slow shape; the windows in a block keep the shape above): the trace's 600 s counts have IDC %.3g and a run adds about %.3g by itself (the expected noise above), so the blocks keep %.0f%% of the trace's deviations from their mean (sqrt(1 - %.3g / %.3g)) and the expected 600 s IDC is the trace's; block factors %@ to %@. Past the span, the stationary load below.",
               traceIDC, noiseIDC, 100 * kept, noiseIDC, traceIDC, YAMLNumber.short(factors.min() ?? 1), YAMLNumber.short(factors.max() ?? 1))
    }
}
