import Foundation
import WorkloadModel

/// `validate`'s lines for the prefix and KV-block keys: the pools in the effective
/// configuration, and per pool the infinite-cache first-block hit ratio.
extension Configuration {
    /// The workload's `prefix_pools` and `kv_blocks` lines (none without them).
    var prefixPoolsYAML: [String] {
        var lines: [String] = []
        if !workload.prefixPools.isEmpty {
            lines.append("  prefix_pools:")
            for pool in workload.prefixPools {
                var popularity: String
                switch pool.popularity {
                case .uniform: popularity = "popularity: {type: Uniform}"
                case .zipf(let s): popularity = "popularity: {type: Zipf, s: \(s)}"
                }
                if let weights = pool.weights { popularity = "item_weights: [\(weights.map { "\($0)" }.joined(separator: ", "))]" }
                let tokens: String
                switch pool.tokens {
                case .drawn(let law): tokens = "tokens_dist_config: \(law.yamlFlow)"
                case .listed(let lengths): tokens = "item_tokens: [\(lengths.map(String.init).joined(separator: ", "))]"
                }
                lines.append("    - {name: \(pool.name), items: \(pool.items), \(tokens), \(popularity)}")
            }
        }
        if let block = workload.kvBlockTokens { lines.append("  kv_blocks: {block_tokens: \(block)}") }
        return lines
    }

    /// A profile's `prefixes` line (none without prefixes).
    func prefixesYAML(_ p: ClientProfile) -> [String] {
        guard !p.prefixes.isEmpty else { return [] }
        let uses = p.prefixes.map { use in
            let probability = use.probability < 1 ? ", probability: \(use.probability)" : ""
            return "{pool: \(workload.prefixPools[use.pool].name), per: \(use.per.rawValue)\(probability)}"
        }
        return ["      prefixes: [\(uses.joined(separator: ", "))]"]
    }

    /// Per pool: the expected share of sessions (or clients) whose item an
    /// earlier one already used, after one hour (the infinite-cache hit
    /// ratio of the first block the pool contributes).
    var prefixReport: [String] {
        guard !workload.prefixPools.isEmpty else { return [] }
        var lines = ["prefix pools (after 3600 s, infinite cache):"]
        for row in PrefixFigures.report(for: workload) {
            var parts: [String] = []
            if let s = row.sessions { parts.append(String(format: "%.4f%% of sessions (per: session) reuse an earlier item", 100 * s)) }
            if let c = row.clients { parts.append(String(format: "%.4f%% of clients (per: client) reuse an earlier client's item", 100 * c)) }
            if parts.isEmpty { parts.append("unused") }
            lines.append("  \(row.pool): \(parts.joined(separator: "; "))")
        }
        return lines
    }
}
