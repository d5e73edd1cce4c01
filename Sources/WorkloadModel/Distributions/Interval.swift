/// A real interval whose ends may be open or closed: the question "how much
/// mass, and which partial moments, lie in this set" that the CDF, the
/// truncation mass and the moments of truncated or rounded variables all ask.
struct Interval: Sendable, Equatable {
    var lower: Double
    var lowerClosed: Bool
    var upper: Double
    var upperClosed: Bool

    /// The whole real line.
    static let all = Interval(lower: -.infinity, lowerClosed: false, upper: .infinity, upperClosed: false)

    /// [lower, upper]; an infinite end is open.
    static func closed(_ lower: Double, _ upper: Double) -> Interval {
        Interval(lower: lower, lowerClosed: lower.isFinite, upper: upper, upperClosed: upper.isFinite)
    }

    /// (-infinity, x]
    static func atMost(_ x: Double) -> Interval {
        Interval(lower: -.infinity, lowerClosed: false, upper: x, upperClosed: x.isFinite)
    }

    /// (-infinity, x)
    static func below(_ x: Double) -> Interval {
        Interval(lower: -.infinity, lowerClosed: false, upper: x, upperClosed: false)
    }

    /// [x, infinity)
    static func atLeast(_ x: Double) -> Interval {
        Interval(lower: x, lowerClosed: x.isFinite, upper: .infinity, upperClosed: false)
    }

    /// (x, infinity)
    static func above(_ x: Double) -> Interval {
        Interval(lower: x, lowerClosed: false, upper: .infinity, upperClosed: false)
    }

    /// The values that `max(1, round(Y))` maps to an integer in `first...last`
    /// (first >= 1): everything below 1.5 rounds up to 1, and Swift rounds
    /// halves away from zero, so integer k >= 2 collects [k - 0.5, k + 0.5).
    static func roundingCells(_ first: Double, _ last: Double) -> Interval {
        Interval(
            lower: first <= 1 ? -.infinity : first - 0.5, lowerClosed: first > 1,
            upper: last + 0.5, upperClosed: false)
    }

    var isEmpty: Bool {
        lower > upper || (lower == upper && !(lowerClosed && upperClosed))
    }

    func contains(_ x: Double) -> Bool {
        (lower < x || (lowerClosed && lower == x)) && (x < upper || (upperClosed && x == upper))
    }

    func intersection(_ other: Interval) -> Interval {
        var result = self
        if other.lower > lower || (other.lower == lower && !other.lowerClosed) {
            result.lower = other.lower
            result.lowerClosed = other.lowerClosed
        }
        if other.upper < upper || (other.upper == upper && !other.upperClosed) {
            result.upper = other.upper
            result.upperClosed = other.upperClosed
        }
        return result
    }

    /// The first and last integers in the interval (as doubles, possibly
    /// infinite); empty when first > last.
    var integerRange: (first: Double, last: Double) {
        let first = lowerClosed ? lower.rounded(.up) : lower.rounded(.down) + 1
        let last = upperClosed ? upper.rounded(.down) : upper.rounded(.up) - 1
        return (first, last)
    }
}
