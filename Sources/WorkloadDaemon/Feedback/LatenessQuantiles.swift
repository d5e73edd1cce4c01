/// Quantiles of a stream of durations in bounded memory, for the end-of-run
/// `feedback` line (follow-up lateness p50, p99, max): log-linear buckets,
/// 128 per power of two, so a quantile is within 0.8 % of the exact one
/// (exact below 128 ns), however long the run. The Prometheus histogram's
/// 19 fixed bounds are too coarse to tell 1 ms from 2 ms.
///
/// Used by the generating thread only.
package struct LatenessQuantiles: Sendable {
    /// Sub-buckets per power of two, as a shift (2^7 = 128).
    private static let precision = 7
    private var counts = [UInt64](repeating: 0, count: (64 - precision + 1) << precision)
    package private(set) var count: UInt64 = 0
    package private(set) var maximum: UInt64 = 0

    package init() {}

    package mutating func record(nanoseconds value: UInt64) {
        counts[Self.index(value)] += 1
        count += 1
        maximum = max(maximum, value)
    }

    /// The `q`-quantile (nearest rank), the middle of its bucket; nil before the first value.
    package func quantile(_ q: Double) -> UInt64? {
        guard count > 0 else { return nil }
        let rank = max(1, UInt64((q * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= rank { return min(Self.middle(index), maximum) }
        }
        return maximum
    }

    /// Values below 2^precision have a bucket each; above, the leading bit's
    /// position and the next `precision` bits pick it.
    private static func index(_ value: UInt64) -> Int {
        guard value >= 1 << precision else { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount
        let shift = exponent - precision
        return ((shift + 1) << precision) + Int((value >> UInt64(shift)) & ((1 << precision) - 1))
    }

    private static func middle(_ index: Int) -> UInt64 {
        guard index >= 1 << precision else { return UInt64(index) }
        let shift = (index >> precision) - 1
        let low = UInt64((1 << precision) | (index & ((1 << precision) - 1))) << UInt64(shift)
        return low + ((UInt64(1) << UInt64(shift)) >> 1)
    }
}
