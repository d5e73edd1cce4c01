import WorkloadModel
import Yams

/// A profile's routing tags: `tenants`, `models`, `adapters`, `slo_classes`,
/// `reasoning_tokens_dist_config` (with `reasoning_tokens_clamp`) and `images`.
extension Configuration {
    static let routingTagKeys = [
        "tenants", "models", "adapters", "slo_classes", "reasoning_tokens_dist_config", "reasoning_tokens_clamp", "images",
    ]
    /// Tenants and adapters per profile (their names are numbers up to these).
    static let largestTagCount = 1_000_000.0
    /// Models and SLO classes per profile.
    static let largestTagList = 10_000
    /// Images per request.
    static let largestImageCount = 10_000.0
    /// An SLO target (one day, in ms).
    static let largestSLOMilliseconds = 86_400_000.0

    /// Reads every profile's tags (the profile list's nodes, in order) into
    /// `spec`, reporting every problem with its key path and value.
    static func readRoutingTags(profileNodes: [Node], reader: ConfigReader, parser: DistributionParser, into spec: inout WorkloadSpec) {
        for (index, node) in profileNodes.enumerated() {
            let path = "workload.client_profiles[\(index)]"
            // The profile's own pass reported unknown and duplicate keys already.
            guard case .mapping(let mapping) = node else { continue }
            var entries: [String: Node] = [:]
            for (key, value) in mapping {
                guard let name = key.scalar?.string, routingTagKeys.contains(name), entries[name] == nil else { continue }
                entries[name] = value
            }
            guard !entries.isEmpty else { continue }
            let object = ConfigObject(path: path, entries: entries, keys: Array(entries.keys), reader: reader)
            let profile = spec.profiles.count == profileNodes.count ? spec.profiles[index] : nil
            let tags = readTags(object, profile: profile, reader: reader, parser: parser)
            if let profile, let tags, profile.name == spec.profiles[index].name { spec.profiles[index].tags = tags }
        }
    }

    private static func readTags(_ object: ConfigObject, profile: ClientProfile?, reader: ConfigReader, parser: DistributionParser) -> RoutingTagsSpec? {
        let before = reader.problems.count
        var tags = RoutingTagsSpec()
        if let tenants = object.object("tenants", allowed: ["count", "popularity"]) {
            let count = tenants.integer("count", default: nil, .between(1, largestTagCount))
            let popularity = tenants["popularity"].flatMap { readPopularity($0, at: tenants.path("popularity"), reader: reader) } ?? .uniform
            if let count { tags.tenants = TenantTags(count: count, popularity: popularity) }
        }
        if let node = object["models"] {
            tags.models = readWeightedList(node, at: object.path("models"), reader: reader, what: "model") { item, name, weight in
                WeightedName(name: name, weight: weight)
            }
        }
        if let adapters = object.object("adapters", allowed: ["count", "popularity", "per", "probability"]) {
            let count = adapters.integer("count", default: nil, .between(1, largestTagCount))
            let popularity = adapters["popularity"].flatMap { readPopularity($0, at: adapters.path("popularity"), reader: reader) } ?? .uniform
            let per = adapters.string("per", default: "tenant")
            let scope = AdapterScope(rawValue: per)
            let names = AdapterScope.allCases.map(\.rawValue)
            if scope == nil {
                reader.report(adapters.path("per"), "must be tenant, session or request (got \(per))\(KeySuggestion.hint(for: per, in: names))")
            }
            if scope == .tenant, !object.has("tenants") {
                reader.report(adapters.path("per"), "per: tenant needs the profile's tenants (got per: tenant without tenants)")
            }
            let probability = adapters.number("probability", default: 1, .probability)
            if let count, let scope, let probability {
                tags.adapters = AdapterTags(count: count, popularity: popularity, per: scope, probability: probability)
            }
        }
        if let node = object["slo_classes"] {
            tags.sloClasses = readWeightedList(node, at: object.path("slo_classes"), reader: reader, what: "SLO class", extra: ["ttft_ms", "tpot_ms"]) { item, name, weight in
                let ttft = item.has("ttft_ms") ? item.integer("ttft_ms", default: nil, .between(1, largestSLOMilliseconds)) : nil
                let tpot = item.has("tpot_ms") ? item.integer("tpot_ms", default: nil, .between(1, largestSLOMilliseconds)) : nil
                return SLOClass(name: name, weight: weight, ttftMilliseconds: ttft.map(Int64.init), tpotMilliseconds: tpot.map(Int64.init))
            }
        }
        readReasoning(object, profile: profile, reader: reader, parser: parser, into: &tags)
        if let images = object.object("images", allowed: ["count_dist_config", "tokens_per_image_dist_config"]) {
            // A count may be 0, so it is read like a time (never negative) and rounded.
            let count = images.required("count_dist_config", "a distribution")
                .flatMap { parser.parse($0, at: images.path("count_dist_config"), role: .time) }
            let perImage = images.required("tokens_per_image_dist_config", "a distribution")
                .flatMap { parser.parse($0, at: images.path("tokens_per_image_dist_config"), role: .tokens) }
            if let count, !(count.supremum.rounded() <= largestImageCount) {
                reader.report(images.path("count_dist_config"), "at most \(Int(largestImageCount)) images per request; bound it with max (got a largest value of \(NumberRule.format(count.supremum)))")
            } else if let count, let perImage {
                tags.images = ImageTags(count: count, tokensPerImage: perImage)
            }
        }
        return reader.problems.count == before ? tags : nil
    }

    /// `reasoning_tokens_dist_config` counts tokens of `output_tokens`: a draw
    /// may exceed the request's output only under the clamp rule
    /// `reasoning_tokens_clamp: output_tokens` (lowered to the output).
    private static func readReasoning(_ object: ConfigObject, profile: ClientProfile?, reader: ConfigReader, parser: DistributionParser, into tags: inout RoutingTagsSpec) {
        var clamp = false
        if let node = object["reasoning_tokens_clamp"], let rule = reader.string(node, at: object.path("reasoning_tokens_clamp")) {
            if rule == "output_tokens" { clamp = true } else if rule != "none" {
                reader.report(object.path("reasoning_tokens_clamp"), "must be output_tokens or none (got \(rule))\(KeySuggestion.hint(for: rule, in: ["output_tokens", "none"]))")
            }
        }
        guard let node = object["reasoning_tokens_dist_config"] else {
            if clamp { reader.report(object.path("reasoning_tokens_clamp"), "applies to reasoning_tokens_dist_config, which is absent (got output_tokens)") }
            return
        }
        let key = object.path("reasoning_tokens_dist_config")
        // Zero reasoning tokens is a value, so the law is read like a time (never negative) and rounded.
        guard let reasoning = parser.parse(node, at: key, role: .time) else { return }
        if !clamp, let profile {
            let smallestOutput = Swift.min(profile.maxOutputTokens.infimum, profile.outputTokens?.infimum ?? .infinity)
            let largest = reasoning.supremum.rounded()
            if !(largest <= smallestOutput) {
                reader.report(key, "can exceed output_tokens (largest value \(NumberRule.format(reasoning.supremum)), smallest output \(NumberRule.format(smallestOutput))); bound it with max or set reasoning_tokens_clamp: output_tokens")
                return
            }
        }
        tags.reasoningTokens = reasoning
        tags.clampReasoningToOutput = clamp
    }

    /// A list of `{name, weight, ...}`: names non-empty and unique, weights
    /// non-negative with a positive sum.
    private static func readWeightedList<T>(
        _ node: Node, at path: String, reader: ConfigReader, what: String, extra: [String] = [],
        _ make: (ConfigObject, String, Double) -> T?
    ) -> [T] {
        guard case .sequence(let list) = node, !list.isEmpty else {
            reader.report(path, "expected a non-empty list of {name: NAME, weight: W} (got \(ConfigReader.describe(node)))")
            return []
        }
        if list.count > largestTagList {
            reader.report(path, "at most \(largestTagList) entries (got \(list.count))")
            return []
        }
        var result: [T] = []
        var seen: [String: Int] = [:]
        var total = 0.0
        for (index, item) in list.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let object = reader.object(item, at: itemPath, allowed: ["name", "weight"] + extra) else { continue }
            var name = ""
            if let nameNode = object.required("name", "a \(what) name") {
                name = reader.string(nameNode, at: object.path("name")) ?? ""
                if name.isEmpty { reader.report(object.path("name"), "must not be empty") }
            }
            if !name.isEmpty, let first = seen[name] {
                reader.report(object.path("name"), "duplicate \(what) '\(name)' (also [\(first)])")
            }
            seen[name] = seen[name] ?? index
            guard let weight = object.number("weight", default: 1, .nonNegative) else { continue }
            total += weight
            if let value = make(object, name, weight) { result.append(value) }
        }
        if !(total > 0) || !total.isFinite {
            reader.report(path, "weights must be finite and not all zero (got a sum of \(NumberRule.format(total)))")
        }
        return result
    }
}
