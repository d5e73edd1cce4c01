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
    package static let calibrationSeeds: [UInt64] = [1001, 1002, 1003]

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
            model.schedule = schedule(sample, model: model).schedule
        }
        if model.warmStart, model.turns != nil, trial.rate > 0 { model.scaleSessionRate(real.rate / trial.rate) }
        fitBursts(&model, real: real, trial: trial)
        let target = model.correlation + (real.spearman - trial.spearman)
        let calibrated = Swift.max(-0.99, Swift.min(0.99, target))
        model.correlationNote += String(format: " Copula target %.4f, moved by %.4f so that the generated Spearman(prompt, output) matches the trace's %.4f.", calibrated, calibrated - model.correlation, real.spearman)
        let firstPoint = (copula: model.correlation, spearman: trial.spearman)
        model.correlation = calibrated

        // The variance budget at and above the schedule's window. Candidates:
        // the windowed rates denoised (the schedule keeps only what the
        // generator's own noise, Poisson, sessions and bursts, does not
        // already give, frequency by frequency), or smoothed by a Gaussian
        // kernel of 0, 1 or 2 windows (with sessions, a denoised schedule of
        // new sessions loses what the sessions' own spread smooths out of the
        // request rate; smoothing keeps some of the noise instead). Each is
        // scored by the figures it is expected to give (`ExpectedLoad`): its
        // schedule's expected counts plus the generator's noise (the
        // trial's, about the trial streams' mean, with the bursts' own added;
        // the denoised candidate's from its flat-schedule streams).
        model = try chooseSchedule(model, sample: sample, real: real, trial: trialStreams)
        let calibration = FitFigures.mean(try figures(model, span: span, seeds: calibrationSeeds))
        try calibrateStationaryRate(&model, real: real.rate, firstRate: calibration.rate, span: span)
        try refineCorrelation(&model, real: real.spearman, first: firstPoint, second: (calibrated, calibration.spearman), span: span)
        let simulated = String(format: "IDC 60 s %.3g, 600 s %.3g, lag-1 %.3f", calibration.idc60, calibration.idc600, calibration.lag1Minute)
        model.scheduleChoice = "Chosen by expected score (relative errors of IDC 60 s and 600 s plus |lag-1 difference| / 0.5 against the trace's \(String(format: "%.3g, %.3g, %.3f", real.idc60, real.idc600, real.lag1Minute)); expected: the schedule's own counts plus the generator's noise, not simulated seeds, whose 600 s IDC over an hour is mostly noise) among \(model.scheduleChoice); simulated on the calibration seeds: \(simulated)."

        let yaml = model.yaml()
        let runs = try streams(model, span: span, seeds: evaluationSeeds).map(FitFigures.init)
        let generated = FitFigures.mean(runs)
        let table = FitTable(real: real, generated: generated, runs: runs)
        return FitResult(yaml: yaml + table.yamlComment, real: real, runs: runs, generated: generated, table: table)
    }

    /// The candidate schedule with the lowest expected score, each candidate's score in its note.
    static func chooseSchedule(_ model: FittedModel, sample: RequestSample, real: FitFigures, trial: [RequestSample]) throws(FitError) -> FittedModel {
        let (candidates, flatNoise) = try scheduleCandidates(model, sample: sample)
        let smoothedNoise = ExpectedLoad.adding(model.bursts, to: ExpectedLoad.noise(trial, span: sample.span), rate: real.rate)
        var best: (score: Double, model: FittedModel)?
        var scores: [String] = []
        for (name, chosen) in candidates {
            let expected = ExpectedLoad(noise: chosen.scheduleNoise == nil ? smoothedNoise : flatNoise, delays: model.laterDelays,
                                        sessions: model.sessions, warmStart: model.warmStart)
            var candidate = chosen
            candidate.blockReplay = BlockReplay(schedule: candidate.schedule, expected: expected, sample: sample)
            let g = expected.figures(candidate.spanSchedule, span: sample.span, requests: sample.count)
            let score = relativeError(g.idc60, real.idc60) + relativeError(g.idc600, real.idc600) + abs(g.lag1 - real.lag1Minute) / 0.5
            scores.append(String(format: "%@ %.3f (IDC 60 s %.3g, 600 s %.3g, lag-1 %.3f)", name, score, g.idc60, g.idc600, g.lag1))
            if best == nil || score < best!.score { best = (score, candidate) }
        }
        var chosen = best!.model
        chosen.scheduleChoice = scores.joined(separator: ", ")
        // The expected figures do not depend on the gaps' law: only the chosen schedule's are refitted, in its operational time.
        if chosen.scheduleNoise != nil { chosen.refitSessionGaps(sessionStarts(sample), schedule: chosen.spanSchedule) }
        return chosen
    }

    /// The schedules `fit` chooses among, named: the windowed
    /// rates denoised, and smoothed over 0, 1 and 2 windows.
    static func scheduleCandidates(_ model: FittedModel, sample: RequestSample) throws(FitError) -> ([(String, FittedModel)], ExpectedLoad.Noise) {
        let starts = sessionStarts(sample)
        var denoised = model
        // The noise of new sessions' gaps as they are (a flat schedule's
        // operational time): gaps fitted under a schedule that replays the
        // trace's noise are more regular than the trace's, and would
        // understate it. The chosen candidate's own gaps are then refitted under its schedule.
        denoised.refitSessionGaps(starts, schedule: RateSchedule(times: [0], multipliers: [1]))
        let (spectrum, noise) = try noiseSpectrum(denoised, sample: sample)
        denoised.scheduleNoise = spectrum
        var out: [(String, FittedModel)] = []
        func add(_ name: String, _ candidate: FittedModel) {
            var c = candidate
            (c.schedule, c.scheduleKept) = schedule(sample, model: c)
            out.append((name, c))
        }
        add("denoised", denoised)
        for blend in [0.25, 0.5, 0.75] {
            var mixed = denoised
            mixed.scheduleBlend = blend
            add("denoised + \(Int(blend * 100))% of the trace's rates", mixed)
        }
        for bandwidth in [0.0, 1, 2] {
            var smoothed = model
            smoothed.scheduleBandwidth = bandwidth
            add("smoothed over \(YAMLNumber.short(bandwidth))", smoothed)
        }
        return (out, noise)
    }

    /// A second step of the copula's calibration when the first left the
    /// stream's Spearman(prompt, output) more than 0.02 from the trace's: a
    /// prompt is more than its new input (history, shared prefixes), so the
    /// stream's rank correlation moves by less than the copula's (strong
    /// correlations are reached only partly in one step). The secant through
    /// the two simulated points (its slope kept within 0.2 to 2), kept if
    /// simulation puts it closer.
    static func refineCorrelation(_ model: inout FittedModel, real: Double, first: (copula: Double, spearman: Double),
                                  second: (copula: Double, spearman: Double), span: Double) throws(FitError) {
        guard abs(second.spearman - real) > 0.02, abs(second.copula - first.copula) > 1e-3 else { return }
        let slope = Swift.min(2, Swift.max(0.2, (second.spearman - first.spearman) / (second.copula - first.copula)))
        var candidate = model
        candidate.correlation = Swift.max(-0.99, Swift.min(0.99, second.copula + (real - second.spearman) / slope))
        guard candidate.correlation != second.copula else { return }
        let reached = FitFigures.mean(try figures(candidate, span: span, seeds: calibrationSeeds)).spearman
        guard abs(reached - real) < abs(second.spearman - real) else { return }
        candidate.correlationNote += String(format: " A second step (the first reached %.4f): copula %.4f, reaching %.4f on the calibration seeds.",
                                            second.spearman, candidate.correlation, reached)
        model = candidate
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

    /// The schedule of `model`'s width, denoised once its noise is known
    /// (before, smoothed), times its smear correction.
    /// With it, the share of the windowed rates' variance the denoised schedule kept.
    static func schedule(_ sample: RequestSample, model: FittedModel) -> (schedule: RateSchedule, kept: Double?) {
        var schedule = RateSchedule.fitted(sample.times, span: sample.span, width: model.scheduleWidth,
                                           bandwidth: model.scheduleBandwidth, period: model.schedule.repeatSeconds)
        var kept: Double?
        if let noise = model.scheduleNoise {
            (schedule, kept) = RateSchedule.denoised(sample.times, span: sample.span, width: model.scheduleWidth, noise: noise,
                                                     period: model.schedule.repeatSeconds)
            if model.scheduleBlend > 0 {
                let raw = RateSchedule.windowRates(sample.times, span: sample.span, width: model.scheduleWidth, period: model.schedule.repeatSeconds).rates
                let mean = Swift.max(raw.reduce(0, +) / Double(Swift.max(raw.count, 1)), 1e-12)
                let b = model.scheduleBlend
                if raw.count == schedule.multipliers.count {
                    schedule.multipliers = zip(schedule.multipliers, raw).map { (1 - b) * $0 + b * $1 / mean }
                    schedule.normalise(over: model.schedule.repeatSeconds ?? sample.span)
                }
            }
        }
        if let correction = model.smearCorrection, correction.count == schedule.multipliers.count {
            schedule.multipliers = zip(schedule.multipliers, correction).map { $0 * $1 }
            schedule.normalise(over: sample.span)
        }
        return (schedule, kept)
    }

    /// The generator's own noise in windowed rates: the banded periodogram of
    /// the windowed rates of streams from `model` under a flat schedule (with
    /// its sessions, inter-arrival shape and bursts), the mean over the calibration seeds.
    static func noiseSpectrum(_ model: FittedModel, sample: RequestSample) throws(FitError) -> ([Double], ExpectedLoad.Noise) {
        var flat = model
        let windows = RateSchedule.windowRates([], span: sample.span, width: model.scheduleWidth, period: model.schedule.repeatSeconds).rates.count
        flat.schedule = RateSchedule(times: (0..<windows).map { Double($0) * model.scheduleWidth }, multipliers: [Double](repeating: 1, count: windows),
                                     repeatSeconds: model.schedule.repeatSeconds, step: true)
        flat.smearCorrection = nil
        flat.scheduleNoise = nil
        var power = [Double](repeating: 0, count: windows)
        let runs = try streams(flat, span: sample.span, seeds: calibrationSeeds)
        for stream in runs {
            let rates = RateSchedule.windowRates(stream.times, span: sample.span, width: model.scheduleWidth, period: model.schedule.repeatSeconds).rates
            for (k, p) in SpectralShrink.periodogram(rates).enumerated() { power[k] += p / Double(runs.count) }
        }
        // About the flat schedule's expected counts: without a warm start, later turns ramp up over the first minutes.
        let expected = ExpectedLoad(noise: .init(idc60: 1, idc600: 1, lag1: 0), delays: model.laterDelays, sessions: model.sessions, warmStart: model.warmStart)
        let shape = expected.counts(flat.schedule, span: sample.span, requests: sample.count)
        return (SpectralShrink.banded(power), ExpectedLoad.noise(runs, span: sample.span, shape: shape))
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
    mutating func scaleSessionRate(_ factor: Double,
                                   reason: String = "calibrated: sessions in progress at the trace's start are read as new sessions there, and the warm start makes its own") {
        guard factor.isFinite, factor > 0 else { return }
        sessionRateFactor *= factor
        interArrival.distribution = interArrival.distribution.scaled(by: 1 / factor)
        interArrival.yaml = interArrival.distribution.yamlFlow
        interArrivalNote += String(format: "New-session rate x %.4f (%@). ", factor, reason)
    }

    /// New sessions' gaps refitted in the operational time of `schedule`, at
    /// the calibrated new-session rate: refitted from the trace's session
    /// starts alone they would count the sessions in progress at its start
    /// twice again, and the stream would run over the trace's rate.
    mutating func refitSessionGaps(_ starts: [Double], schedule: RateSchedule) {
        interArrival = TraceFitter.sessionGaps(starts, schedule: schedule)
        guard sessionRateFactor != 1 else { return }
        interArrival.distribution = interArrival.distribution.scaled(by: 1 / sessionRateFactor)
        interArrival.yaml = interArrival.distribution.yamlFlow
    }

    /// How the load goes on past the span, with the session figures its variance budget needs.
    mutating func goesOnPastTheSpan(_ mode: BeyondSpan, _ sample: RequestSample) {
        beyondSpan = mode
        (laterDelays, sessionClustering) = TraceFitter.sessionSpread(sample)
        let rate = Double(sample.count) / sample.span
        windowRates = RateSchedule.windowRates(sample.times, span: sample.span, width: scheduleWidth, period: schedule.repeatSeconds).rates.map { $0 / rate }
    }
}
