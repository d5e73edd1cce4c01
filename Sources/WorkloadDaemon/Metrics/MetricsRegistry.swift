import Synchronization

/// A small, thread-safe set of Prometheus metrics rendered in the text exposition format
/// 0.0.4.
///
/// Registration (at start-up) takes a lock and validates names; the handles it returns
/// (`Counter`, `Gauge`, `LatencySummary`) are updated lock-free or under a short private
/// lock, so the generating thread can record per event. Rendering reads every value
/// without stopping writers; each value is individually consistent.
///
/// Names and label names are fixed by the code, so a bad or duplicate one is a
/// programming error and traps; label values are free text and are escaped.
public final class MetricsRegistry: Sendable {
    private struct Entry: Sendable {
        let name: String
        let help: String
        let type: String
        let collector: any MetricCollector
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// The HTTP `Content-Type` of `render()`'s output.
    public static let contentType = PrometheusText.contentType

    // MARK: Registration

    /// A counter family; `name` must end in `_total`.
    public func counterFamily(_ name: String, help: String, labelNames: [String], maxLabelSets: Int = 256) -> CounterFamily {
        precondition(name.hasSuffix("_total"), "counter \(name) must end in _total")
        validate(labelNames: labelNames)
        let family = CounterFamily(name: name, labelNames: labelNames, maxLabelSets: maxLabelSets)
        add(Entry(name: name, help: help, type: "counter", collector: family.table))
        return family
    }

    /// A counter without labels; `name` must end in `_total`.
    public func counter(_ name: String, help: String) -> Counter {
        counterFamily(name, help: help, labelNames: []).labels([])
    }

    public func gaugeFamily(_ name: String, help: String, labelNames: [String], maxLabelSets: Int = 256) -> GaugeFamily {
        validate(labelNames: labelNames)
        let family = GaugeFamily(name: name, labelNames: labelNames, maxLabelSets: maxLabelSets)
        add(Entry(name: name, help: help, type: "gauge", collector: family.table))
        return family
    }

    public func gauge(_ name: String, help: String) -> Gauge {
        gaugeFamily(name, help: help, labelNames: []).labels([])
    }

    /// A summary of durations recorded in nanoseconds and exported in seconds, with the
    /// given quantiles over a sliding `window` (see `LatencySummary`).
    public func latencySummary(
        _ name: String,
        help: String,
        quantiles: [Double] = [0.5, 0.99, 0.999],
        window: Duration = .seconds(300),
        slices: Int = 5,
        clock: any WallClock
    ) -> LatencySummary {
        let summary = LatencySummary(quantiles: quantiles, window: window, slices: slices, clock: clock)
        add(Entry(name: name, help: help, type: "summary", collector: summary))
        return summary
    }

    /// A histogram of durations recorded in nanoseconds and exported in seconds.
    public func latencyHistogram(
        _ name: String, help: String, boundsSeconds: [Double] = LatencyHistogram.defaultBoundsSeconds
    ) -> LatencyHistogram {
        let histogram = LatencyHistogram(boundsSeconds: boundsSeconds)
        add(Entry(name: name, help: help, type: "histogram", collector: histogram))
        return histogram
    }

    private func validate(labelNames: [String]) {
        precondition(Set(labelNames).count == labelNames.count, "duplicate label names \(labelNames)")
        for label in labelNames {
            precondition(PrometheusText.isValidLabelName(label), "invalid label name \(label)")
        }
    }

    private func add(_ entry: Entry) {
        precondition(PrometheusText.isValidMetricName(entry.name), "invalid metric name \(entry.name)")
        entries.withLock { entries in
            // Summaries and histograms also own `<name>_sum`, `<name>_count` (and `_bucket`).
            func owned(_ e: Entry) -> [String] {
                e.type == "summary" || e.type == "histogram" ? [e.name + "_sum", e.name + "_count", e.name + "_bucket"] : []
            }
            let taken = entries.contains { existing in
                existing.name == entry.name || owned(existing).contains(entry.name) || owned(entry).contains(existing.name)
            }
            precondition(!taken, "metric \(entry.name) registered twice")
            entries.append(entry)
        }
    }

    // MARK: Exposition

    /// Every metric in registration order, as Prometheus text format 0.0.4.
    public func render() -> String {
        let snapshot = entries.withLock { $0 }
        var out = ""
        out.reserveCapacity(256 * snapshot.count)
        for entry in snapshot {
            PrometheusText.header(name: entry.name, help: entry.help, type: entry.type, into: &out)
            entry.collector.render(name: entry.name, into: &out)
        }
        return out
    }
}
