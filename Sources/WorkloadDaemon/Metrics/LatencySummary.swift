import Synchronization

/// A Prometheus summary of durations recorded in nanoseconds and exported in seconds:
/// quantiles over a sliding window, plus lifetime `_sum` and `_count`.
///
/// Recording is O(1): a short uncontended lock, one bucket increment in a fixed
/// logarithmic histogram (`LogBucketing`, at most 6.25 % bucket width). Quantiles are
/// read from the histogram at scrape time, reported as the upper edge of the bucket
/// holding the rank (so they err high, never low) but never above the window's largest
/// recording.
///
/// The window is a ring of `slices` histograms, each covering `window / slices` of the
/// clock: a quantile covers the last `window` (less up to one slice), so an old burst
/// of lateness ages out instead of being diluted for ever in a daemon that runs for days.
public final class LatencySummary: Sendable {
    public let quantiles: [Double]
    private let clock: any WallClock
    private let sliceNanoseconds: UInt64
    private let state: Mutex<State>

    private struct Slice {
        var epoch: UInt64 = .max  // `now / sliceNanoseconds` when in use; .max = empty
        var buckets = [UInt64](repeating: 0, count: LogBucketing.count)
        var maximum: UInt64 = 0
    }

    private struct State {
        var slices: [Slice]
        var sum: UInt64 = 0  // nanoseconds, lifetime (wraps after ~584 years)
        var count: UInt64 = 0
    }

    init(quantiles: [Double], window: Duration, slices: Int, clock: any WallClock) {
        precondition(quantiles.allSatisfy { $0 >= 0 && $0 <= 1 }, "quantiles must lie in [0, 1]")
        precondition(slices >= 1, "a summary window needs at least one slice")
        let (seconds, attoseconds) = window.components
        let windowNanoseconds = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        precondition(windowNanoseconds >= UInt64(slices), "summary window too short")
        self.quantiles = quantiles.sorted()
        self.clock = clock
        self.sliceNanoseconds = windowNanoseconds / UInt64(slices)
        self.state = Mutex(State(slices: Array(repeating: Slice(), count: slices)))
    }

    /// Records one duration, reading the clock to place it in the window.
    public func record(nanoseconds value: UInt64) {
        record(nanoseconds: value, at: clock.now())
    }

    /// Records one duration observed at clock time `now` (for callers that already read
    /// the clock, such as the pacing loop).
    public func record(nanoseconds value: UInt64, at now: UInt64) {
        let epoch = now / sliceNanoseconds
        let bucket = LogBucketing.index(of: value)
        state.withLock { state in
            let slot = Int(epoch % UInt64(state.slices.count))
            if state.slices[slot].epoch != epoch {
                // The slot last held an epoch that has left the window: reuse it.
                state.slices[slot].epoch = epoch
                state.slices[slot].maximum = 0
                for i in state.slices[slot].buckets.indices { state.slices[slot].buckets[i] = 0 }
            }
            state.slices[slot].buckets[bucket] &+= 1
            state.slices[slot].maximum = max(state.slices[slot].maximum, value)
            state.sum &+= value
            state.count &+= 1
        }
    }

    /// A consistent view: window quantiles (nanoseconds, nil when the window is empty) and
    /// the lifetime sum and count.
    public func snapshot() -> (quantiles: [(quantile: Double, nanoseconds: UInt64?)], sumNanoseconds: UInt64, count: UInt64) {
        let currentEpoch = clock.now() / sliceNanoseconds
        return state.withLock { state in
            var merged = [UInt64](repeating: 0, count: LogBucketing.count)
            var total: UInt64 = 0
            var maximum: UInt64 = 0
            for slice in state.slices where slice.epoch != .max && slice.epoch <= currentEpoch
                && currentEpoch - slice.epoch < UInt64(state.slices.count) {
                for (i, n) in slice.buckets.enumerated() where n > 0 {
                    merged[i] &+= n
                    total &+= n
                }
                maximum = max(maximum, slice.maximum)
            }
            let values: [(Double, UInt64?)] = quantiles.map { q in
                guard total > 0 else { return (q, nil) }
                let rank = max(1, UInt64((q * Double(total)).rounded(.up)))
                var seen: UInt64 = 0
                for (i, n) in merged.enumerated() {
                    seen &+= n
                    if seen >= rank { return (q, min(LogBucketing.upperBound(of: i), maximum)) }
                }
                return (q, maximum)
            }
            return (values, state.sum, state.count)
        }
    }
}

extension LatencySummary: MetricCollector {
    func render(name: String, into out: inout String) {
        let view = snapshot()
        for (q, nanoseconds) in view.quantiles {
            let value = nanoseconds.map { Double($0) / 1e9 } ?? .nan
            PrometheusText.sample(name: name, labels: "quantile=\"\(PrometheusText.format(q))\"",
                                  value: PrometheusText.format(value), into: &out)
        }
        PrometheusText.sample(name: name + "_sum", labels: "",
                              value: PrometheusText.format(Double(view.sumNanoseconds) / 1e9), into: &out)
        PrometheusText.sample(name: name + "_count", labels: "", value: String(view.count), into: &out)
    }
}
