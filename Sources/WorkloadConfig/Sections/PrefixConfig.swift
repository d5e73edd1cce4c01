import WorkloadModel
import Yams

/// The prefix keys: `workload.prefix_pools`, `workload.kv_blocks` and
/// each profile's `prefixes`.
extension Configuration {
    static let prefixWorkloadKeys = ["prefix_pools", "kv_blocks"]
    static let poolKeys = ["name", "items", "tokens_dist_config", "item_tokens", "popularity", "item_weights"]

    /// Reads the pools, `kv_blocks` and every profile's `prefixes` (the
    /// profile list's nodes, in order) into `spec`, reporting every problem.
    static func readPrefixes(_ object: ConfigObject, profileNodes: [Node], reader: ConfigReader, parser: DistributionParser, into spec: inout WorkloadSpec) {
        var byName: [String: Int] = [:]
        // Names of pools that are defined but did not load: their own problems are reported, and a profile
        // that uses one must not add "unknown pool" on top.
        var failed: Set<String> = []
        if let node = object["prefix_pools"] {
            let path = object.path("prefix_pools")
            if case .sequence(let list) = node {
                if list.count > PrefixPool.maximumPools {
                    reader.report(path, "at most \(PrefixPool.maximumPools) pools (got \(list.count))")
                }
                for (index, item) in list.enumerated() {
                    let itemPath = "\(path)[\(index)]"
                    guard let pool = readPool(item, at: itemPath, reader: reader, parser: parser) else {
                        if case .mapping(let mapping) = item,
                           let name = mapping.first(where: { $0.key.scalar?.string == "name" })?.value.scalar?.string {
                            failed.insert(name)
                        }
                        continue
                    }
                    if let first = byName[pool.name] {
                        reader.report(itemPath + ".name", "duplicate pool name '\(pool.name)' (also prefix_pools[\(first)])")
                        continue
                    }
                    byName[pool.name] = spec.prefixPools.count
                    spec.prefixPools.append(pool)
                }
            } else {
                reader.report(path, "expected a list of pools (got \(ConfigReader.describe(node)))")
            }
        }
        if let blocks = object.object("kv_blocks", allowed: ["block_tokens"]),
           let size = blocks.integer("block_tokens", default: nil, .between(1, 1e9)) {
            spec.kvBlockTokens = Int64(size)
        }
        for (index, node) in profileNodes.enumerated() {
            guard case .mapping(let mapping) = node,
                  let list = mapping.first(where: { $0.key.scalar?.string == "prefixes" })?.value,
                  !ConfigReader.isNull(list) else { continue }
            let path = "workload.client_profiles[\(index)].prefixes"
            let uses = readUses(list, at: path, pools: byName, failed: failed, reader: reader)
            if spec.profiles.count == profileNodes.count, let uses { spec.profiles[index].prefixes = uses }
        }
        readSubagentPrefixes(profileNodes: profileNodes, pools: byName, failed: failed, reader: reader, into: &spec)
    }

    /// Each agent profile's `agent.subagents.prefixes`: a subagent's fresh context starts with them.
    private static func readSubagentPrefixes(
        profileNodes: [Node], pools: [String: Int], failed: Set<String>, reader: ConfigReader, into spec: inout WorkloadSpec
    ) {
        func child(_ node: Node, _ key: String) -> Node? {
            guard case .mapping(let mapping) = node else { return nil }
            return mapping.first(where: { $0.key.scalar?.string == key })?.value
        }
        for (index, node) in profileNodes.enumerated() {
            guard let list = child(node, "agent").flatMap({ child($0, "subagents") }).flatMap({ child($0, "prefixes") }),
                  !ConfigReader.isNull(list) else { continue }
            let path = "workload.client_profiles[\(index)].agent.subagents.prefixes"
            let uses = readUses(list, at: path, pools: pools, failed: failed, reader: reader)
            if spec.profiles.count == profileNodes.count, let uses, spec.profiles[index].agent?.subagents != nil {
                spec.profiles[index].agent?.subagents?.prefixes = uses
            }
        }
    }

    private static func readPool(_ node: Node, at path: String, reader: ConfigReader, parser: DistributionParser) -> PrefixPool? {
        guard let object = reader.object(node, at: path, allowed: poolKeys) else { return nil }
        let before = reader.problems.count
        var name = ""
        if let nameNode = object.required("name", "a pool name") {
            name = reader.string(nameNode, at: object.path("name")) ?? ""
            if name.isEmpty, reader.problems.count == before { reader.report(object.path("name"), "must not be empty") }
        }
        let listed = readItemTokens(object, reader: reader)
        let weights = readItemWeights(object, reader: reader)
        // Without `items`, a list gives the count (a bad list has reported itself).
        let listsItems = object.has("item_tokens") || object.has("item_weights")
        let items = object.has("items") || !listsItems ? object.integer("items", default: nil, .between(1, Double(PrefixPool.maximumItems)))
            : listed?.count ?? weights?.count
        for (key, list) in [("item_tokens", listed?.count), ("item_weights", weights?.count)] {
            guard let list, let items, list != items else { continue }
            reader.report(object.path(key), "has \(list) entries but the pool has \(items) items (\(object.has("items") ? "items" : "item_tokens")); give one per item")
        }
        var lengths = listed.map(PrefixLengths.listed)
        if !object.has("item_tokens") {
            lengths = object.required("tokens_dist_config", "a distribution, or item_tokens: a list of lengths")
                .flatMap { parser.parse($0, at: object.path("tokens_dist_config"), role: .tokens) }.map(PrefixLengths.drawn)
        }
        var popularity: PrefixPopularity? = weights == nil ? nil : .uniform
        if !object.has("item_weights"), let node = object.required("popularity", "{type: Uniform} or {type: Zipf, s: S}, or item_weights: a list of weights") {
            popularity = readPopularity(node, at: object.path("popularity"), reader: reader)
        }
        guard reader.problems.count == before, let items, let lengths, let popularity else { return nil }
        return PrefixPool(name: name, items: items, lengths: lengths, popularity: popularity, weights: weights)
    }

    /// `item_tokens`: each item's length, 1 to 10^9 tokens, instead of a law (nil when absent or bad).
    private static func readItemTokens(_ object: ConfigObject, reader: ConfigReader) -> [Int64]? {
        let range = NumberRule.between(1, Double(PrefixPool.maximumItemTokens))
        let whole = NumberRule { range.check($0) ?? ($0.rounded() == $0 ? nil : "must be a whole number of tokens") }
        return readItemNumbers(object, "item_tokens", whole, reader: reader, instead: "tokens_dist_config",
                               "give the items' lengths one way (item_tokens lists them, tokens_dist_config draws them)")?.map { Int64($0) }
    }

    /// `item_weights`: each item's relative weight (>= 0, not all 0), instead of a popularity law.
    private static func readItemWeights(_ object: ConfigObject, reader: ConfigReader) -> [Double]? {
        guard let values = readItemNumbers(object, "item_weights", .nonNegative, reader: reader, instead: "popularity",
                                           "give the items' popularity one way (item_weights lists it, popularity is a law)") else { return nil }
        guard values.contains(where: { $0 != 0 }) else {
            reader.report(object.path("item_weights"), "every weight is 0: at least one item must have a weight above 0")
            return nil
        }
        return values
    }

    /// A per-item list of numbers under `key`, each checked by `rule`, reported when set beside
    /// `instead` (the key it replaces); nil when absent or bad.
    private static func readItemNumbers(_ object: ConfigObject, _ key: String, _ rule: NumberRule, reader: ConfigReader,
                                        instead: String, _ oneWay: String) -> [Double]? {
        guard let node = object[key] else { return nil }
        let path = object.path(key)
        if object.has(instead) { reader.report(path, "\(key) and \(instead) both set: \(oneWay)") }
        guard let list = itemList(node, at: path, reader: reader) else { return nil }
        let before = reader.problems.count
        let values = reader.numbers(list, at: path, rule)
        return reader.problems.count == before ? values : nil
    }

    /// A pool's per-item list: a sequence of 1 to `PrefixPool.maximumItems` entries.
    private static func itemList(_ node: Node, at path: String, reader: ConfigReader) -> [Node]? {
        guard case .sequence(let list) = node else {
            reader.report(path, "expected a list with one number per item (got \(ConfigReader.describe(node)))")
            return nil
        }
        guard (1...PrefixPool.maximumItems).contains(list.count) else {
            reader.report(path, "must list 1 to \(PrefixPool.maximumItems) items (got \(list.count))")
            return nil
        }
        return Array(list)
    }

    static func readPopularity(_ node: Node, at path: String, reader: ConfigReader) -> PrefixPopularity? {
        guard let object = reader.object(node, at: path, allowed: ["type", "s"]) else { return nil }
        guard let typeNode = object.required("type", "Uniform or Zipf"), let type = reader.string(typeNode, at: object.path("type")) else { return nil }
        switch type {
        case "Uniform":
            if object.has("s") { reader.report(object.path("s"), "only a Zipf popularity has an exponent s") }
            return .uniform
        case "Zipf":
            guard let s = object.number("s", default: nil, .between(1e-6, 100)) else { return nil }
            return .zipf(exponent: s)
        default:
            reader.report(object.path("type"), "must be Uniform or Zipf (got \(type))\(KeySuggestion.hint(for: type, in: ["Uniform", "Zipf"]))")
            return nil
        }
    }

    private static func readUses(_ node: Node, at path: String, pools: [String: Int], failed: Set<String>, reader: ConfigReader) -> [PrefixUse]? {
        guard case .sequence(let list) = node else {
            reader.report(path, "expected a list of {pool: NAME, per: client|session, probability: P} (got \(ConfigReader.describe(node)))")
            return nil
        }
        let before = reader.problems.count
        if list.count > PrefixUse.maximumPerProfile {
            reader.report(path, "at most \(PrefixUse.maximumPerProfile) prefixes per profile (got \(list.count))")
        }
        var uses: [PrefixUse] = []
        var seen: [String: Int] = [:]
        var usesFailedPool = false
        for (index, item) in list.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let object = reader.object(item, at: itemPath, allowed: ["pool", "per", "probability"]),
                  let poolNode = object.required("pool", "a pool name"),
                  let name = reader.string(poolNode, at: object.path("pool")) else { continue }
            let per = object.string("per", default: "session")
            let scope = PrefixScope(rawValue: per)
            let probability = object.number("probability", default: 1, .probability)
            if scope == nil {
                reader.report(object.path("per"), "must be client or session (got \(per))\(KeySuggestion.hint(for: per, in: ["client", "session"]))")
            }
            if let first = seen[name] {
                reader.report(object.path("pool"), "pool '\(name)' is already listed (prefixes[\(first)]); a prompt uses each pool at most once")
                continue
            }
            seen[name] = index
            guard let pool = pools[name] else {
                // A defined pool with bad values has said so at its own path; the use is fine as written.
                if failed.contains(name) { usesFailedPool = true; continue }
                let known = Set(pools.keys).union(failed).sorted()
                let listed = known.isEmpty ? "no pools are defined in workload.prefix_pools" : "known pools: \(known.joined(separator: ", "))"
                reader.report(object.path("pool"), "unknown pool '\(name)' (\(listed))\(KeySuggestion.hint(for: name, in: known))")
                continue
            }
            if let scope, let probability { uses.append(PrefixUse(pool: pool, per: scope, probability: probability)) }
        }
        return reader.problems.count == before && !usesFailedPool ? uses : nil
    }
}
