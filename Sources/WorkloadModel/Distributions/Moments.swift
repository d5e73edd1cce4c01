/// Partial moments of a variable X over a set S: (P(X ∈ S), E[X; X ∈ S],
/// E[X²; X ∈ S]). They add over disjoint sets and mixtures, which is what
/// lets a truncated, rounded or mixed variable be assembled from its parts.
struct Moments: Sendable, Equatable {
    var mass: Double
    var first: Double
    var second: Double

    static let zero = Moments(mass: 0, first: 0, second: 0)

    /// A point mass `probability` at `value`.
    static func atom(_ value: Double, probability: Double = 1) -> Moments {
        Moments(mass: probability, first: probability * value, second: probability * value * value)
    }

    static func + (lhs: Moments, rhs: Moments) -> Moments {
        Moments(mass: lhs.mass + rhs.mass, first: lhs.first + rhs.first, second: lhs.second + rhs.second)
    }

    static func += (lhs: inout Moments, rhs: Moments) {
        lhs = lhs + rhs
    }

    /// Scaling by a probability (a mixture weight, or 1 / truncation mass);
    /// a zero factor gives zero even where a moment is infinite.
    static func * (factor: Double, moments: Moments) -> Moments {
        guard factor != 0 else { return .zero }
        return Moments(mass: factor * moments.mass, first: factor * moments.first, second: factor * moments.second)
    }

    /// The conditional mean E[X | X ∈ S].
    var mean: Double { first / mass }

    /// The conditional variance Var[X | X ∈ S] (infinite if E[X²; S] is).
    var variance: Double {
        if second == .infinity || first.isInfinite { return .infinity }
        let mean = self.mean
        return Swift.max(0, second / mass - mean * mean)
    }
}
