// INTERFACE STUB: the distributions helper replaces the bodies; the public API
// below is what the rest of the model and the config layer use.

/// The families of SPEC 3.1, with validated parameters.
public indirect enum DistributionFamily: Sendable, Equatable {
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

    /// LogNormal given the mean and standard deviation of the variable itself.
    public static func logNormal(mean: Double, std: Double) -> DistributionFamily {
        let sigma2 = (1 + (std * std) / (mean * mean)).log1pSafe
        return .logNormal(mu: mean.logSafe - sigma2 / 2, sigma: sigma2.squareRoot())
    }
}

extension Double {
    var logSafe: Double { fatalError("stub") }
    var log1pSafe: Double { fatalError("stub") }
}

/// A distribution as configured: a family, optional rounding to integers
/// (`is_int`: round to nearest, then raise values below 1 to 1; Uniform draws
/// integers uniformly from low...high), and optional truncation to
/// [min, max] by conditioning (resampling), never by clamping.
public struct Distribution: Sendable, Equatable {
    public let family: DistributionFamily
    public let isInt: Bool
    public let min: Double?
    public let max: Double?

    public init(_ family: DistributionFamily, isInt: Bool = false, min: Double? = nil, max: Double? = nil) {
        self.family = family
        self.isInt = isInt
        self.min = min
        self.max = max
    }

    /// One draw of the final variable (after rounding and truncation).
    @inlinable
    public func sample<R: RandomNumberGenerator>(using rng: inout R) -> Double { fatalError("stub") }

    /// CDF of the final variable, P(X <= x).
    public func cdf(_ x: Double) -> Double { fatalError("stub") }

    /// Mean of the final variable (exact where closed-form, else deterministic numerics).
    public var mean: Double { fatalError("stub") }

    /// Standard deviation of the final variable.
    public var standardDeviation: Double { fatalError("stub") }

    /// P(min <= X <= max) for the untruncated (but rounded, if is_int) variable;
    /// 1 without truncation. The config layer rejects a truncation whose mass is tiny.
    public var truncationMass: Double { fatalError("stub") }

    /// The infimum of the untruncated family's support (0 for Exponential,
    /// -infinity for Normal, `scale` for Pareto ...).
    public var supportLowerBound: Double { fatalError("stub") }

    /// The variable multiplied by `factor` > 0 (used to rescale inter-arrival
    /// times in superposition mode); bounds are scaled too.
    public func scaled(by factor: Double) -> Distribution { fatalError("stub") }
}
