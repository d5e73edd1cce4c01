/// Agent sessions under `feedback`: each call's completion comes from the
/// service and takes effect through `agentCallCompleted`, the same path as a
/// modeled one, so what follows a call (a tool batch and the next call,
/// subagents, a join, the next user turn) is drawn as without feedback, keyed
/// by the call.
///
/// A call that fails (`status` error or rejected) or times out ends its agent
/// tree: its own session ends at once (`failed` or `no_response`), no other
/// call of the tree is sent, and each other session of the tree ends with the
/// same reason at its next step: when its call in flight completes or times
/// out, when its tool batch ends, or (the root) once its last subagent has
/// ended. The tree's reason is kept in the root's state (its next call
/// becomes `none`), so an engine checkpoint carries it as it is.
extension WorkloadEngine {
    /// A held completion of the agent call in `slot` takes effect at `time`.
    mutating func applyAgentCompletion(_ completion: HeldCompletion, slot: Int32, at time: VirtualNanoseconds) -> Event? {
        if time > completion.time { feedback!.counts.lateFollowUps += 1 }
        guard completion.status == .ok else {
            feedback!.counts.endedFailed += 1
            return agentCallFailed(slot: slot, reason: .failed, at: time)
        }
        if let reason = treeFailure(of: slot) {
            return emit(.sessionEnded(endInFailedTree(slot: slot, reason: reason, at: time)))
        }
        let end = agentCallCompleted(sessionSlot: slot, turn: completion.key.turn, at: time, outputTokens: completion.outputTokens)
        return end.map { emit(.sessionEnded($0)) }
    }

    /// The call in `slot` failed or timed out: its session ends now with
    /// `reason`, and so does the rest of its tree, each session at its next step.
    mutating func agentCallFailed(slot: Int32, reason: SessionEndReason, at time: VirtualNanoseconds) -> Event {
        let parent = agentStates[Int(slot)].parentSlot
        let root = parent >= 0 ? parent : slot
        if agentStates[Int(root)].nextKind != .none {
            agentStates[Int(root)].nextKind = .none
            agentStates[Int(root)].closing = reason
        }
        return emit(.sessionEnded(endInFailedTree(slot: slot, reason: reason, at: time)))
    }

    /// Why the tree of the session in `slot` has ended, or nil while it goes on.
    func treeFailure(of slot: Int32) -> SessionEndReason? {
        guard Int(slot) < agentStates.count else { return nil }
        let parent = agentStates[Int(slot)].parentSlot
        let root = agentStates[Int(parent >= 0 ? parent : slot)]
        return root.nextKind == .none ? root.closing : nil
    }

    /// Ends the session in `slot` of a failed tree: a subagent counts as
    /// finished for its root, which ends once none is left.
    mutating func endInFailedTree(slot: Int32, reason: SessionEndReason, at time: VirtualNanoseconds) -> SessionEndedEvent {
        let state = agentStates[Int(slot)]
        let session = sessions.remove(slot)
        if state.parentSlot >= 0 { subagentFinished(state, lastTurn: session.turnsSent, output: 0, at: time) }
        return ended(session, reason: reason, at: time)
    }

    /// The least time from the completion of the agent call `request` (just
    /// sent) to the arrival of a request it can lead to: the generator's
    /// lookahead for it. Its link's latency after what follows the call, drawn
    /// now from the call's own stream as its completion will: the tool batch,
    /// or nothing when subagents start at once; after a chain's last call, the
    /// think time before the next user turn (a root) or nothing (a subagent's
    /// join may be sent at its completion); -1 when the session ends there.
    func agentFollowUpBound(_ request: RequestEvent, state: AgentState, profile: ProfileRuntime, agent: AgentRuntime) -> VirtualNanoseconds {
        let latency = links[profile.link].latency
        let isRoot = state.parentSlot < 0
        guard state.call + 1 < state.calls else {
            guard isRoot else { return latency }
            return state.followUpGap < 0 ? -1 : nanoseconds(fromSeconds: state.followUpGap).saturatingAdd(latency)
        }
        // A subagent whose next call may not fit its context window ends at
        // the completion, and its join may follow (without a window, only a
        // prompt past the 10^9-token bound would not fit).
        if !isRoot && profile.window < ConversationModel.largestPromptTokens { return latency }
        let step = agentStep(after: request.turn, session: request.ownSessionID, state: state, agent: agent)
        return (step.subagents > 0 ? 0 : step.slowest).saturatingAdd(latency)
    }
}

extension ExternalCompletionState {
    /// The earliest arrival of a request that a completion still to come, or
    /// held, can lead to: each awaited request's completion is no earlier than
    /// the watermark and its arrival (or is held at its time), and what it
    /// leads to comes `followUpGap` later (< 0: nothing).
    func earliestFollowUp() -> VirtualNanoseconds {
        var earliest = VirtualNanoseconds.max
        for awaited in awaiting.values where !awaited.answered && awaited.followUpGap >= 0 {
            earliest = Swift.min(earliest, Swift.max(frontier, awaited.arrival).saturatingAdd(awaited.followUpGap))
        }
        for completion in held.storage {
            guard let gap = awaiting[completion.key]?.followUpGap, gap >= 0 else { continue }
            earliest = Swift.min(earliest, completion.time.saturatingAdd(gap))
        }
        return earliest
    }
}
