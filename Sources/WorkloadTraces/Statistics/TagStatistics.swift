import Foundation

/// `stats`' routing-tag lines: the measured shares of tenants, models,
/// adapters and SLO classes among requests, and the distinct adapters seen in
/// each hour of virtual time (what `validate` predicts).
public struct TagStatistics: Sendable {
    public private(set) var requests = 0
    public private(set) var shares: [String: [String: Int]] = [:]
    /// Distinct adapters per hour of `time_s` (hour 0 first).
    public private(set) var adaptersByHour: [Int: Set<String>] = [:]
    /// Requests whose reasoning tokens or image tokens broke their bound (0 when the stream is sound).
    public private(set) var outOfBounds = 0

    static let fields = ["tenant", "model", "adapter", "slo_class"]

    public init() {}

    mutating func add(request object: [String: Any], time: Double) {
        guard object["tenant"] != nil || object["model"] != nil || object["adapter"] != nil || object["slo_class"] != nil
                || object["reasoning_tokens"] != nil || object["image_tokens"] != nil else { return }
        requests += 1
        for field in Self.fields {
            guard let value = object[field] else { continue }
            let name = value as? String ?? "none"
            shares[field, default: [:]][name, default: 0] += 1
            if field == "adapter", let adapter = value as? String, time >= 0 {
                adaptersByHour[Int(time / 3600), default: []].insert(adapter)
            }
        }
        let output = (object["output_tokens"] as? NSNumber)?.int64Value ?? 0
        let input = (object["new_input_tokens"] as? NSNumber)?.int64Value ?? 0
        if let reasoning = (object["reasoning_tokens"] as? NSNumber)?.int64Value, reasoning > output { outOfBounds += 1 }
        if let images = (object["image_tokens"] as? NSNumber)?.int64Value, images > input { outOfBounds += 1 }
    }

    /// The share of requests carrying `value` in `field` ("none" for a null adapter).
    public func share(_ field: String, _ value: String) -> Double {
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
