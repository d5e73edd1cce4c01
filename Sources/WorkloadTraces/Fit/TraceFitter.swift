import Dispatch
import Synchronization
import WorkloadModel
import WorkloadConfig

/// `llm-workload fit`: a configuration that reproduces a trace (see the
/// Traces, replay and fit article), checked against streams generated from it.
package struct FitResult: Sendable {
    /// The configuration written.
    package var yaml: String
    package var real: FitFigures
    /// One figure set per evaluation seed, and their mean.
    package var runs: [FitFigures]
    package var generated: FitFigures
    package var table: FitTable
}

package enum FitError: Error, CustomStringConvertible {
    case tooShort(String)
    case configuration(ConfigError)

    package var description: String {
        switch self {
        case .tooShort(let message): message
        case .configuration(let error): "the fitted configuration does not load (a bug): \(error.description)"
        }
    }
}

package enum TraceFitter {
    /// The seeds the goodness-of-fit table averages over, and the ones every
    /// calibration step averages over (distinct, so the table is not fitted to
    /// its own seeds; the same for every candidate, so candidates differ by
    /// their parameters and not by their noise).
    package static let evaluationSeeds: [UInt64] = [1, 2, 3]
    static let calibrationSeeds: [UInt64] = [1001, 1002, 1003]

    package static func fit(_ sample: RequestSample, blockTokens: Int64?, source: String, format: TraceFormat,
                            beyondSpan: BeyondSpan = .shuffled) throws(FitError) -> FitResult {
        let span = sample.span
        guard sample.count >= 20, span > 0 else {
            throw .tooShort("\(source): \(sample.count) requests over \(span) s: fit needs at least 20 requests and a span > 0")
        }
        let real = FitFigures(sample)
        var model = initialModel(sample, blockTokens: blockTokens, source: source, format: format)
        model.goesOnPastTheSpan(beyondSpan, sample)

        // Calibration by simulation (one seed apart from the table's): bursts from the short-window
        // IDC the model without bursts misses, the copula's target so the stream's
        // Spearman(prompt, output) matches, then the schedule's smoothing.
        let trialStreams = try streams(model, span: span, seeds: calibrationSeeds)
        let trial = FitFigures.mean(trialStreams.map(FitFigures.init))
        // The schedule multiplies new sessions, but it was read off all
        // requests: later turns follow their sessions by minutes, so the
        // stream's request rate is the schedule smeared. One correction by
        // simulation: per window, the trace's request rate over the trial's,
        // both smoothed over `smearBandwidth` windows, multiplies the schedule.
        if sample.turn.contains(where: { $0 >= 2 }), model.schedule.repeatSeconds == nil {
            let correction = smearCorrection(real: sample, streams: trialStreams, width: model.scheduleWidth)
            model.smearCorrection = correction
            model.schedule = schedule(sample, model: model)
        }
        if model.warmStart, model.turns != nil, trial.rate > 0 { model.scaleSessionRate(real.rate / trial.rate) }
        fitBursts(&model, real: real, trial: trial)
        let target = model.correlation + (real.spearman - trial.spearman)
        let calibrated = Swift.max(-0.99, Swift.min(0.99, target))
        model.correlationNote += String(format: " Copula target %.4f, moved by %.4f so that the generated Spearman(prompt, output) matches the trace's %.4f.", calibrated, calibrated - model.correlation, real.spearman)
        model.correlation = calibrated

        var best: (score: Double, bandwidth: Double)?
        for bandwidth in [0.0, 1, 2] {
            var candidate = model
            candidate.scheduleBandwidth = bandwidth
            candidate.schedule = schedule(sample, model: candidate)
            let g = FitFigures.mean(try figures(candidate, span: span, seeds: calibrationSeeds))
            let score = relativeError(g.idc60, real.idc60) + relativeError(g.idc600, real.idc600) + abs(g.lag1Minute - real.lag1Minute) / 0.5
            if best == nil || score < best!.score { best = (score, bandwidth) }
        }
        model.scheduleBandwidth = best?.bandwidth ?? 1
        model.schedule = schedule(sample, model: model)

        let yaml = model.yaml()
        let runs = try streams(model, span: span, seeds: evaluationSeeds).map(FitFigures.init)
        let generated = FitFigures.mean(runs)
        let table = FitTable(real: real, generated: generated, runs: runs)
        return FitResult(yaml: yaml + table.yamlComment, real: real, runs: runs, generated: generated, table: table)
    }

    /// The variance budget below the schedule's window: bursts take only the
    /// short-window IDC the trace has beyond the stream without them, with
    /// sojourns under half a window (slower variation is the schedule's).
    static func fitBursts(_ model: inout FittedModel, real: FitFigures, trial: FitFigures) {
        // Windows below the schedule's, and (for ticked timestamps) at least
        // five ticks, whose IDC the rounding itself inflates.
        let short = real.idcCurve.filter { $0.window < model.scheduleWidth && $0.window >= 5 * (model.timeResolution ?? 0) }
        let excess = short.map { point in point.idc - (trial.idcCurve.first { $0.window == point.window }?.idc ?? point.idc) }
        let relative = zip(short, excess).map { $1 / $0.idc }.max() ?? 0
        if relative > 0.15, let fitted = BurstFit.fit(windows: short.map(\.window), excess: excess, rate: real.rate,
                                                            longestDuration: model.scheduleWidth / 2) {
            model.bursts = fitted.bursts
            let s = fitted.bursts.states
            model.burstNote = "Bursts fitted to the IDC curve from \(YAMLNumber.short(short.first?.window ?? 0)) s to below \(YAMLNumber.short(model.scheduleWidth)) s (the trace's IDC exceeded the stream's without bursts by up to \(Int((relative * 100).rounded()))%): two states of mean \(YAMLNumber.short(s[0].meanDurationSeconds)) s (at most half a window) at 1 -/+ \(YAMLNumber.short(s[1].multiplier - 1))."
        } else {
            model.burstNote = "No bursts: the schedule and the inter-arrival shape already give the trace's IDC from \(YAMLNumber.short(short.first?.window ?? 0)) s to below \(YAMLNumber.short(model.scheduleWidth)) s (largest shortfall \(Int((relative * 100).rounded()))%, bursts added above 15%)."
        }
    }

    /// Each later turn's delay from its session's first request, and Σ n² / Σ n over sessions of n requests.
    fileprivate static func sessionSpread(_ sample: RequestSample) -> ([Double], Double) {
        let members = sessionMembers(sample)
        let delays = members.flatMap { list in list.dropFirst().map { sample.times[$0] - sample.times[list[0]] } }
        let squares = members.reduce(0.0) { $0 + Double($1.count * $1.count) }
        return (delays, sample.count > 0 ? squares / Double(sample.count) : 1)
    }

    static func relativeError(_ a: Double, _ b: Double) -> Double { b != 0 && a.isFinite ? abs(a / b - 1) : 0 }

    static func load(_ yaml: String) throws(FitError) -> WorkloadSpec {
        do {
            return try Configuration.parse(yaml: yaml, source: "<fitted>").workload
        } catch {
            throw .configuration(error)
        }
    }

    /// The figures of one stream per seed.
    static func figures(_ model: FittedModel, span: Double, seeds: [UInt64]) throws(FitError) -> [FitFigures] {
        try streams(model, span: span, seeds: seeds).map(FitFigures.init)
    }

    /// One stream per seed over the trace's span, generated side by side
    /// (one thread per seed, at most one per core).
    static func streams(_ model: FittedModel, span: Double, seeds: [UInt64]) throws(FitError) -> [RequestSample] {
        let spec = try load(model.yaml())
        let results = Mutex([RequestSample?](repeating: nil, count: seeds.count))
        DispatchQueue.concurrentPerform(iterations: seeds.count) { index in
            var seeded = spec
            seeded.seed = seeds[index]
            let stream = RequestSample.generate(seeded, span: span)
            results.withLock { $0[index] = stream }
        }
        return results.withLock { $0.map { $0! } }
    }

    /// The schedule of `model`'s width and smoothing, times its smear correction.
    static func schedule(_ sample: RequestSample, model: FittedModel) -> RateSchedule {
        var schedule = RateSchedule.fitted(sample.times, span: sample.span, width: model.scheduleWidth,
                                           bandwidth: model.scheduleBandwidth, period: model.schedule.repeatSeconds)
        if let correction = model.smearCorrection, correction.count == schedule.multipliers.count {
            schedule.multipliers = zip(schedule.multipliers, correction).map { $0 * $1 }
            schedule.normalise(over: sample.span)
        }
        return schedule
    }

    /// Windows the smear correction's two rates are smoothed over (it
    /// corrects drift over minutes, not one window's noise).
    static let smearBandwidth = 3.0

    /// Per schedule window: the trace's request rate over the streams' mean
    /// rate, both smoothed over `smearBandwidth` windows.
    static func smearCorrection(real sample: RequestSample, streams: [RequestSample], width: Double) -> [Double] {
        let bandwidth = smearBandwidth
        let (real, lengths) = RateSchedule.counts(sample.times, span: sample.span, width: width)
        var generated = [Double](repeating: 0, count: real.count)
        for stream in streams {
            let counts = RateSchedule.counts(stream.times, span: sample.span, width: width).counts
            for i in generated.indices { generated[i] += counts[i] / Double(streams.count) }
        }
        let a = RateSchedule.smoothed(zip(real, lengths).map { $0 / $1 }, lengths: lengths, bandwidth: bandwidth)
        let b = RateSchedule.smoothed(zip(generated, lengths).map { $0 / $1 }, lengths: lengths, bandwidth: bandwidth)
        return zip(a, b).map { $1 > 0 ? $0 / $1 : 1 }
    }
}

extension FittedModel {
    /// Sessions in progress at a trace's start are read as new sessions there, and a warm start makes
    /// its own: the new-session rate (the gaps' scale) is set so that a trial stream's request rate is
    /// the trace's.
    mutating func scaleSessionRate(_ factor: Double) {
        guard factor.isFinite, factor > 0 else { return }
        interArrival.distribution = interArrival.distribution.scaled(by: 1 / factor)
        interArrival.yaml = interArrival.distribution.yamlFlow
        interArrivalNote += String(format: "New-session rate x %.4f (calibrated: sessions in progress at the trace's start are read as new sessions there, and the warm start makes its own). ", factor)
    }

    /// How the load goes on past the span, with the session figures its variance budget needs.
    mutating func goesOnPastTheSpan(_ mode: BeyondSpan, _ sample: RequestSample) {
        beyondSpan = mode
        (laterDelays, sessionClustering) = TraceFitter.sessionSpread(sample)
    }
}
