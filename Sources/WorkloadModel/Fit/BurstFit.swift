import RealModule

/// Bursts fitted to an IDC curve: the two-state MMPP (equal mean sojourns d,
/// multipliers 1 - a and 1 + a) whose closed-form addition to the index of
/// dispersion (`MarkovBursts.indexOfDispersion`) best matches `excess` (the
/// trace's IDC minus that of the stream without bursts) at the given
/// windows, by least squares on a grid of d (0.5 s to 1 h, log-spaced, up to
/// `longestDuration`) and a (0.02 to 0.98). `fit` caps d at half its schedule's
/// window: slower variation is the schedule's, and bursts as slow would
/// count it twice.
package enum BurstFit {
    package static func fit(windows: [Double], excess: [Double], rate: Double, longestDuration: Double = 3600) -> (bursts: MarkovBursts, error: Double)? {
        guard rate > 0, windows.count == excess.count, excess.contains(where: { $0 > 0 }), longestDuration >= 0.5 else { return nil }
        var best: (MarkovBursts, Double)?
        for i in 0...60 {
            // The grid is fixed (0.5 s to 1 h); the cap only drops its slower points.
            let d = 0.5 * Double.pow(7200, Double(i) / 60)
            guard d <= longestDuration else { break }
            for j in 1...49 {
                let a = Double(j) * 0.02
                let bursts = MarkovBursts(states: [.init(multiplier: 1 - a, meanDurationSeconds: d), .init(multiplier: 1 + a, meanDurationSeconds: d)])
                var error = 0.0
                for (w, e) in zip(windows, excess) {
                    let model = bursts.indexOfDispersion(window: w, rate: rate, baseIDC: 0)
                    let scale = Swift.max(abs(e), 0.1)
                    error += (model - e) * (model - e) / (scale * scale)
                }
                if best == nil || error < best!.1 { best = (bursts, error) }
            }
        }
        return best.map { (bursts: $0.0, error: $0.1) }
    }
}
