/// Partial moments of a variable X over a set S about a pivot c:
/// (P(X ∈ S), E[X − c; X ∈ S], E[(X − c)²; X ∈ S]). They add over disjoint
/// sets and mixtures (for one pivot), which is what lets a truncated, rounded
/// or mixed variable be assembled from its parts. Taking them about a pivot
/// near the mean keeps the variance of a narrow variable far from 0 (such as
/// Normal(1e6, 1) rounded) from cancelling away in E[X²] − E[X]².
struct Moments: Sendable, Equatable {
    var mass: Double
    var first: Double
    var second: Double

    static let zero = Moments(mass: 0, first: 0, second: 0)

    /// A point mass `probability` at offset `offset` from the pivot.
    static func atom(_ offset: Double, probability: Double = 1) -> Moments {
        Moments(mass: probability, first: probability * offset, second: probability * offset * offset)
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

    /// Raw moments (about 0) re-expressed about `pivot`.
    func about(_ pivot: Double) -> Moments {
        guard pivot != 0 else { return self }
        let infinite = first.isInfinite || second.isInfinite
        return Moments(
            mass: mass,
            first: first - pivot * mass,
            second: infinite ? .infinity : second - 2 * pivot * first + pivot * pivot * mass)
    }

    /// E[X | X ∈ S] − pivot.
    var meanOffset: Double { first / mass }

    /// Var[X | X ∈ S] (infinite if E[X²; S] is); exact when the pivot is the mean.
    var variance: Double {
        if second.isInfinite || first.isInfinite { return .infinity }
        let offset = meanOffset
        return Swift.max(0, second / mass - offset * offset)
    }
}
