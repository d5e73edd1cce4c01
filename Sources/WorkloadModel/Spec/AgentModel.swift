/// A coding agent's user turns (`agent:` under a client profile): each user
/// turn is a chain of LLM calls; between two calls of the chain a batch of
/// tool calls runs in parallel, or subagents run and the chain waits for all
/// of them (see the Agents article).
public struct AgentModel: Sendable, Equatable {
    /// LLM calls in one user turn (an integer, at least 1).
    public var callsPerTurn: Distribution
    /// Tool calls run in parallel after each LLM call but the last (at least 1).
    public var toolCallsPerBatch: Distribution
    /// Seconds each tool call takes; a batch lasts as long as its slowest call.
    public var toolLatency: Distribution
    /// Tokens each tool call's result adds to the next prompt.
    public var toolResultTokens: Distribution
    /// Subagents; nil: none.
    public var subagents: SubagentModel?

    /// The most LLM calls of one chain (the `call` index is 16-bit).
    public static let maximumCalls: Double = 65_535
    /// The most tool calls of one batch (`tool_calls` is kept in a byte).
    public static let maximumToolCalls: Double = 255

    public init(callsPerTurn: Distribution, toolCallsPerBatch: Distribution, toolLatency: Distribution,
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
public struct SubagentModel: Sendable, Equatable {
    /// Chance that a call of the root chain (not its last) spawns subagents.
    public var probability: Double
    /// Subagents spawned at once (1 to `maximumCount`).
    public var count: Distribution
    /// LLM calls of each subagent (1 to `maximumCalls`).
    public var calls: Distribution
    /// The shared prefixes a subagent's prompts start with.
    public var prefixes: [PrefixUse]

    /// The most subagents of one spawn: a join's dependencies are kept
    /// inline in its request event (four 12-bit call counts).
    public static let maximumCount: Double = 4
    /// The most LLM calls of one subagent.
    public static let maximumCalls: Double = 4_095

    public init(probability: Double, count: Distribution, calls: Distribution, prefixes: [PrefixUse] = []) {
        self.probability = probability
        self.count = count
        self.calls = calls
        self.prefixes = prefixes
    }
}
