/// An agent session's state in an engine checkpoint.
extension CheckpointWriter {
    mutating func agentState(_ a: AgentState) {
        byte(a.nextKind.rawValue); i32(a.calls); i32(a.call); i32(a.userTurns); i32(a.toolCalls); i64(a.carried)
        double(a.followUpGap); byte(a.closing.rawValue); i32(Int32(a.nextOrdinal)); i32(a.outstanding); u64(a.links.bits)
        i32(a.parentSlot); i32(a.siblingIndex)
    }
}

extension CheckpointReader {
    mutating func agentState() throws(EngineCheckpointError) -> AgentState {
        var a = AgentState()
        guard let kind = AgentCallKind(rawValue: try byte()) else { throw EngineCheckpointError("checkpoint corrupt (agent call kind)") }
        a.nextKind = kind
        a.calls = try i32(); a.call = try i32(); a.userTurns = try i32(); a.toolCalls = try i32(); a.carried = try i64()
        a.followUpGap = try double(); a.closing = try reason(); a.nextOrdinal = try u16(); a.outstanding = try i32()
        a.links = AgentLinks(bits: try u64())
        a.parentSlot = try i32(); a.siblingIndex = try i32()
        guard a.call >= -1, a.call < Swift.max(a.calls, 1), a.outstanding >= 0, (0..<4).contains(a.siblingIndex),
              a.carried >= 0, a.carried <= 1 << 52 else { throw EngineCheckpointError("checkpoint corrupt (agent state)") }
        return a
    }
}

extension WorkloadEngine {
    /// Every live agent session has a state, and a subagent's root is live.
    func checkAgentReferences() throws(EngineCheckpointError) {
        for slot in sessions.storage.indices {
            guard let session = sessions.storage[slot], profiles[Int(session.profile)].agent != nil else { continue }
            guard slot < agentStates.count else { throw EngineCheckpointError("checkpoint corrupt (agent states)") }
            let parent = agentStates[slot].parentSlot
            guard (parent < 0) == (session.subagent == 0),
                  parent < 0 || (Int(parent) < sessions.storage.count && sessions.storage[Int(parent)] != nil && Int(parent) < agentStates.count)
            else { throw EngineCheckpointError("checkpoint corrupt (subagent's root)") }
        }
    }
}
