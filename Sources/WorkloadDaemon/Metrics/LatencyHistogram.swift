import Synchronization

/// A Prometheus histogram of durations recorded in nanoseconds and exported in
/// seconds: cumulative `_bucket{le}` counts over fixed bounds, `_sum` and `_count`.
///
/// Unlike a summary, histograms from several shards add up (`sum by (le)`), and
/// `histogram_quantile` over `rate(..._bucket[5m])` gives windowed quantiles on the
/// server. Recording is lock-free: a scan of the few bounds and three relaxed atomic
/// adds.
public final class LatencyHistogram: Sendable {
    /// Upper bounds in nanoseconds (the `+Inf` bucket is implicit).
    public let boundsNanoseconds: [UInt64]
    private let counts: [Counter]  // per bucket, not cumulative; one more for +Inf
    private let sum = Atomic<UInt64>(0)
    private let count = Atomic<UInt64>(0)

    /// 10 µs to 10 s: the pacer's own floor up to a stalled sink.
    public static let defaultBoundsSeconds: [Double] = [
        0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005,
        0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    init(boundsSeconds: [Double]) {
        precondition(!boundsSeconds.isEmpty && zip(boundsSeconds, boundsSeconds.dropFirst()).allSatisfy { $0 < $1 },
                     "histogram bounds must increase")
        boundsNanoseconds = boundsSeconds.map { UInt64(($0 * 1e9).rounded()) }
        counts = (0...boundsSeconds.count).map { _ in Counter() }
    }

    @inline(__always)
    public func record(nanoseconds value: UInt64) {
        var index = 0
        while index < boundsNanoseconds.count && value > boundsNanoseconds[index] { index += 1 }
        counts[index].increment()
        sum.wrappingAdd(value, ordering: .relaxed)
        count.wrappingAdd(1, ordering: .relaxed)
    }

    /// Cumulative counts per bound (the last is `+Inf`), the sum in nanoseconds and the count.
    public func snapshot() -> (cumulative: [UInt64], sumNanoseconds: UInt64, count: UInt64) {
        var running: UInt64 = 0
        let cumulative = counts.map { bucket -> UInt64 in
            running &+= bucket.value
            return running
        }
        // `_count` must equal the +Inf bucket, so it is taken from the buckets read.
        return (cumulative, sum.load(ordering: .relaxed), cumulative.last ?? 0)
    }
}

extension LatencyHistogram: MetricCollector {
    func render(name: String, into out: inout String) {
        let view = snapshot()
        for (index, cumulative) in view.cumulative.enumerated() {
            let bound = index < boundsNanoseconds.count
                ? PrometheusText.format(Double(boundsNanoseconds[index]) / 1e9) : "+Inf"
            PrometheusText.sample(name: name + "_bucket", labels: "le=\"\(bound)\"", value: String(cumulative), into: &out)
        }
        PrometheusText.sample(name: name + "_sum", labels: "",
                              value: PrometheusText.format(Double(view.sumNanoseconds) / 1e9), into: &out)
        PrometheusText.sample(name: name + "_count", labels: "", value: String(view.count), into: &out)
    }
}
