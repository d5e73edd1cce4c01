import RealModule

/// A distribution `fit` chose for a sample, with how it was chosen: the KS
/// distance of every candidate family and of the final law.
package struct FittedLaw: Sendable {
    /// The chosen law, ready for the generator.
    package var distribution: Distribution
    /// Its configuration text (a YAML flow mapping with documented keys only).
    package var yaml: String
    /// What was chosen ("LogNormal", "Quantiles (empirical, 180 points)").
    package var choice: String
    /// KS distance between the chosen law and the sample.
    package var ks: Double
    /// Every parametric candidate and its KS distance, best first.
    package var candidates: [(name: String, ks: Double)]
    /// The KS acceptance distance a parametric family had to meet (5% level).
    package var critical: Double

    /// One line for the configuration's comments.
    package var summary: String {
        let tried = candidates.map { "\($0.name) \(format($0.ks))" }.joined(separator: ", ")
        return "\(choice), KS \(format(ks)) (parametric candidates by KS: \(tried.isEmpty ? "none applicable" : tried); accepted at <= \(format(critical)))"
    }

    func format(_ value: Double) -> String { YAMLNumber.rounded(value, decimals: 4) }
}

/// Number text for configurations (the model has no Foundation formatter).
package enum YAMLNumber {
    /// Reads back to the same Double.
    package static func text(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// At most six significant digits.
    package static func short(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return value.isFinite ? "0" : "\(value)" }
        let decimals = 5 - Int(Double.log10(abs(value)).rounded(.down))
        return decimals <= 0 ? text(value.rounded()) : rounded(value, decimals: decimals)
    }

    /// Rounded to `decimals` places, shortest text.
    package static func rounded(_ value: Double, decimals: Int) -> String {
        let factor = Double.pow(10, Double(decimals))
        return text((value * factor).rounded() / factor)
    }
}
