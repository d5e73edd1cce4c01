import WorkloadModel

/// `llm-workload fit`: a configuration that reproduces a trace (issue 10,
/// item 3), checked against streams generated from it.
public struct FitResult: Sendable {
    /// The configuration written.
    public var yaml: String
    public var real: FitFigures
    /// One figure set per evaluation seed, and their mean.
    public var runs: [FitFigures]
    public var generated: FitFigures
    public var table: FitTable
}

public enum FitError: Error, CustomStringConvertible {
    case tooShort(String)
    case configuration(ConfigError)

    public var description: String {
        switch self {
        case .tooShort(let message): message
        case .configuration(let error): "the fitted configuration does not load (a bug): \(error.description)"
        }
    }
}

public enum TraceFitter {
    /// The seeds the goodness-of-fit table averages over, and the ones the
    /// calibration steps use (distinct, so the table is not fitted to its own seeds).
    public static let evaluationSeeds: [UInt64] = [1, 2, 3]
    static let calibrationSeed: UInt64 = 1001

    public static func fit(_ sample: RequestSample, blockTokens: Int64?, source: String, format: TraceFormat) throws(FitError) -> FitResult {
        let span = sample.span
        guard sample.count >= 20, span > 0 else {
            throw .tooShort("\(source): \(sample.count) requests over \(span) s: fit needs at least 20 requests and a span > 0")
        }
        let real = FitFigures(sample)
        var model = initialModel(sample, blockTokens: blockTokens, source: source, format: format)

        // Calibration by simulation (one seed apart from the table's):
        // bursts from the short-window IDC the model without bursts misses,
        // the copula's target so the stream's Spearman(prompt, output)
        // matches, then the schedule's smoothing.
        let trial = try figures(model, span: span, seed: calibrationSeed)
        // Windows below the schedule's, and (for ticked timestamps) at least
        // five ticks, whose IDC the rounding itself inflates.
        let short = real.idcCurve.filter { $0.window < model.scheduleWidth && $0.window >= 5 * (model.timeResolution ?? 0) }
        let excess = short.map { point in point.idc - (trial.idcCurve.first { $0.window == point.window }?.idc ?? point.idc) }
        let relative = zip(short, excess).map { $1 / $0.idc }.max() ?? 0
        if relative > 0.15, let fitted = BurstFit.fit(windows: short.map(\.window), excess: excess, rate: real.rate) {
            model.bursts = fitted.bursts
            let s = fitted.bursts.states
            model.burstNote = "Bursts fitted to the IDC curve from \(YAMLNumber.short(short.first?.window ?? 0)) s to below \(YAMLNumber.short(model.scheduleWidth)) s (the trace's IDC exceeded the stream's without bursts by up to \(Int((relative * 100).rounded()))%): two states of mean \(YAMLNumber.short(s[0].meanDurationSeconds)) s at 1 -/+ \(YAMLNumber.short(s[1].multiplier - 1))."
        } else {
            model.burstNote = "No bursts: the schedule and the inter-arrival shape already give the trace's IDC from \(YAMLNumber.short(short.first?.window ?? 0)) s to below \(YAMLNumber.short(model.scheduleWidth)) s (largest shortfall \(Int((relative * 100).rounded()))%, bursts added above 15%)."
        }
        let target = model.correlation + (real.spearman - trial.spearman)
        let calibrated = Swift.max(-0.99, Swift.min(0.99, target))
        model.correlationNote += String(format: " Copula target %.4f, moved by %.4f so that the generated Spearman(prompt, output) matches the trace's %.4f.", calibrated, calibrated - model.correlation, real.spearman)
        model.correlation = calibrated

        var best: (score: Double, bandwidth: Double)?
        for bandwidth in [0.0, 1, 2] {
            var candidate = model
            candidate.scheduleBandwidth = bandwidth
            candidate.schedule = schedule(sample, model: candidate)
            let g = try figures(candidate, span: span, seed: calibrationSeed + 1)
            let score = relativeError(g.idc60, real.idc60) + relativeError(g.idc600, real.idc600) + abs(g.lag1Minute - real.lag1Minute) / 0.5
            if best == nil || score < best!.score { best = (score, bandwidth) }
        }
        model.scheduleBandwidth = best?.bandwidth ?? 1
        model.schedule = schedule(sample, model: model)

        let yaml = model.yaml()
        let spec = try load(yaml)
        let runs = evaluationSeeds.map { seed -> FitFigures in
            var seeded = spec
            seeded.seed = seed
            return FitFigures(RequestSample.generate(seeded, span: span))
        }
        let generated = FitFigures.mean(runs)
        let table = FitTable(real: real, generated: generated, runs: runs)
        return FitResult(yaml: yaml + table.yamlComment, real: real, runs: runs, generated: generated, table: table)
    }

    static func relativeError(_ a: Double, _ b: Double) -> Double { b != 0 && a.isFinite ? abs(a / b - 1) : 0 }

    static func load(_ yaml: String) throws(FitError) -> WorkloadSpec {
        do {
            return try Configuration.parse(yaml: yaml, source: "<fitted>").workload
        } catch {
            throw .configuration(error)
        }
    }

    static func figures(_ model: FittedModel, span: Double, seed: UInt64) throws(FitError) -> FitFigures {
        var spec = try load(model.yaml())
        spec.seed = seed
        return FitFigures(RequestSample.generate(spec, span: span))
    }

    static func schedule(_ sample: RequestSample, model: FittedModel) -> RateSchedule {
        RateSchedule.fitted(sample.times, span: sample.span, width: model.scheduleWidth, bandwidth: model.scheduleBandwidth,
                            period: model.schedule.repeatSeconds)
    }
}
