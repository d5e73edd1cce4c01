/// A fitted distribution as configuration text (a YAML flow mapping with
/// the documented keys of the Distributions article). Only the families `fit`
/// writes are rendered.
enum FamilyYAML {
    static func text(_ distribution: Distribution) -> String {
        var body = text(distribution.family)
        if distribution.isInt { body += ", is_int: true" }
        if let max = distribution.max { body += ", max: \(YAMLNumber.text(max))" }
        return "{" + body + "}"
    }

    static func text(_ family: DistributionFamily) -> String {
        let n = YAMLNumber.text
        switch family {
        case .exponential(let rate): return "type: Exponential, rate: \(n(rate))"
        case .gamma(let shape, let scale): return "type: Gamma, shape: \(n(shape)), scale: \(n(scale))"
        case .weibull(let shape, let scale): return "type: Weibull, shape: \(n(shape)), scale: \(n(scale))"
        case .logNormal(let mu, let sigma): return "type: LogNormal, mu: \(n(mu)), sigma: \(n(sigma))"
        case .constant(let value): return "type: Constant, value: \(n(value))"
        case .mixture(let components, let weights):
            return "type: Mixture, components: [\(components.map(text).joined(separator: ", "))], weights: [\(weights.map(n).joined(separator: ", "))]"
        case .quantiles(let law):
            return "type: Quantiles, points: [\(zip(law.levels, law.knots).map { "[\(n($0)), \(n($1))]" }.joined(separator: ", "))]"
        default:
            preconditionFailure("fit writes no \(family)")
        }
    }
}
