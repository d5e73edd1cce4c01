import Synchronization

/// Something the registry can render: writes its sample lines (not the header).
protocol MetricCollector: Sendable {
    func render(name: String, into out: inout String)
}

/// A metric with one value per label set.
protocol SingleValueMetric: AnyObject, Sendable {
    init()
    var exposedValue: String { get }
}

extension Counter: SingleValueMetric {
    var exposedValue: String { String(value) }
}

extension Gauge: SingleValueMetric {
    var exposedValue: String { PrometheusText.format(value) }
}

/// The children of a family, one per label set, in creation order.
///
/// Label sets are meant to be few and fixed (profile, event type, topic, error name); a
/// family that reaches `maxLabelSets` sends further new sets to one child whose values
/// are all "other", so a bug cannot grow the exposition without bound.
final class LabelSetTable<Metric: SingleValueMetric>: Sendable, MetricCollector {
    static var overflowValue: String { "other" }

    let labelNames: [String]
    let maxLabelSets: Int
    private let state = Mutex<State>(State())

    private struct State {
        var byValues: [[String]: Metric] = [:]
        var ordered: [(labels: String, metric: Metric)] = []
    }

    init(labelNames: [String], maxLabelSets: Int) {
        precondition(maxLabelSets >= 1, "maxLabelSets must be >= 1")
        self.labelNames = labelNames
        self.maxLabelSets = maxLabelSets
    }

    func child(_ values: [String]) -> Metric {
        precondition(values.count == labelNames.count,
                     "expected \(labelNames.count) label values (\(labelNames)), got \(values.count)")
        return state.withLock { state in
            if let existing = state.byValues[values] { return existing }
            var key = values
            if state.byValues.count >= maxLabelSets {
                key = Array(repeating: Self.overflowValue, count: values.count)
                if let overflow = state.byValues[key] { return overflow }
            }
            let metric = Metric()
            state.byValues[key] = metric
            state.ordered.append((PrometheusText.labelPairs(names: labelNames, values: key), metric))
            return metric
        }
    }

    func render(name: String, into out: inout String) {
        let children = state.withLock { $0.ordered }
        for (labels, metric) in children {
            PrometheusText.sample(name: name, labels: labels, value: metric.exposedValue, into: &out)
        }
    }
}

/// A counter with labels. Look each label set up once (`labels(...)` takes a lock and a
/// dictionary lookup) and keep the returned `Counter` for the hot path.
public final class CounterFamily: Sendable {
    public let name: String
    public let labelNames: [String]
    let table: LabelSetTable<Counter>

    init(name: String, labelNames: [String], maxLabelSets: Int) {
        self.name = name
        self.labelNames = labelNames
        self.table = LabelSetTable(labelNames: labelNames, maxLabelSets: maxLabelSets)
    }

    /// The counter for these label values, in `labelNames` order (created at 0 if new).
    public func labels(_ values: [String]) -> Counter { table.child(values) }
    public func labels(_ values: String...) -> Counter { table.child(values) }
}

/// A gauge with labels; see `CounterFamily`.
public final class GaugeFamily: Sendable {
    public let name: String
    public let labelNames: [String]
    let table: LabelSetTable<Gauge>

    init(name: String, labelNames: [String], maxLabelSets: Int) {
        self.name = name
        self.labelNames = labelNames
        self.table = LabelSetTable(labelNames: labelNames, maxLabelSets: maxLabelSets)
    }

    public func labels(_ values: [String]) -> Gauge { table.child(values) }
    public func labels(_ values: String...) -> Gauge { table.child(values) }
}
