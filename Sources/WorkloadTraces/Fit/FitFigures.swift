import WorkloadModel

/// The figures `fit` compares between a trace and streams generated from
/// the configuration it wrote (the rows of `FitTable`), and the curves its
/// report draws.
package struct FitFigures: Sendable {
    package static let idcWindows: [Double] = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600]

    package var requests: Int
    package var span: Double
    package var rate: Double
    package var idc60: Double
    package var idc600: Double
    /// The whole 600 s windows the 600 s IDC is counted on (from time 0).
    package var windows600: Int
    package var lag1Minute: Double
    package var spearman: Double
    package var laterTurnShare: Double
    /// Block reuse (share of blocks seen before), overall and only in other sessions; nil without hash_ids.
    package var reuse: Double?
    package var reuseAcross: Double?
    /// Curves for the report.
    package var idcCurve: [(window: Double, idc: Double)]
    package var perMinute: [Double]
    package var reuseByPosition: [Double]
    /// Sorted samples for CDFs and KS.
    package var sortedPrompt: [Double]
    package var sortedOutput: [Double]
    package var sortedGaps: [Double]

    package init(_ sample: RequestSample) {
        requests = sample.count
        span = sample.span
        rate = span > 0 ? Double(requests) / span : 0
        var rates = WindowedRates()
        rates.end = span
        for time in sample.times { WindowedRates.count(time, "fit", into: &rates.requests, end: &rates.end) }
        rates.end = span
        let bins = rates.requests[""] ?? []
        let s60 = rates.summary(bins, width: 60), s600 = rates.summary(bins, width: 600)
        idc60 = s60?.indexOfDispersion ?? .nan
        idc600 = s600?.indexOfDispersion ?? .nan
        windows600 = s600?.windows ?? Int(span / 600)
        lag1Minute = s60?.lag1 ?? .nan
        idcCurve = Self.idcWindows.compactMap { window in
            rates.summary(bins, width: Int(window)).map { (window, $0.indexOfDispersion) }
        }
        let seconds = Swift.min(bins.count, Int(span.rounded(.up)))
        perMinute = stride(from: 0, to: seconds, by: 60).map { start in
            Double(bins[start..<Swift.min(seconds, start + 60)].reduce(0, +))
        }
        spearman = RankCorrelation.spearman(sample.prompt, sample.output)
        laterTurnShare = requests > 0 ? Double(sample.turn.filter { $0 >= 2 }.count) / Double(requests) : 0
        sortedPrompt = sample.prompt.sorted()
        sortedOutput = sample.output.sorted()
        sortedGaps = zip(sample.times.dropFirst(), sample.times).map { $0 - $1 }.sorted()
        if sample.hasBlocks {
            var kv = KVBlockStatistics(positions: 64)
            for index in 0..<sample.count {
                kv.add(session: String(sample.session[index]), ids: sample.blocks(of: index))
            }
            reuse = kv.blocks > 0 ? Double(kv.reusedWithin + kv.reusedAcross) / Double(kv.blocks) : 0
            reuseAcross = kv.blocks > 0 ? Double(kv.reusedAcross) / Double(kv.blocks) : 0
            reuseByPosition = kv.reuseByPosition
        } else {
            reuseByPosition = []
        }
    }

    /// The mean of several generated streams' scalar figures (curves and samples from the first).
    package static func mean(_ runs: [FitFigures]) -> FitFigures {
        var out = runs[0]
        func average(_ key: KeyPath<FitFigures, Double>) -> Double { runs.map { $0[keyPath: key] }.reduce(0, +) / Double(runs.count) }
        out.rate = average(\.rate)
        out.idc60 = average(\.idc60)
        out.idc600 = average(\.idc600)
        out.lag1Minute = average(\.lag1Minute)
        out.spearman = average(\.spearman)
        out.laterTurnShare = average(\.laterTurnShare)
        out.requests = runs.map(\.requests).reduce(0, +) / runs.count
        if runs.allSatisfy({ $0.reuse != nil }) {
            out.reuse = runs.map { $0.reuse! }.reduce(0, +) / Double(runs.count)
            out.reuseAcross = runs.map { $0.reuseAcross! }.reduce(0, +) / Double(runs.count)
        }
        return out
    }
}
