/// An agent profile prepared for the hot path (see `AgentModel`). Every draw
/// comes from a stream of its own, keyed by the call's own session, its turn
/// and a purpose, never from a sequence shared with other sessions: the order
/// in which completions arrive (modeled here, or read from a service) cannot
/// change what is drawn.
final class AgentRuntime: Sendable {
    let callsPerTurn: Distribution
    let toolCallsPerBatch: Distribution
    let toolLatency: Distribution
    let toolResultTokens: Distribution
    /// Subagents: chance per call, count, calls each, prefixes; probability 0 without.
    let subagentProbability: Double
    let subagentCount: Distribution
    let subagentCalls: Distribution
    let subagentPrefixes: ContiguousArray<PrefixUse>

    init(_ model: AgentModel) {
        callsPerTurn = model.callsPerTurn
        toolCallsPerBatch = model.toolCallsPerBatch
        toolLatency = model.toolLatency
        toolResultTokens = model.toolResultTokens
        subagentProbability = model.subagents?.probability ?? 0
        subagentCount = model.subagents?.count ?? Distribution(.constant(1))
        subagentCalls = model.subagents?.calls ?? Distribution(.constant(1))
        subagentPrefixes = ContiguousArray(model.subagents?.prefixes ?? [])
    }

    static let callsPurpose = StreamIdentity("agent-calls")
    static let stepPurpose = StreamIdentity("agent-step")
    static let callPurpose = StreamIdentity("agent-call")

    /// The stream of one purpose for the call `turn` of session `session` (its own ID).
    @inline(__always)
    static func stream(_ purpose: StreamIdentity, session: UInt64, turn: Int32, seed: UInt64) -> Xoshiro256 {
        var identity = purpose
        identity.append(session)
        identity.append(UInt64(UInt32(bitPattern: turn)))
        return Xoshiro256(seed: identity.combined(with: seed))
    }

    /// LLM calls of the user turn that begins with request `turn`.
    func calls(session: UInt64, turn: Int32, seed: UInt64) -> Int32 {
        var rng = Self.stream(Self.callsPurpose, session: session, turn: turn, seed: seed)
        return Int32(callsPerTurn.sample(using: &rng))
    }

    /// LLM calls of a subagent (drawn once, when it is spawned).
    func subagentCallCount(session: UInt64, seed: UInt64) -> Int32 {
        var rng = Self.stream(Self.callsPurpose, session: session, turn: 0, seed: seed)
        return Int32(subagentCalls.sample(using: &rng))
    }
}

/// What follows a call of a chain that is not its last: a tool batch, or
/// subagents. Drawn from the call's own step stream, in this order: whether it
/// spawns (only where subagents may spawn), then either the subagent count,
/// or the batch size, each call's latency and each call's result tokens.
struct AgentStep: Sendable, Equatable {
    /// Subagents spawned (0: a tool batch).
    var subagents: Int32 = 0
    var toolCalls: Int32 = 0
    /// The batch's duration: its slowest call's latency (nanoseconds).
    var slowest: VirtualNanoseconds = 0
    var resultTokens: Int64 = 0
    /// Each call's latency in seconds (kept only when asked for).
    var latencies: [Double] = []
}

extension AgentRuntime {
    /// The step after call `turn` of `session` (its own ID). `mayspawn`: the
    /// root chain, with room for more subagents.
    func step(session: UInt64, turn: Int32, seed: UInt64, maySpawn: Bool, keepLatencies: Bool = false) -> AgentStep {
        var rng = Self.stream(Self.stepPurpose, session: session, turn: turn, seed: seed)
        var step = AgentStep()
        if maySpawn && subagentProbability > 0 && rng.nextUnit() < subagentProbability {
            step.subagents = Int32(subagentCount.sample(using: &rng))
            return step
        }
        step.toolCalls = Int32(toolCallsPerBatch.sample(using: &rng))
        var slowest = 0.0
        for _ in 0..<step.toolCalls {
            let latency = toolLatency.sample(using: &rng)
            if keepLatencies { step.latencies.append(latency) }
            slowest = Swift.max(slowest, latency)
        }
        step.slowest = nanoseconds(fromSeconds: slowest)
        for _ in 0..<step.toolCalls { step.resultTokens += Int64(toolResultTokens.sample(using: &rng)) }
        return step
    }

    /// The public view of a step, for tests and exports that recover tool latencies.
    static func latencies(of spec: WorkloadSpec, profile: Int, session: UInt64, turn: Int32, maySpawn: Bool) -> [Double]? {
        guard let model = spec.profiles[profile].agent else { return nil }
        let step = AgentRuntime(model).step(session: session, turn: turn, seed: spec.seed, maySpawn: maySpawn, keepLatencies: true)
        return step.subagents > 0 ? nil : step.latencies
    }
}

/// The agent part of one session's state, beside `SessionState` (in
/// `WorkloadEngine.agentStates`, only when a profile has agents).
struct AgentState: Sendable, Equatable {
    /// What the session's next call is.
    var nextKind: AgentCallKind = .user
    /// LLM calls of the current chain, and the index of the last one sent (-1: none yet).
    var calls: Int32 = 0
    var call: Int32 = -1
    /// User turns begun (root sessions).
    var userTurns: Int32 = 0
    /// What the next call carries: the batch size and the tokens of the
    /// tool results (or of the subagents' answers, for a join).
    var toolCalls: Int32 = 0
    var carried: Int64 = 0
    /// Root: think time before the next user turn after this one's last call; < 0: none (the session ends).
    var followUpGap: Double = -1
    var closing: SessionEndReason = .completed
    /// Root: the next subagent ordinal; subagents still running; the join's links.
    var nextOrdinal: UInt16 = 1
    var outstanding: Int32 = 0
    var links = AgentLinks(bits: 0)
    /// Subagent: the root's slot and its index among the subagents spawned with it.
    var parentSlot: Int32 = -1
    var siblingIndex: Int32 = 0

    init() {}
}

/// Whether the profile runs agents: the public figure used by reports.
extension WorkloadSpec {
    package var hasAgents: Bool { profiles.contains { $0.agent != nil } }
}

/// The tool latencies of the batch that follows call `turn` of `session` (the call's own
/// session ID): what the engine drew. Nil when that call spawned subagents instead.
package func agentToolLatencies(spec: WorkloadSpec, profile: Int, session: UInt64, turn: Int32, root: Bool) -> [Double]? {
    AgentRuntime.latencies(of: spec, profile: profile, session: session, turn: turn, maySpawn: root)
}
