import RealModule

/// Fits a sample with the parametric families (maximum likelihood, or its
/// standard approximations), a mixture of LogNormals, or its empirical law,
/// and keeps the best by Kolmogorov-Smirnov distance: a parametric law is
/// kept only when the KS test at 5% does not reject it (D <= 1.358 / sqrt(n)),
/// otherwise the sample's own `Quantiles` law is written.
package enum FamilyFit {
    /// - Parameters:
    ///   - sample: the values (any order); token counts with `integer`.
    ///   - integer: the values are integer counts >= 1 (written with `is_int`).
    ///   - preserveMean: rescale every candidate to the sample's mean (for
    ///     gaps, whose mean is the rate), then judge it by KS.
    ///   - bounded: truncate parametric laws at the sample's maximum (`max`,
    ///     by conditioning): a follow-up gap law needs a finite longest gap,
    ///     or warm_start's burn-in runs to its 7-day cap.
    ///   - closedFormQuantile: only families whose quantile function is in
    ///     closed form (not Gamma or Mixture, which the copula inverts by
    ///     bisection: about 8x slower to generate): for lengths drawn
    ///     through `input_output_correlation`.
    package static func fit(_ sample: [Double], integer: Bool, preserveMean: Bool = false, bounded: Bool = false,
                           closedFormQuantile: Bool = false, levels: Int = 256) -> FittedLaw {
        let sorted = sample.sorted()
        let sampleMean = sorted.reduce(0, +) / Double(sorted.count)
        let critical = 1.358 / Double(sorted.count).squareRoot()
        let maximum: Double? = bounded ? sorted.last : nil
        func adjusted(_ family: DistributionFamily) -> Distribution {
            var distribution = Distribution(family, isInt: integer)
            if case .quantiles = family {} else if let maximum, distribution.cdf(maximum) > 0.5 {
                distribution = Distribution(family, isInt: integer, max: maximum)
            }
            guard preserveMean, !integer, distribution.mean > 0, distribution.mean.isFinite else { return distribution }
            return Distribution(family.scaled(by: sampleMean / distribution.mean), isInt: integer,
                                max: distribution.max.map { $0 * sampleMean / distribution.mean })
        }
        var candidates: [(name: String, distribution: Distribution, ks: Double)] = []
        for (name, family) in parametric(sorted) where family.parameterProblem == nil {
            if closedFormQuantile {
                switch family {
                case .gamma, .mixture: continue
                default: break
                }
            }
            let distribution = adjusted(family)
            let ks = KolmogorovSmirnov.distance(sorted: sorted, cdf: distribution.cdf, integer: integer)
            if ks.isFinite { candidates.append((name, distribution, ks)) }
        }
        candidates.sort { $0.ks < $1.ks }
        let tried = candidates.map { (name: $0.name, ks: $0.ks) }
        if let best = candidates.first, best.ks <= critical {
            return FittedLaw(distribution: best.distribution, yaml: FamilyYAML.text(best.distribution), choice: best.name, ks: best.ks,
                             candidates: tried, critical: critical)
        }
        let points = integer ? EmpiricalQuantiles.integerPoints(sorted: sorted, levels: levels)
                             : EmpiricalQuantiles.continuousPoints(sorted: sorted, levels: levels)
        let distribution = adjusted(.quantiles(PiecewiseLinearCDF(knots: points.map(\.x), levels: points.map(\.p))))
        let ks = KolmogorovSmirnov.distance(sorted: sorted, cdf: distribution.cdf, integer: integer)
        return FittedLaw(distribution: distribution, yaml: FamilyYAML.text(distribution),
                         choice: "Quantiles (empirical, \(points.count) points)", ks: ks, candidates: tried, critical: critical)
    }

    /// The candidates for a sorted sample: families whose support holds it.
    static func parametric(_ sorted: [Double]) -> [(String, DistributionFamily)] {
        let n = Double(sorted.count)
        let mean = sorted.reduce(0, +) / n
        guard mean > 0, let first = sorted.first else { return [] }
        var out: [(String, DistributionFamily)] = [("Exponential", .exponential(rate: 1 / mean))]
        guard first > 0 else { return out }  // zeros: only families with an atom-free support at 0
        let logs = sorted.map { Double.log($0) }
        let meanLog = logs.reduce(0, +) / n
        let varLog = logs.reduce(0) { $0 + ($1 - meanLog) * ($1 - meanLog) } / n
        out.append(("LogNormal", .logNormal(mu: meanLog, sigma: varLog.squareRoot())))
        // Gamma: Minka's approximation to the MLE of the shape from s = ln(mean) - mean(ln x).
        let s = Double.log(mean) - meanLog
        if s > 0 {
            let shape = (3 - s + ((s - 3) * (s - 3) + 24 * s).squareRoot()) / (12 * s)
            out.append(("Gamma", .gamma(shape: shape, scale: mean / shape)))
        }
        if let k = weibullShape(logs: logs, meanLog: meanLog) {
            let scale = Double.pow(sorted.reduce(0) { $0 + Double.pow($1, k) } / n, 1 / k)
            out.append(("Weibull", .weibull(shape: k, scale: scale)))
        }
        for components in [2, 3] {
            if let mixture = LogNormalMixture.fit(logs: logs, components: components) {
                let parts = zip(mixture.mu, mixture.sigma).map { Distribution(.logNormal(mu: $0, sigma: $1)) }
                out.append(("Mixture of \(components) LogNormals", .mixture(components: parts, weights: mixture.weights)))
            }
        }
        return out
    }

    /// The Weibull MLE shape: Newton's method on
    /// 1/k + mean(ln x) - sum x^k ln x / sum x^k = 0.
    static func weibullShape(logs: [Double], meanLog: Double) -> Double? {
        var k = 1.0
        for _ in 0..<60 {
            var a = 0.0, b = 0.0, c = 0.0
            for log in logs {
                let p = Double.exp(k * (log - meanLog))  // x^k scaled, for range
                a += p
                b += p * log
                c += p * log * log
            }
            let g = 1 / k + meanLog - b / a
            let dg = -1 / (k * k) - (c / a - (b / a) * (b / a))
            let step = g / dg
            k = Swift.max(k / 2, Swift.min(k * 2, k - step))
            if abs(step) < 1e-10 * k { break }
        }
        return k.isFinite && k > 0 ? k : nil
    }
}

/// A Gaussian mixture of log values fitted by expectation-maximisation
/// (quantile-spread starting means, 200 iterations at most).
struct LogNormalMixture {
    var weights: [Double]
    var mu: [Double]
    var sigma: [Double]

    static func fit(logs sorted: [Double], components k: Int) -> LogNormalMixture? {
        let n = sorted.count
        guard n >= 10 * k else { return nil }
        var mu = (0..<k).map { sorted[Swift.min(n - 1, (2 * $0 + 1) * n / (2 * k))] }
        let total = sorted.reduce(0, +) / Double(n)
        let spread = (sorted.reduce(0) { $0 + ($1 - total) * ($1 - total) } / Double(n)).squareRoot()
        var sigma = [Double](repeating: Swift.max(spread / Double(k), 1e-3), count: k)
        var weights = [Double](repeating: 1 / Double(k), count: k)
        var resp = [Double](repeating: 0, count: k)
        var previous = -Double.infinity
        for _ in 0..<200 {
            var sw = [Double](repeating: 0, count: k), sx = sw, sxx = sw
            var logLikelihood = 0.0
            for x in sorted {
                var sum = 0.0
                for j in 0..<k {
                    let z = (x - mu[j]) / sigma[j]
                    resp[j] = weights[j] * Double.exp(-z * z / 2) / sigma[j]
                    sum += resp[j]
                }
                guard sum > 0 else { continue }
                logLikelihood += Double.log(sum)
                for j in 0..<k {
                    let r = resp[j] / sum
                    sw[j] += r
                    sx[j] += r * x
                    sxx[j] += r * x * x
                }
            }
            for j in 0..<k where sw[j] > 0 {
                weights[j] = sw[j] / Double(n)
                mu[j] = sx[j] / sw[j]
                sigma[j] = Swift.max((sxx[j] / sw[j] - mu[j] * mu[j]).squareRoot(), 1e-3)
            }
            if logLikelihood - previous < 1e-8 * abs(logLikelihood) { break }
            previous = logLikelihood
        }
        guard weights.allSatisfy({ $0 > 1e-6 }), sigma.allSatisfy(\.isFinite), mu.allSatisfy(\.isFinite) else { return nil }
        return LogNormalMixture(weights: weights, mu: mu, sigma: sigma)
    }
}
