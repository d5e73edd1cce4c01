/// A coding agent's user turns (`agent:` under a client profile): each user
/// turn is a chain of LLM calls; between two calls of the chain a batch of
/// tool calls runs in parallel, or subagents run and the chain waits for all
/// of them (see the Agents article).
package struct AgentModel: Sendable, Equatable {
    /// LLM calls in one user turn (an integer, at least 1).
    package var callsPerTurn: Distribution
    /// Tool calls run in parallel after each LLM call but the last (at least 1).
    package var toolCallsPerBatch: Distribution
    /// Seconds each tool call takes; a batch lasts as long as its slowest call.
    package var toolLatency: Distribution
    /// Tokens each tool call's result adds to the next prompt.
    package var toolResultTokens: Distribution
    /// Subagents; nil: none.
    package var subagents: SubagentModel?

    /// The most LLM calls of one chain (the `call` index is 16-bit).
    package static let maximumCalls: Double = 65_535
    /// The most tool calls of one batch (`tool_calls` is kept in a byte).
    package static let maximumToolCalls: Double = 255

    package init(callsPerTurn: Distribution, toolCallsPerBatch: Distribution, toolLatency: Distribution,
                toolResultTokens: Distribution, subagents: SubagentModel? = nil) {
        self.callsPerTurn = callsPerTurn
        self.toolCallsPerBatch = toolCallsPerBatch
        self.toolLatency = toolLatency
        self.toolResultTokens = toolResultTokens
        self.subagents = subagents
    }
}

/// Subagents: a call of the root chain spawns `count` of them instead of a
/// tool batch, each its own session with a fresh context (its own shared
/// prefixes), running its own chain with tool batches. The root's next call
/// waits for every one of them. Subagents do not spawn subagents.
package struct SubagentModel: Sendable, Equatable {
    /// Chance that a call of the root chain (not its last) spawns subagents.
    package var probability: Double
    /// Subagents spawned at once (1 to `maximumCount`).
    package var count: Distribution
    /// LLM calls of each subagent (1 to `maximumCalls`).
    package var calls: Distribution
    /// The shared prefixes a subagent's prompts start with.
    package var prefixes: [PrefixUse]

    /// The most subagents of one spawn: a join's dependencies are kept
    /// inline in its request event (four 12-bit call counts).
    package static let maximumCount: Double = 4
    /// The most LLM calls of one subagent.
    package static let maximumCalls: Double = 4_095

    package init(probability: Double, count: Distribution, calls: Distribution, prefixes: [PrefixUse] = []) {
        self.probability = probability
        self.count = count
        self.calls = calls
        self.prefixes = prefixes
    }
}
