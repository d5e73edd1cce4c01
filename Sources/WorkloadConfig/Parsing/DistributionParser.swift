import WorkloadModel
import Yams

/// What a distribution measures, which decides its extra rules.
package enum DistributionRole {
    /// Token counts: always integers (`is_int` defaults to true), conditioned
    /// on at most `DistributionParser.largestCount` tokens.
    case tokens
    /// Durations in seconds: never negative. A family whose support reaches
    /// below zero is conditioned on x >= 0 (never clamped).
    case time
    /// A priority: conditioned on magnitude at most `largestCount`, so that it
    /// always fits the integer field.
    case priority
    /// Anything else (`sample`): taken as written.
    case value
}

/// Parses a distribution spec (see the Distributions article) with full key paths in every message.
package struct DistributionParser {
    let reader: ConfigReader

    package init(reader: ConfigReader) {
        self.reader = reader
    }

    static let families = ["Exponential", "Gamma", "Weibull", "LogNormal", "Pareto", "Uniform", "Normal", "Constant", "Fixed", "Mixture",
                           "LogUniform", "Histogram", "Quantiles", "Zipf"]
    static let common = ["type", "is_int", "min", "max"]

    /// Truncations that keep less than this share of the mass are config
    /// errors: conditioning by resampling would need over 1,000 draws per value.
    static let minimumTruncationMass = 1e-3

    /// The largest token count or priority magnitude an event carries. Larger
    /// draws are conditioned away (redrawn), like any truncation: a billion
    /// tokens is beyond every model's context, and the bound keeps
    /// accumulated prompts far from integer overflow.
    static let largestCount = 1e9

    /// Components of one Mixture (each integer or truncated one's moments are
    /// worked out once per process; see `MomentCache`).
    static let largestMixture = 1000

    package func parse(_ node: Node, at path: String, role: DistributionRole) -> Distribution? {
        guard let family = family(of: node, at: path),
              let object = reader.object(node, at: path, allowed: Self.common + Self.keys(of: family)) else { return nil }
        let problemsBefore = reader.problems.count
        let parsed = parameters(of: family, in: object, role: role)
        let isInt = object.bool("is_int", default: role == .tokens)
        if role == .tokens && !isInt {
            reader.report(object.path("is_int"), "token counts are integers; must be true (got false)")
        }
        var lower = object.optionalNumber("min")
        var upper = object.optionalNumber("max")
        if let lower, let upper, lower > upper {
            reader.report(object.path("min"), "must be <= max (got min \(NumberRule.format(lower)), max \(NumberRule.format(upper)))")
            return nil
        }
        guard let parsed, reader.problems.count == problemsBefore, drawable(parsed, isInt: isInt, in: object),
              bound(&lower, &upper, of: parsed, role: role, in: object) else { return nil }
        let distribution = Distribution(parsed, isInt: isInt, min: lower, max: upper)
        if lower != nil || upper != nil {
            let mass = distribution.truncationMass
            if !(mass >= Self.minimumTruncationMass) {
                let bounds = "[\(lower.map(NumberRule.format) ?? "-inf"), \(upper.map(NumberRule.format) ?? "inf")]"
                reader.report(path, "impossible truncation: P(value in \(bounds)) = \(mass), below \(Self.minimumTruncationMass)")
                return nil
            }
        }
        return distribution
    }

    /// The family `type` names (in its canonical spelling), or nil (reported).
    private func family(of node: Node, at path: String) -> String? {
        guard case .mapping(let mapping) = node else {
            reader.report(path, "expected a distribution mapping with a 'type' (got \(ConfigReader.describe(node)))")
            return nil
        }
        let typeNode = mapping.first { $0.key.scalar?.string == "type" }?.value
        guard let typeNode, let typeName = typeNode.scalar?.string, !ConfigReader.isNull(typeNode) else {
            reader.report(path + ".type", "missing (expected one of \(Self.families.joined(separator: ", ")))")
            return nil
        }
        guard let family = Self.families.first(where: { $0.lowercased() == typeName.lowercased() }) else {
            reader.report(path + ".type", "unknown distribution '\(typeName)'\(KeySuggestion.hint(for: typeName, in: Self.families))")
            return nil
        }
        return family
    }

    /// The parameter keys of each family: a table.
    private static func keys(of family: String) -> [String] {
        switch family {
        case "Exponential": return ["rate"]
        case "Gamma", "Weibull": return ["shape", "scale"]
        case "LogNormal": return ["mu", "sigma", "mean", "std"]
        case "Pareto": return ["shape", "scale", "alpha", "xm"]
        case "Uniform": return ["low", "high"]
        case "Normal": return ["mean", "sigma", "std"]
        case "Constant", "Fixed": return ["value"]
        case "LogUniform": return ["low", "high"]
        case "Histogram": return ["edges", "weights"]
        case "Quantiles": return ["points"]
        case "Zipf": return ["s", "n"]
        default: return ["components", "weights"]
        }
    }

    /// The family's parameters (each problem reported).
    private func parameters(of family: String, in object: ConfigObject, role: DistributionRole) -> DistributionFamily? {
        let parsed: DistributionFamily?
        switch family {
        case "Exponential":
            parsed = object.number("rate", .positive).map { .exponential(rate: $0) }
        case "Gamma":
            let shape = object.number("shape", .positive), scale = object.number("scale", .positive)
            parsed = shape.flatMap { shape in scale.map { .gamma(shape: shape, scale: $0) } }
        case "Weibull":
            let shape = object.number("shape", .positive), scale = object.number("scale", .positive)
            parsed = shape.flatMap { shape in scale.map { .weibull(shape: shape, scale: $0) } }
        case "LogNormal":
            parsed = logNormal(object)
        case "Pareto":
            let shape = aliased(object, "shape", "alpha"), scale = aliased(object, "scale", "xm")
            parsed = shape.flatMap { shape in scale.map { .pareto(shape: shape, scale: $0) } }
        case "Uniform":
            let low = object.number("low"), high = object.number("high")
            if let low, let high, low >= high {
                reader.report(object.path("low"), "must be < high (got low \(NumberRule.format(low)), high \(NumberRule.format(high)))")
                parsed = nil
            } else {
                parsed = low.flatMap { low in high.map { .uniform(low: low, high: $0) } }
            }
        case "Normal":
            let mean = object.number("mean")
            let std = aliased(object, "std", "sigma", rule: .positive)
            parsed = mean.flatMap { mean in std.map { .normal(mean: mean, std: $0) } }
        case "Constant", "Fixed":
            parsed = object.number("value").map { .constant($0) }
        case "LogUniform":
            parsed = logUniform(object)
        case "Histogram":
            parsed = histogram(object)
        case "Quantiles":
            parsed = quantiles(object)
        case "Zipf":
            parsed = zipf(object)
        default:
            parsed = mixture(object, role: role)
        }

        return parsed
    }

    /// A Uniform whose range can be drawn from (and, `is_int`, holds an integer); else reported.
    private func drawable(_ parsed: DistributionFamily, isInt: Bool, in object: ConfigObject) -> Bool {
        if case .uniform(let low, let high) = parsed {
            if !(high - low).isFinite {
                reader.report(object.path("high"), "the range is too wide to sample (got low \(NumberRule.format(low)), high \(NumberRule.format(high)))")
                return false
            }
            if isInt && high.rounded(.down) - low.rounded(.up) + 1 > 0x1p53 {
                reader.report(object.path("high"), "is_int Uniform has more integers than can be drawn uniformly (got low \(NumberRule.format(low)), high \(NumberRule.format(high)))")
                return false
            }
            if isInt && low.rounded(.up) > high.rounded(.down) {
                reader.report(object.path("low"), "is_int Uniform needs an integer in [low, high] (got low \(NumberRule.format(low)), high \(NumberRule.format(high)))")
                return false
            }
        }

        return true
    }

    /// Checks the bounds a role allows and fills in the implied ones (a time is
    /// never below 0, a count never beyond `largestCount`); false when reported.
    private func bound(_ lower: inout Double?, _ upper: inout Double?, of parsed: DistributionFamily, role: DistributionRole,
                       in object: ConfigObject) -> Bool {
        if role == .time {
            if let given = lower, given < 0 {
                reader.report(object.path("min"), "a time must be >= 0 (got \(NumberRule.format(given)))")
                return false
            }
            if let given = upper, given < 0 {
                reader.report(object.path("max"), "a time must be >= 0 (got \(NumberRule.format(given)))")
                return false
            }
            if case .constant(let value) = parsed, value < 0 {
                reader.report(object.path("value"), "a time must be >= 0 (got \(NumberRule.format(value)))")
                return false
            }
            let support = Distribution(parsed).supportLowerBound
            if support < 0 { lower = Swift.max(lower ?? 0, 0) }
        }
        if role == .tokens || role == .priority {
            let limit = Self.largestCount
            if let given = upper, given > limit {
                reader.report(object.path("max"), "must be <= \(NumberRule.format(limit)) (got \(NumberRule.format(given)))")
                return false
            }
            if let given = lower, given > limit {
                reader.report(object.path("min"), "must be <= \(NumberRule.format(limit)) (got \(NumberRule.format(given)))")
                return false
            }
            if let given = lower, given < -limit {
                reader.report(object.path("min"), "must be >= -\(NumberRule.format(limit)) (got \(NumberRule.format(given)))")
                return false
            }
            let family = Distribution(parsed)
            if family.supremum > limit { upper = upper ?? limit }
            if role == .priority && family.infimum < -limit { lower = lower ?? -limit }
        }
        return true
    }

    /// `{mu, sigma}` are log-space parameters; `{mean, std}` and the seed's
    /// `{mean, sigma}` are the mean and standard deviation of the variable.
    private func logNormal(_ object: ConfigObject) -> DistributionFamily? {
        if object.has("mu") {
            if object.has("mean") || object.has("std") {
                reader.report(object.path, "LogNormal takes either {mu, sigma} (log space) or {mean, std} (of the variable), not both")
                return nil
            }
            let mu = object.number("mu"), sigma = object.number("sigma", .positive)
            return mu.flatMap { mu in sigma.map { .logNormal(mu: mu, sigma: $0) } }
        }
        let mean = object.number("mean", .positive)
        let std = aliased(object, "std", "sigma", rule: .positive)
        guard let mean, let std else { return nil }
        let family = DistributionFamily.logNormal(mean: mean, std: std)
        guard case .logNormal(let mu, let sigma) = family, mu.isFinite, sigma.isFinite, sigma > 0 else {
            reader.report(object.path, "mean \(NumberRule.format(mean)) and std \(NumberRule.format(std)) give no representable LogNormal (the ratio std/mean is too extreme)")
            return nil
        }
        return family
    }

    /// A parameter that has two accepted names; both given is an error.
    private func aliased(_ object: ConfigObject, _ name: String, _ alias: String, rule: NumberRule = .positive) -> Double? {
        if object.has(name) && object.has(alias) {
            reader.report(object.path(alias), "give either '\(name)' or '\(alias)', not both")
            return nil
        }
        return object.number(object.has(alias) ? alias : name, rule)
    }

    private func mixture(_ object: ConfigObject, role: DistributionRole) -> DistributionFamily? {
        guard let componentsNode = object.required("components", "a list of distributions") else { return nil }
        guard case .sequence(let sequence) = componentsNode, !sequence.isEmpty else {
            reader.report(object.path("components"), "expected a non-empty list of distributions (got \(ConfigReader.describe(componentsNode)))")
            return nil
        }
        if sequence.count > Self.largestMixture {
            reader.report(object.path("components"), "a Mixture has at most \(Self.largestMixture) components: its figures at start-up grow with each (got \(sequence.count))")
            return nil
        }
        let components = sequence.enumerated().map { index, node in
            parse(node, at: "\(object.path("components"))[\(index)]", role: role == .time ? .value : role)
        }
        var weights = [Double](repeating: 1, count: sequence.count)
        if let weightsNode = object["weights"] {
            guard case .sequence(let list) = weightsNode else {
                reader.report(object.path("weights"), "expected a list of numbers (got \(ConfigReader.describe(weightsNode)))")
                return nil
            }
            if list.count != sequence.count {
                reader.report(object.path("weights"), "has \(list.count) weights for \(sequence.count) components")
                return nil
            }
            weights = []
            for (index, node) in list.enumerated() {
                let path = "\(object.path("weights"))[\(index)]"
                guard let weight = reader.number(node, at: path) else { return nil }
                if weight < 0 {
                    reader.report(path, "must be >= 0 (got \(ConfigReader.describe(node)))")
                    return nil
                }
                weights.append(weight)
            }
            if weights.reduce(0, +) <= 0 {
                reader.report(object.path("weights"), "must not all be zero (got [\(weights.map(NumberRule.format).joined(separator: ", "))])")
                return nil
            }
        }
        let parsed = components.compactMap { $0 }
        guard parsed.count == components.count else { return nil }
        return .mixture(components: parsed, weights: weights)
    }
}
