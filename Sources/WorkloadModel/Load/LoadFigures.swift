/// What `validate` prints about a load: m(t) over the run (or, for a run
/// without `total_duration`, over one cycle of its longest feature), the
/// expected sessions and requests per hour, and the burst structure.
package struct LoadFigures: Sendable, Equatable {
    /// Seconds from 0 the figures cover.
    package var window: Double
    /// Mean of the deterministic part (schedule x diurnal x spikes; bursts have mean 1).
    package var mean: Double
    /// Sampled (at every breakpoint and 20,000 instants); bursts not included.
    package var minimum: Double
    package var maximum: Double
    package var sessionsPerHour: Double
    package var requestsPerHour: Double
    /// Index of dispersion of session counts over 60 s and 600 s windows and
    /// the lag-1 autocorrelation of minute counts, with bursts (closed form
    /// for a Poisson base at the mean rate), or nil without bursts.
    package var idc60: Double?
    package var idc600: Double?
    package var lag1Minutes: Double?
    /// True when those burst figures are approximate: a base that is not
    /// Exponential (its CV^2 stands in for the Poisson 1), or a deterministic
    /// part that is not constant (evaluated at its mean).
    package var approximate: Bool
}

extension WorkloadSpec {
    /// True when some arrival stream has a load (the engine's loaded path).
    package var hasLoad: Bool {
        (load.map { !$0.isIdentity } ?? false)
            || (arrivalMode == .superposition && profiles.contains { $0.load.map { !$0.isIdentity } ?? false })
    }

    /// The levels of load that apply to profile `index`.
    func loadLevels(ofProfile index: Int) -> [LoadSpec] {
        var levels: [LoadSpec] = []
        if let load { levels.append(load) }
        if arrivalMode == .superposition, let own = profiles[index].load { levels.append(own) }
        return levels
    }

    /// Seconds the load figures cover.
    package var loadWindow: Double {
        if let totalDuration { return Swift.min(totalDuration, 1e7) }
        var window = 0.0
        for level in [load].compactMap({ $0 }) + profiles.compactMap(\.load) {
            if let schedule = level.schedule {
                window = Swift.max(window, schedule.repeatSeconds ?? (schedule.points.last?.time ?? 0))
            }
            if let diurnal = level.diurnal { window = Swift.max(window, diurnal.periodSeconds) }
            for spike in level.spikes { window = Swift.max(window, spike.end) }
        }
        return Swift.min(window > 0 ? window : 86_400, 1e7)
    }

    /// Per profile and overall (rate-weighted); nil without a load.
    package var loadFigures: (overall: LoadFigures, profiles: [LoadFigures])? {
        guard hasLoad else { return nil }
        let figures = self.figures
        let window = loadWindow
        let end = nanoseconds(fromSeconds: window)
        let grid = (0...20_000).map { Int64(Double(end) * Double($0) / 20_000) }
        var perProfile: [LoadFigures] = []
        var overallSamples = [Double](repeating: 0, count: grid.count)
        var overallMean = 0.0
        for (index, profile) in profiles.enumerated() {
            let shapes = loadLevels(ofProfile: index).map(LoadShape.init)
            var paths: [BurstPath] = []
            var mean = 0.0
            var low = Double.infinity, high = -Double.infinity
            var start: Int64 = 0
            while start < end {
                let piece = LoadClock.piece(at: start, shapes: shapes, paths: &paths)
                let length = Double(Swift.min(piece.end, end) - start) / 1e9
                mean += piece.integral(to: length)
                for x in [0, length] {
                    let m = piece.density(at: x)
                    low = Swift.min(low, m)
                    high = Swift.max(high, m)
                }
                start = piece.end
            }
            mean /= window
            let rate = figures.profiles[index].sessionRate
            for (i, t) in grid.enumerated() {
                let m = LoadClock.piece(at: t, shapes: shapes, paths: &paths).density(at: 0)
                low = Swift.min(low, m)
                high = Swift.max(high, m)
                overallSamples[i] += rate * m / figures.sessionRate
            }
            overallMean += rate * mean / figures.sessionRate
            var result = LoadFigures(
                window: window, mean: mean, minimum: low, maximum: high,
                sessionsPerHour: 3600 * rate * mean, requestsPerHour: 3600 * figures.profiles[index].requestRate * mean,
                approximate: false)
            let bursts = loadLevels(ofProfile: index).compactMap(\.bursts)
            if !bursts.isEmpty {
                var gaps = profile.interArrival
                if arrivalMode == .superposition { gaps = gaps.scaled(by: superpositionScale(ofProfile: index)) }
                let cv = gaps.standardDeviation / gaps.mean
                let exponential: Bool
                if case .exponential = gaps.family, gaps.min == nil, gaps.max == nil, !gaps.isInt { exponential = true } else { exponential = false }
                let base = exponential ? 1 : cv * cv
                // Mixture mode: the one stream carries every profile's sessions.
                let streamRate = (arrivalMode == .mixture ? figures.sessionRate : rate) * mean
                let terms = MarkovBursts.productTerms(bursts)
                result.idc60 = MarkovBursts.indexOfDispersion(terms, window: 60, rate: streamRate, baseIDC: base)
                result.idc600 = MarkovBursts.indexOfDispersion(terms, window: 600, rate: streamRate, baseIDC: base)
                result.lag1Minutes = MarkovBursts.lag1Autocorrelation(terms, window: 60, rate: streamRate, baseIDC: base)
                result.approximate = !exponential || high - low > 1e-9 || (arrivalMode == .mixture && profiles.count > 1)
            }
            perProfile.append(result)
        }
        let overall = LoadFigures(
            window: window, mean: overallMean, minimum: overallSamples.min() ?? 0, maximum: overallSamples.max() ?? 0,
            sessionsPerHour: perProfile.reduce(0) { $0 + $1.sessionsPerHour },
            requestsPerHour: perProfile.reduce(0) { $0 + $1.requestsPerHour },
            idc60: arrivalMode == .mixture ? perProfile.first?.idc60 : nil,
            idc600: arrivalMode == .mixture ? perProfile.first?.idc600 : nil,
            lag1Minutes: arrivalMode == .mixture ? perProfile.first?.lag1Minutes : nil,
            approximate: perProfile.first?.approximate ?? false)
        return (overall, perProfile)
    }
}
