import Foundation

/// `stats`' routing-tag lines: the measured shares of tenants, models,
/// adapters and SLO classes among requests, and the distinct adapters seen in
/// each hour of virtual time (what `validate` predicts).
package struct TagStatistics: Sendable {
    package private(set) var requests = 0
    package private(set) var shares: [String: [String: Int]] = [:]
    /// Distinct adapters per hour of `time_s` (hour 0 first).
    package private(set) var adaptersByHour: [Int: Set<String>] = [:]
    /// Requests whose reasoning tokens or image tokens broke their bound (0 when the stream is sound).
    package private(set) var outOfBounds = 0

    static let fields = ["tenant", "model", "adapter", "slo_class"]

    package init() {}

    mutating func add(request event: StreamLine, time: Double) {
        guard event.hasTagFields else { return }
        requests += 1
        for (field, value) in zip(Self.fields, event.tags) {
            guard let value else { continue }
            shares[field, default: [:]][value.name ?? "none", default: 0] += 1
            if field == "adapter", let adapter = value.name, time >= 0 {
                adaptersByHour[Int(time / 3600), default: []].insert(adapter)
            }
        }
        let output = event.outputTokens.flatMap(StreamLine.integer) ?? 0
        let input = event.newInputTokens.flatMap(StreamLine.integer) ?? 0
        if let reasoning = event.reasoningTokens, reasoning > output { outOfBounds += 1 }
        if let images = event.imageTokens, images > input { outOfBounds += 1 }
    }

    /// The share of requests carrying `value` in `field` ("none" for a null adapter).
    package func share(_ field: String, _ value: String) -> Double {
        requests > 0 ? Double(shares[field]?[value] ?? 0) / Double(requests) : 0
    }

    func reportLines() -> [String] {
        guard requests > 0 else { return [] }
        var lines = ["routing tags  \(requests) tagged requests; reasoning or image tokens out of bounds: \(outOfBounds)"]
        for field in Self.fields {
            guard let counts = shares[field] else { continue }
            let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let shown = sorted.prefix(10).map { String(format: "%@ %.4f", $0.key, Double($0.value) / Double(requests)) }
            let more = sorted.count > 10 ? ", ... (\(sorted.count) distinct)" : ""
            lines.append("  \(field) shares: \(shown.joined(separator: ", "))\(more)")
        }
        if !adaptersByHour.isEmpty {
            let hours = adaptersByHour.keys.sorted()
            let shown = hours.prefix(24).map { "\(adaptersByHour[$0]!.count)" }.joined(separator: ", ")
            lines.append("  distinct adapters per hour: \(shown)\(hours.count > 24 ? ", ..." : "") (hour 0 first; a partial last hour has fewer)")
        }
        return lines
    }
}
