import WorkloadModel
import Yams

/// A profile's `agent` block: chains of LLM calls with tool batches and,
/// optionally, subagents (see the Agents article).
extension Configuration {
    static let agentKeys = [
        "llm_calls_per_turn_dist_config", "tool_calls_per_batch_dist_config", "tool_latency_s_dist_config",
        "tool_result_tokens_dist_config", "subagents",
    ]
    static let subagentKeys = ["probability", "count_dist_config", "llm_calls_dist_config", "prefixes", "subagents"]

    /// The profile's `agent` block; nil when absent or bad (every problem
    /// reported). The subagents' prefixes are read with the other prefixes.
    static func agentModel(_ object: ConfigObject, reader: ConfigReader, parser: DistributionParser) -> AgentModel? {
        guard let agent = object.object("agent", allowed: agentKeys) else { return nil }
        let before = reader.problems.count
        let calls = count(agent, "llm_calls_per_turn_dist_config", "LLM calls per user turn", upTo: AgentModel.maximumCalls,
                          reader: reader, parser: parser)
        let batch = count(agent, "tool_calls_per_batch_dist_config", "tool calls per batch", upTo: AgentModel.maximumToolCalls,
                          reader: reader, parser: parser)
        var latency: Distribution?
        if let node = agent.required("tool_latency_s_dist_config", "a distribution of seconds per tool call") {
            let path = agent.path("tool_latency_s_dist_config")
            latency = parser.parse(node, at: path, role: .time)
            if let mean = latency?.mean, !mean.isFinite {
                reader.report(path, "mean must be finite (got \(mean) s)")
            }
        }
        let results = agent.required("tool_result_tokens_dist_config", "a distribution of tokens per tool result")
            .flatMap { parser.parse($0, at: agent.path("tool_result_tokens_dist_config"), role: .tokens) }
        let subagents = subagentModel(agent, reader: reader, parser: parser)
        guard reader.problems.count == before, let calls, let batch, let latency, let results else { return nil }
        return AgentModel(callsPerTurn: calls, toolCallsPerBatch: batch, toolLatency: latency, toolResultTokens: results,
                          subagents: subagents)
    }

    private static func subagentModel(_ agent: ConfigObject, reader: ConfigReader, parser: DistributionParser) -> SubagentModel? {
        guard let sub = agent.object("subagents", allowed: subagentKeys) else { return nil }
        if let nested = sub["subagents"] {
            var given = ConfigReader.describe(nested)
            if case .mapping(let mapping) = nested {
                given = "{" + mapping.map { "\($0.key.scalar?.string ?? "?"): \(ConfigReader.describe($0.value))" }.joined(separator: ", ") + "}"
            }
            reader.report(sub.path("subagents"), "subagents do not spawn subagents: nesting is not supported (got \(given))")
        }
        let probability = sub.number("probability", default: nil, .probability)
        let spawned = count(sub, "count_dist_config", "subagents spawned at once", upTo: SubagentModel.maximumCount,
                          reader: reader, parser: parser)
        let calls = count(sub, "llm_calls_dist_config", "LLM calls of each subagent", upTo: SubagentModel.maximumCalls,
                          reader: reader, parser: parser)
        guard let probability, let spawned, let calls else { return nil }
        return SubagentModel(probability: probability, count: spawned, calls: calls)
    }

    /// A count distribution: integers from 1 to `limit`, every draw (its support, not only its mean).
    private static func count(_ object: ConfigObject, _ key: String, _ what: String, upTo limit: Double, reader: ConfigReader,
                              parser: DistributionParser) -> Distribution? {
        guard let node = object.required(key, "a distribution of \(what)") else { return nil }
        let path = object.path(key)
        guard let distribution = parser.parse(node, at: path, role: .tokens) else { return nil }
        if !distribution.isInt {
            reader.report(path, "\(what) are whole numbers: is_int must be true (got \(distribution.yamlFlow))")
            return nil
        }
        // Rounding raises a token count below 1 to 1; a count is not raised: a
        // draw that rounds below 1 is refused here, not turned into 1.
        var lowest = Swift.max(distribution.supportLowerBound, distribution.min ?? -.infinity).rounded()
        if case .uniform(let low, _) = distribution.family { lowest = Swift.max(low, distribution.min ?? -.infinity).rounded(.up) }
        if case .constant(let value) = distribution.family { lowest = value.rounded() }
        if lowest < 1 {
            reader.report(path, "\(what) must be at least 1 on every draw, but this distribution can give \(NumberRule.format(lowest)) (got \(distribution.yamlFlow); set min: 1)")
            return nil
        }
        if distribution.supremum > limit {
            reader.report(path, "\(what) must be at most \(NumberRule.format(limit)) on every draw, but this distribution can give \(NumberRule.format(distribution.supremum)) (got \(distribution.yamlFlow); set max: \(NumberRule.format(limit)))")
            return nil
        }
        return distribution
    }

    /// An agent profile is completion anchored (its calls wait for their
    /// predecessors' completions) and runs without warm start (a burn-in of
    /// trees is not modeled).
    static func checkAgents(_ spec: WorkloadSpec, reader: ConfigReader) {
        for (index, profile) in spec.profiles.enumerated() where profile.agent != nil {
            let path = "workload.client_profiles[\(index)]"
            if profile.followUpAfter != .completion {
                reader.report(path + ".follow_up_after", "an agent profile ('\(profile.name)') needs follow_up_after: completion (got \(profile.followUpAfter.rawValue))")
            }
            if spec.warmStart {
                reader.report("workload.warm_start", "warm start is not supported with agent profiles ('\(profile.name)') (got true)")
            }
        }
    }
}
