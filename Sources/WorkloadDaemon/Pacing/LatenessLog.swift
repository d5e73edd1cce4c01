/// Every lateness of a paced benchmark run, kept exactly (no histogram
/// buckets) so that its quantiles are exact. Filled by the one generating
/// thread; storage is reserved up front so recording does not allocate.
/// (Its quantiles are computed in WorkloadBench, which owns the report.)
package final class LatenessLog {
    package private(set) var nanoseconds: [UInt64] = []

    package init(expected: Int) {
        nanoseconds.reserveCapacity(expected)
    }

    @inline(__always)
    package func record(_ value: UInt64) {
        nanoseconds.append(value)
    }
}
