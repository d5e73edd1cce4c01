import RealModule

/// The distribution families (see the Distributions article), with validated parameters.
@usableFromInline package indirect enum DistributionFamily: Sendable, Equatable {
    case exponential(rate: Double)
    case gamma(shape: Double, scale: Double)
    case weibull(shape: Double, scale: Double)
    /// Parameters of the underlying normal (log space).
    case logNormal(mu: Double, sigma: Double)
    /// shape = alpha, scale = x_m; support x >= scale.
    case pareto(shape: Double, scale: Double)
    case uniform(low: Double, high: Double)
    case normal(mean: Double, std: Double)
    case constant(Double)
    case mixture(components: [Distribution], weights: [Double])
    /// ln Y uniform on [ln low, ln high], 0 < low < high.
    case logUniform(low: Double, high: Double)
    /// Uniform within each bin, bins chosen by weight (`Histogram`).
    case histogram(PiecewiseLinearCDF)
    /// The piecewise-linear CDF through (p, x) points (`Quantiles`).
    case quantiles(PiecewiseLinearCDF)
    /// Integers 1...n with P(k) proportional to k^(−s).
    case zipf(ZipfLaw)

    /// LogNormal given the mean and standard deviation of the variable itself.
    ///
    /// sigma² = ln(1 + std²/mean²) and mu = ln(mean) − sigma²/2, the inverse of
    /// mean = exp(mu + sigma²/2), std² = mean²·(exp(sigma²) − 1).
    package static func logNormal(mean: Double, std: Double) -> DistributionFamily {
        let ratio = std / mean
        let sigma2 = Double.log(onePlus: ratio * ratio)
        return .logNormal(mu: .log(mean) - sigma2 / 2, sigma: sigma2.squareRoot())
    }
}

extension DistributionFamily {
    /// Why the parameters are impossible, or nil. The config layer reports
    /// these with key paths first; here they guard the initializer.
    var parameterProblem: String? {
        func positive(_ value: Double) -> Bool { value > 0 && value.isFinite }
        switch self {
        case .exponential(let rate):
            return positive(rate) ? nil : "exponential rate must be > 0 (got \(rate))"
        case .gamma(let shape, let scale), .weibull(let shape, let scale), .pareto(let shape, let scale):
            return positive(shape) && positive(scale) ? nil : "shape and scale must be > 0 (got \(shape), \(scale))"
        case .logNormal(let mu, let sigma):
            return mu.isFinite && positive(sigma) ? nil : "lognormal needs finite mu and sigma > 0 (got \(mu), \(sigma))"
        case .uniform(let low, let high):
            return low.isFinite && high.isFinite && low < high ? nil : "uniform needs low < high (got \(low), \(high))"
        case .normal(let mean, let std):
            return mean.isFinite && positive(std) ? nil : "normal needs finite mean and std > 0 (got \(mean), \(std))"
        case .constant(let value):
            return value.isFinite ? nil : "constant must be finite (got \(value))"
        case .mixture(let components, let weights):
            if components.isEmpty { return "mixture needs at least one component" }
            if components.count != weights.count {
                return "mixture has \(components.count) components but \(weights.count) weights"
            }
            if weights.contains(where: { !($0 >= 0 && $0.isFinite) }) { return "mixture weights must be >= 0" }
            return weights.reduce(0, +) > 0 ? nil : "mixture weights must sum to > 0"
        case .logUniform(let low, let high):
            return positive(low) && high.isFinite && low < high ? nil : "log-uniform needs 0 < low < high (got \(low), \(high))"
        case .histogram(let law), .quantiles(let law):
            return law.problem
        case .zipf:
            return nil
        }
    }

    /// The infimum of the family's support (for a mixture, the smallest
    /// infimum of its components' final variables).
    var supportLowerBound: Double {
        switch self {
        case .exponential, .gamma, .weibull, .logNormal: return 0
        case .pareto(_, let scale): return scale
        case .uniform(let low, _): return low
        case .normal: return -.infinity
        case .constant(let value): return value
        case .mixture(let components, let weights):
            return zip(components, weights).filter { $0.1 > 0 }.map(\.0.infimum).min() ?? -.infinity
        case .logUniform(let low, _): return low
        case .histogram(let law), .quantiles(let law): return law.lowerBound
        case .zipf: return 1
        }
    }

    /// The supremum of the family's support.
    var supportUpperBound: Double {
        switch self {
        case .uniform(_, let high): return high
        case .constant(let value): return value
        case .mixture(let components, let weights):
            return zip(components, weights).filter { $0.1 > 0 }.map(\.0.supremum).max() ?? .infinity
        case .logUniform(_, let high): return high
        case .histogram(let law), .quantiles(let law): return law.upperBound
        case .zipf(let law): return law.count
        default: return .infinity
        }
    }

    /// Whether `scaled(by:)` exists (every family but Zipf, also inside a mixture).
    package var isScalable: Bool {
        switch self {
        case .zipf: return false
        case .mixture(let components, _): return components.allSatisfy(\.family.isScalable)
        default: return true
        }
    }

    /// The family of `factor` times the variable (factor > 0).
    func scaled(by factor: Double) -> DistributionFamily {
        switch self {
        case .exponential(let rate): return .exponential(rate: rate / factor)
        case .gamma(let shape, let scale): return .gamma(shape: shape, scale: scale * factor)
        case .weibull(let shape, let scale): return .weibull(shape: shape, scale: scale * factor)
        case .logNormal(let mu, let sigma): return .logNormal(mu: mu + .log(factor), sigma: sigma)
        case .pareto(let shape, let scale): return .pareto(shape: shape, scale: scale * factor)
        case .uniform(let low, let high): return .uniform(low: low * factor, high: high * factor)
        case .normal(let mean, let std): return .normal(mean: mean * factor, std: std * factor)
        case .constant(let value): return .constant(value * factor)
        case .mixture(let components, let weights):
            return .mixture(components: components.map { $0.scaled(by: factor) }, weights: weights)
        case .logUniform(let low, let high): return .logUniform(low: low * factor, high: high * factor)
        case .histogram(let law): return .histogram(law.scaled(by: factor))
        case .quantiles(let law): return .quantiles(law.scaled(by: factor))
        case .zipf:
            // No Zipf law on multiples of k: the config layer keeps Zipf out of rescaled distributions.
            preconditionFailure("a Zipf law cannot be rescaled")
        }
    }

    /// Mixture weights normalised to sum to 1.
    static func normalized(_ weights: [Double]) -> [Double] {
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// The mean of the (untruncated, unrounded) family, in closed form.
    var mean: Double {
        switch self {
        case .exponential(let rate): return 1 / rate
        case .gamma(let shape, let scale): return shape * scale
        case .weibull(let shape, let scale): return scale * .exp(.logGamma(1 + 1 / shape))
        case .logNormal(let mu, let sigma): return .exp(mu + sigma * sigma / 2)
        case .pareto(let shape, let scale): return shape <= 1 ? .infinity : shape * scale / (shape - 1)
        case .uniform(let low, let high): return (low + high) / 2
        case .normal(let mean, _): return mean
        case .constant(let value): return value
        case .mixture(let components, let weights):
            var total = 0.0
            for (component, weight) in zip(components, Self.normalized(weights)) where weight > 0 {
                total += weight * component.mean
            }
            return total
        case .logUniform(let low, let high): return (high - low) / .log(high / low)
        case .histogram(let law), .quantiles(let law): return law.mean
        case .zipf(let law): return law.mean
        }
    }

    /// The variance of the (untruncated, unrounded) family, in closed form.
    var variance: Double {
        switch self {
        case .exponential(let rate): return 1 / (rate * rate)
        case .gamma(let shape, let scale): return shape * scale * scale
        case .weibull(let shape, let scale):
            let g1 = Double.exp(.logGamma(1 + 1 / shape))
            let g2 = Double.exp(.logGamma(1 + 2 / shape))
            return scale * scale * Swift.max(0, g2 - g1 * g1)
        case .logNormal(let mu, let sigma):
            // mean² · (exp(sigma²) − 1), without cancellation for small sigma.
            return .exp(2 * mu + sigma * sigma) * .expMinusOne(sigma * sigma)
        case .pareto(let shape, let scale):
            guard shape > 2 else { return .infinity }
            return scale * scale * shape / ((shape - 1) * (shape - 1) * (shape - 2))
        case .uniform(let low, let high): return (high - low) * (high - low) / 12
        case .normal(_, let std): return std * std
        case .constant: return 0
        case .mixture(let components, let weights):
            // Law of total variance, centred on the mixture mean (no cancellation).
            let mixtureMean = mean
            guard mixtureMean.isFinite else { return .infinity }
            var total = 0.0
            for (component, weight) in zip(components, Self.normalized(weights)) where weight > 0 {
                let deviation = component.mean - mixtureMean
                let std = component.standardDeviation
                total += weight * (std * std + deviation * deviation)
            }
            return total
        case .logUniform(let low, let high):
            let logRatio = Double.log(high / low)
            let mean = (high - low) / logRatio
            // E[Y²] − mean², about the mean: ∫ (y − m)² / (y L) dy over [low, high].
            return (high * high - low * low) / (2 * logRatio) - 2 * mean * (high - low) / logRatio + mean * mean
        case .histogram(let law), .quantiles(let law): return law.variance
        case .zipf(let law): return law.variance
        }
    }
}
