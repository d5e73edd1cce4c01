import Testing
import TestSupport
import WorkloadModel
@testable import WorkloadTraces

/// `fit` scores its schedule candidates by the figures they are expected to
/// give, not by a few simulated seeds: the expectation must agree with the
/// mean over many runs of a known load (Poisson sessions under a stepped
/// schedule, half of them with a later turn up to 5 minutes on).
@Suite(.statistics, .background, .tags(.statistics)) struct ExpectedLoadTests {
    static let span = 3600.0
    static let rate = 1.0
    static let laterShare = 0.5
    static let longestDelay = 300.0

    /// One run: new sessions at `rate` x the schedule, each with a later turn with probability `laterShare`.
    static func run(_ schedule: RateSchedule, seed: UInt64) -> RequestSample {
        var rng = Xoshiro256(seed: seed)
        var sample = RequestSample()
        sample.span = span
        var t = 0.0
        while true {
            // Exponential gaps in operational time, mapped back through the stepped schedule.
            let level = rate * schedule.value(at: t)
            t += -Double.log(1 - Double.random(in: 0..<1, using: &rng)) / Swift.max(level, 1e-9)
            guard t < span else { break }
            sample.times.append(t)
            if Double.random(in: 0..<1, using: &rng) < laterShare {
                sample.times.append(t + Double.random(in: 0..<longestDelay, using: &rng))
            }
        }
        return sample
    }

    static func figures(_ sample: RequestSample) -> (idc60: Double, idc600: Double, lag1: Double) {
        let f = FitFigures(sample)
        return (f.idc60, f.idc600, f.lag1Minute)
    }

    @Test(arguments: [0.0, 0.3])
    func expectedFiguresAgreeWithTheMeanOfManyRuns(amplitude: Double) {
        let windows = 60
        let multipliers = (0..<windows).map { 1 + amplitude * Double.sin(2 * Double.pi * Double($0) / 40) }
        let schedule = RateSchedule(times: (0..<windows).map { Double($0) * 60 }, multipliers: multipliers, step: true)
        let flat = RateSchedule(times: [0], multipliers: [1], step: true)
        let noiseRuns = (0..<12).map { Self.run(flat, seed: 1000 + UInt64($0)) }
        var rng = Xoshiro256(seed: 7)
        let delays = (0..<20_000).map { _ in Double.random(in: 0..<Self.longestDelay, using: &rng) }
        var expected = ExpectedLoad(noise: .init(idc60: 1, idc600: 1, lag1: 0), delays: delays, sessions: Int(Double(delays.count) / Self.laterShare), warmStart: false)
        let requests = Int((Self.rate * (1 + Self.laterShare) * Self.span).rounded())
        // Noise about the flat schedule's expected counts (later turns ramp up over the first 5 minutes).
        expected.noise = ExpectedLoad.noise(noiseRuns, span: Self.span, shape: expected.counts(flat, span: Self.span, requests: requests))
        let runs = (0..<120).map { Self.figures(Self.run(schedule, seed: UInt64($0))) }
        let e = expected.figures(schedule, span: Self.span, requests: requests)
        func check(_ name: String, _ values: [Double], _ want: Double, noiseShare: Double) {
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
            // The mean's standard error, and the noise's own from its 12 runs (about its share of one run's spread).
            let tolerance = 3 * sd / Double(values.count).squareRoot() + 3 * noiseShare * sd / 12.0.squareRoot()
            print(String(format: "amplitude %.1f %@: expected %.4f, mean of %d runs %.4f (sd %.4f), tolerance %.4f", amplitude, name, want, values.count, mean, sd, tolerance))
            #expect(abs(mean - want) <= tolerance, "\(name): expected \(want), runs \(mean) +/- \(tolerance)")
        }
        check("IDC 60 s", runs.map(\.idc60), e.idc60, noiseShare: 1)
        check("IDC 600 s", runs.map(\.idc600), e.idc600, noiseShare: 0.5)
        check("lag-1", runs.map(\.lag1), e.lag1, noiseShare: 1)
    }

    /// Within the span, `fit` sets the schedule's whole 600 s blocks to the
    /// trace's own levels less the generator's noise: runs of the replayed
    /// schedule then have the trace's 600 s IDC on average, and each block's
    /// expected count is the trace's mean plus sqrt(1 - noise / trace) of its deviation.
    @Test func replayedBlocksGiveTheTracesSixHundredSecondIDC() throws {
        let levels = [0.7, 1.3, 0.9, 1.1, 0.8, 1.2]
        let source = RateSchedule(times: (0..<6).map { Double($0) * 600 }, multipliers: levels, step: true)
        let trace = Self.run(source, seed: 99)
        let flat = RateSchedule(times: (0..<60).map { Double($0) * 60 }, multipliers: [Double](repeating: 1, count: 60), step: true)
        var rng = Xoshiro256(seed: 7)
        let delays = (0..<20_000).map { _ in Double.random(in: 0..<Self.longestDelay, using: &rng) }
        var expected = ExpectedLoad(noise: .init(idc60: 1, idc600: 1, lag1: 0), delays: delays, sessions: Int(Double(delays.count) / Self.laterShare), warmStart: false)
        let noiseRuns = (0..<12).map { Self.run(flat, seed: 1000 + UInt64($0)) }
        expected.noise = ExpectedLoad.noise(noiseRuns, span: Self.span, shape: expected.counts(flat, span: Self.span, requests: trace.count))
        let replay = try #require(BlockReplay(schedule: flat, expected: expected, sample: trace))
        #expect(abs(replay.kept - Swift.max(0, 1 - replay.noiseIDC / replay.traceIDC).squareRoot()) < 1e-12 && replay.kept > 0.9)
        let replayed = BlockReplay.applying(replay.factors, to: flat)
        let minutes = expected.counts(replayed, span: Self.span, requests: trace.count)
        let real = (0..<6).map { j in Double(trace.times.filter { Int($0 / 600) == j }.count) }
        let mean = real.reduce(0, +) / 6
        // Shares of the span's whole blocks (the total is the run's, later turns past the span included).
        let blocks = (0..<6).map { j in minutes[(j * 10)..<((j + 1) * 10)].reduce(0, +) }
        let targets = real.map { mean + replay.kept * ($0 - mean) }
        for j in 0..<6 {
            let share = blocks[j] / blocks.reduce(0, +), want = targets[j] / targets.reduce(0, +)
            #expect(abs(share / want - 1) < 0.002, "block \(j): expected share \(share), target \(want)")
        }
        let runs = (0..<60).map { Self.figures(Self.run(replayed, seed: 500 + UInt64($0))).idc600 }
        let runMean = runs.reduce(0, +) / Double(runs.count)
        let sd = (runs.reduce(0) { $0 + ($1 - runMean) * ($1 - runMean) } / Double(runs.count - 1)).squareRoot()
        // The mean's standard error, and the noise estimate's (12 runs of about five windows: about 18% of it).
        let tolerance = 3 * sd / Double(runs.count).squareRoot() + 3 * 0.18 * replay.noiseIDC
        print(String(format: "replayed blocks: trace IDC 600 s %.2f, noise %.2f, kept %.3f, runs %.2f (sd %.2f), tolerance %.2f",
                     replay.traceIDC, replay.noiseIDC, replay.kept, runMean, sd, tolerance))
        #expect(abs(runMean - replay.traceIDC) <= tolerance)
    }

    /// The generator's noise is read from each stream about a known shape scaled to the stream's own
    /// total: that scaling takes about a sixth of the variance of an hour's 600 s windows (its six
    /// independent windows), not one of the 51 overlapping windows the 600 s IDC is read on; counted as
    /// the latter, the noise read 19% low, and the replayed blocks kept that much of it again. Read one run
    /// at a time, the noise must agree with the same run's deviations about its expected counts.
    @Test func noiseReadAboutTheStreamsTotalIsNotLow() {
        let flat = RateSchedule(times: [0], multipliers: [1], step: true)
        var rng = Xoshiro256(seed: 7)
        let delays = (0..<20_000).map { _ in Double.random(in: 0..<Self.longestDelay, using: &rng) }
        let expected = ExpectedLoad(noise: .init(idc60: 1, idc600: 1, lag1: 0), delays: delays, sessions: Int(Double(delays.count) / Self.laterShare), warmStart: false)
        let requests = Int((Self.rate * (1 + Self.laterShare) * Self.span).rounded())
        let shape = expected.counts(flat, span: Self.span, requests: requests)
        let runs = (0..<200).map { Self.run(flat, seed: 5000 + UInt64($0)) }
        // The expected counts about the runs' mean total within the span (later turns past it are lost).
        let within = runs.reduce(0.0) { $0 + Double($1.times.filter { $0 < Self.span }.count) } / Double(runs.count)
        let tens = (0...(shape.count - 10)).map { shape[$0..<($0 + 10)].reduce(0, +) * within / Double(requests) }
        var differences: [Double] = [], truths: [Double] = []
        for run in runs {
            var minutes = [Double](repeating: 0, count: shape.count)
            for t in run.times where Int(t / 60) < shape.count { minutes[Int(t / 60)] += 1 }
            let mean = minutes.reduce(0, +) / Double(minutes.count)
            let counts = (0...(minutes.count - 10)).map { minutes[$0..<($0 + 10)].reduce(0, +) }
            let truth = zip(counts, tens).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(counts.count) / (10 * mean)
            truths.append(truth)
            differences.append(ExpectedLoad.noise([run], span: Self.span, shape: shape).idc600 - truth)
        }
        let mean = differences.reduce(0, +) / Double(differences.count)
        let sd = (differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(differences.count - 1)).squareRoot()
        let truth = truths.reduce(0, +) / Double(truths.count)
        print(String(format: "noise about the stream's total: truth %.4f, read - truth %.4f (sd %.4f, standard error %.4f)", truth, mean, sd, sd / Double(differences.count).squareRoot()))
        #expect(abs(mean) <= 3 * sd / Double(differences.count).squareRoot(), "read \(mean) off the truth \(truth)")
    }
}
