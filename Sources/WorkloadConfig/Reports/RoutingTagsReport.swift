import Foundation
import WorkloadModel

/// `validate`'s lines for routing tags, record options and faults.
extension Configuration {
    /// A profile's tag keys in the effective configuration (none without tags).
    func routingTagsYAML(_ p: ClientProfile) -> [String] {
        let tags = p.tags
        var lines: [String] = []
        func popularity(_ value: PrefixPopularity) -> String {
            switch value {
            case .uniform: "{type: Uniform}"
            case .zipf(let s): "{type: Zipf, s: \(s)}"
            }
        }
        if let tenants = tags.tenants { lines.append("      tenants: {count: \(tenants.count), popularity: \(popularity(tenants.popularity))}") }
        if !tags.models.isEmpty {
            lines.append("      models: [\(tags.models.map { "{name: \(quoted($0.name)), weight: \($0.weight)}" }.joined(separator: ", "))]")
        }
        if let a = tags.adapters {
            lines.append("      adapters: {count: \(a.count), popularity: \(popularity(a.popularity)), per: \(a.per.rawValue), probability: \(a.probability)}")
        }
        if !tags.sloClasses.isEmpty {
            let classes = tags.sloClasses.map { slo in
                "{name: \(quoted(slo.name)), weight: \(slo.weight)\(slo.ttftMilliseconds.map { ", ttft_ms: \($0)" } ?? "")\(slo.tpotMilliseconds.map { ", tpot_ms: \($0)" } ?? "")}"
            }
            lines.append("      slo_classes: [\(classes.joined(separator: ", "))]")
        }
        if let reasoning = tags.reasoningTokens {
            lines.append("      reasoning_tokens_dist_config: \(reasoning.yamlFlow)")
            lines.append("      reasoning_tokens_clamp: \(tags.clampReasoningToOutput ? "output_tokens" : "none")")
        }
        if let images = tags.images {
            lines.append("      images: {count_dist_config: \(images.count.yamlFlow), tokens_per_image_dist_config: \(images.tokensPerImage.yamlFlow)}")
        }
        return lines
    }

    private func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `kafka.record_timestamp`, `kafka.routing_headers` and `faults`.
    var recordOptionsYAML: [String] {
        var lines = ["  record_timestamp: \(kafka.recordTimestamp.rawValue)", "  routing_headers: \(kafka.routingHeaders)"]
        if let faults {
            lines.append("faults:")
            lines.append("  late: {probability: \(faults.lateProbability), delay_s_dist_config: \(faults.lateDelay.yamlFlow)}")
            lines.append("  duplicate: {probability: \(faults.duplicateProbability)}")
            lines.append("  drop: {probability: \(faults.dropProbability)}")
        }
        return lines
    }

    /// Per profile with tags: expected shares and distinct adapters per hour.
    var routingTagsReport: [String] {
        let rows = workload.routingTagFigures
        guard !rows.isEmpty else { return [] }
        func list(_ items: [(name: String, share: Double)]) -> String {
            items.map { String(format: "%@ %.4f", $0.name, $0.share) }.joined(separator: ", ")
        }
        var lines = ["routing tags (shares of requests):"]
        for row in rows {
            lines.append("  \(row.profile):")
            if !row.tenants.isEmpty { lines.append("    tenant shares (most popular): \(list(row.tenants))") }
            if !row.models.isEmpty { lines.append("    model shares: \(list(row.models))") }
            if !row.sloClasses.isEmpty { lines.append("    slo_class shares: \(list(row.sloClasses))") }
            if let share = row.adapterShare {
                lines.append(String(format: "    adapter share %.4f; most popular: %@", share, list(row.adapters)))
            }
            if let distinct = row.distinctAdaptersPerHour {
                lines.append(String(format: "    expected distinct adapters per hour: %.1f", distinct))
            }
        }
        return lines
    }
}
