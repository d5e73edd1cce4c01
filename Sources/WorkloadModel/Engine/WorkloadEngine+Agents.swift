/// What one agent call draws before it is sent: a turn's lengths and
/// streaming (a chain's later call draws no follow-up of its own), and its kind.
struct AgentCallDraws {
    var turn: TurnDraws
    var kind: AgentCallKind
}

/// Agent sessions (`agent`): chains of LLM calls, tool batches, subagents
/// and joins. Every call is one request of its session (`turn` is its
/// ordinal); what follows a call is decided at its completion, in
/// `agentCallCompleted`, the one place that does.
extension WorkloadEngine {
    /// Gives slot `slot` its agent state (slots are reused).
    mutating func setAgentState(_ slot: Int32, _ state: AgentState) {
        let index = Int(slot)
        while agentStates.count <= index { agentStates.append(AgentState()) }
        agentStates[index] = state
    }

    /// Sends the agent session's next call (what `send` does for other
    /// profiles). Returns the session's end when the call does not fit the
    /// context window.
    mutating func sendAgentCall(slot: Int32, at time: VirtualNanoseconds, profile: ProfileRuntime, agent: AgentRuntime) -> SessionEndedEvent? {
        if let reason = treeFailure(of: slot) { return endInFailedTree(slot: slot, reason: reason, at: time) }
        var session = sessions[slot]
        var state = agentStates[Int(slot)]
        let turn = session.turnsSent + 1
        let draws = drawAgentCall(session: &session, state: &state, turn: turn, profile: profile, agent: agent)
        // A user turn carries what the profile's history says; a chain's later calls carry everything.
        let history = draws.kind == .user ? profile.history : .full
        guard var request = makeRequest(turn: turn, draws: draws.turn, slot: slot, session: &session, profile: profile, history: history,
                                        followsCompletion: draws.kind != .user || turn >= 2, at: time) else {
            if state.parentSlot >= 0 { subagentFinished(state, lastTurn: session.turnsSent, output: session.lastOutput, at: time) }
            return endForContext(slot: slot, session: session, at: time)
        }
        request.callKind = draws.kind
        request.call = UInt16(truncatingIfNeeded: state.call)
        request.subagent = session.subagent
        if draws.kind == .agent || draws.kind == .subagent { request.toolCalls = UInt8(truncatingIfNeeded: state.toolCalls) }
        if draws.kind.storesLinks { request.agentLinks = state.links }
        sessions[slot] = session
        agentStates[Int(slot)] = state
        let flight = inFlight.insert(request, sessionSlot: slot)
        queue.schedule(.delivery, at: request.time, payload: flight)
        if let service = profile.service {
            scheduleAgentCompletion(request, service: service, sessionSlot: slot, uncached: request.newInputTokens)
        } else {
            // `feedback`: the service's completion decides what follows (`applyAgentCompletion`).
            awaitCompletion(of: request, sessionSlot: slot, followUpGap: nil)
            let key = CompletionKey(session: request.ownSessionID, turn: turn)
            feedback!.awaiting[key]!.followUpGap = agentFollowUpBound(request, state: state, profile: profile, agent: agent)
        }
        return nil
    }

    /// The draws of the call, by kind: a user turn's first call draws the
    /// turn (as any profile's turn, from the session's stream) and its
    /// number of calls; the others draw from their own stream and carry what
    /// the completion before them left (tool results, subagents' answers).
    mutating func drawAgentCall(session: inout SessionState, state: inout AgentState, turn: Int32, profile: ProfileRuntime,
                                agent: AgentRuntime) -> AgentCallDraws {
        let own = session.ownID
        if state.nextKind == .user {
            state.userTurns += 1
            let draws = profile.drawTurn(state.userTurns, maxTurns: maxTurns, session: &session)
            state.followUpGap = draws.followUpGap ?? -1
            state.closing = draws.closingReason ?? .completed
            state.calls = agent.calls(session: own, turn: turn, seed: spec.seed)
            state.call = 0
            state.toolCalls = 0
            return AgentCallDraws(turn: draws, kind: .user)
        }
        var rng = AgentRuntime.stream(AgentRuntime.callPurpose, session: own, turn: turn, seed: spec.seed)
        var newInput = state.carried
        if state.nextKind == .subagentStart {
            newInput = profile.drawTask(using: &rng)
            state.call = 0
        } else {
            state.call += 1
        }
        let call = profile.drawCall(using: &rng)
        let lengths = TurnDraws(newInput: newInput, maxOutput: call.maxOutput, output: call.output, streaming: call.streaming)
        return AgentCallDraws(turn: lengths, kind: state.nextKind)
    }

    /// Every agent call's completion is scheduled: what follows is decided there.
    mutating func scheduleAgentCompletion(_ request: RequestEvent, service: ServiceRuntime, sessionSlot: Int32, uncached: Int64) {
        let times = service.times(session: request.ownSessionID, turn: request.turn, seed: spec.seed, arrival: request.time,
                                  uncachedTokens: uncached, outputTokens: request.outputTokens)
        var event = CompletionEvent(
            seq: 0, time: times.completion, firstToken: times.firstToken, sessionID: request.sessionID,
            outputTokens: request.outputTokens, profile: request.profile, client: request.client, turn: request.turn)
        event.subagent = request.subagent
        let slot = completions.insert(PendingCompletion(event: event, sessionSlot: sessionSlot, emits: service.emitCompletions))
        queue.schedule(.completion, at: times.completion, payload: slot)
    }

    /// A modeled completion of an agent call: its event (when emitted) and
    /// the session's end, when the call ended it.
    mutating func completeAgentCall(_ completion: PendingCompletion, at time: VirtualNanoseconds) -> Event? {
        let end = agentCallCompleted(sessionSlot: completion.sessionSlot, turn: completion.event.turn, at: time,
                                     outputTokens: completion.event.outputTokens)
        guard completion.emits else { return end.map { emit(.sessionEnded($0)) } }
        var event = completion.event
        event.seq = numbered(at: time)
        if let end { pending = emit(.sessionEnded(end)) }
        return .completion(event)
    }
}

extension WorkloadEngine {
    /// What follows the completion of call `turn` of the agent session in
    /// `slot`, at `time`, with `outputTokens` of output: the one place that
    /// decides it, whoever completed the call (the service model here; a
    /// closed loop's service as well). The next call of the chain after a
    /// tool batch (`delay_s` = the slowest tool call), subagents and the
    /// join, the next user turn after a think time, or the session's end
    /// (returned, at `time`). Draws are keyed by the call, so the order in
    /// which completions arrive changes nothing.
    mutating func agentCallCompleted(sessionSlot slot: Int32, turn: Int32, at time: VirtualNanoseconds, outputTokens: Int64) -> SessionEndedEvent? {
        var session = sessions[slot]
        var state = agentStates[Int(slot)]
        let profile = profiles[Int(session.profile)]
        session.lastCompletion = time
        session.totalOutput += outputTokens - session.lastOutput
        session.lastOutput = outputTokens
        sessions[slot] = session
        if state.call + 1 < state.calls {
            let isRoot = session.subagent == 0
            let step = agentStep(after: turn, session: session.ownID, state: state, agent: profile.agent!)
            if step.subagents > 0 {
                if time < horizon && requestsSent < requestCap {
                    spawnSubagents(step.subagents, root: slot, state: &state, turn: turn, at: time)
                }
                agentStates[Int(slot)] = state
                return nil
            }
            state.toolCalls = step.toolCalls
            state.carried = step.resultTokens
            state.nextKind = isRoot ? .agent : .subagent
            agentStates[Int(slot)] = state
            let shared = prefixCatalog == nil ? 0 : sessionPrefixes[Int(slot)].sharedTokens
            // A subagent that cannot go on ends now, so that its parent's join waits for no more than its completion.
            if isRoot || profile.carriedPrefix(turn: turn + 1, newInput: step.resultTokens, shared: shared, session: session,
                                               history: .full) != nil {
                queue.schedule(.send, at: time.saturatingAdd(step.slowest), payload: slot)
                return nil
            }
            _ = sessions.remove(slot)
            subagentFinished(state, lastTurn: turn, output: outputTokens, at: time)
            return ended(session, reason: .contextFull, at: time)
        }
        return agentChainEnded(slot: slot, session: session, state: state, turn: turn, outputTokens: outputTokens, at: time)
    }

    /// What follows call `turn` of the session `session` (its own ID), not
    /// its chain's last: a root chain may spawn while ordinals remain.
    func agentStep(after turn: Int32, session: UInt64, state: AgentState, agent: AgentRuntime) -> AgentStep {
        let isRoot = state.parentSlot < 0
        return agent.step(session: session, turn: turn, seed: spec.seed, maySpawn: isRoot && state.nextOrdinal <= UInt16.max - 3)
    }

    /// The chain's last call completed: a subagent ends (and may release its
    /// parent's join); a root session sends its next user turn after a think
    /// time, or ends.
    mutating func agentChainEnded(slot: Int32, session: SessionState, state: AgentState, turn: Int32, outputTokens: Int64,
                                  at time: VirtualNanoseconds) -> SessionEndedEvent? {
        var state = state
        if session.subagent != 0 {
            _ = sessions.remove(slot)
            subagentFinished(state, lastTurn: turn, output: outputTokens, at: time)
            return ended(session, reason: .completed, at: time)
        }
        guard state.followUpGap >= 0 else {
            _ = sessions.remove(slot)
            return ended(session, reason: state.closing, at: time)
        }
        state.nextKind = .user
        state.carried = 0
        agentStates[Int(slot)] = state
        queue.schedule(.send, at: time.saturatingAdd(nanoseconds(fromSeconds: state.followUpGap)), payload: slot)
        return nil
    }

    /// Starts `count` subagents of the root session in `slot` at the
    /// completion of its call `turn`; its next call becomes their join.
    mutating func spawnSubagents(_ count: Int32, root slot: Int32, state: inout AgentState, turn: Int32, at time: VirtualNanoseconds) {
        let root = sessions[slot]
        let profile = profiles[Int(root.profile)]
        let agent = profile.agent!
        state.nextKind = .join
        state.outstanding = count
        state.carried = 0
        state.toolCalls = 0
        state.links = AgentLinks(firstSubagent: state.nextOrdinal, lastTurns: [])
        for index in 0..<count {
            var child = SessionState(
                id: root.id, profile: root.profile, client: root.client, rng: Xoshiro256(seed: 1), conversational: true,
                priority: root.priority, startOrder: sessionsStarted)
            child.subagent = state.nextOrdinal
            state.nextOrdinal += 1
            let identity = StreamIdentity("subagent-session").appending(child.ownID)
            child.rng = Xoshiro256(seed: identity.combined(with: spec.seed))
            sessionsStarted += 1
            let childSlot = sessions.insert(child)
            var childState = AgentState()
            childState.nextKind = .subagentStart
            childState.calls = agent.subagentCallCount(session: child.ownID, seed: spec.seed)
            childState.parentSlot = slot
            childState.siblingIndex = index
            childState.links = AgentLinks(spawningTurn: turn)
            setAgentState(childSlot, childState)
            if let prefixCatalog {
                var prefix = SessionPrefix()
                let chosen = prefixCatalog.items(for: agent.subagentPrefixes, profile: profile.sessionIdentity, client: root.client,
                                                 session: identity)
                prefix.items = chosen.items
                prefix.sharedTokens = chosen.tokens
                while sessionPrefixes.count <= Int(childSlot) { sessionPrefixes.append(SessionPrefix()) }
                sessionPrefixes[Int(childSlot)] = prefix
            }
            queue.schedule(.spawn, at: time, payload: childSlot)
        }
    }

    /// A subagent of the tree has sent its last call (`lastTurn`, 0: none):
    /// the join records it and, once every subagent is done, is sent now.
    mutating func subagentFinished(_ state: AgentState, lastTurn: Int32, output: Int64, at time: VirtualNanoseconds) {
        let parentSlot = state.parentSlot
        var parent = agentStates[Int(parentSlot)]
        parent.links.setLastTurn(Int(state.siblingIndex), lastTurn)
        if lastTurn > 0 { parent.carried += output }
        parent.outstanding -= 1
        agentStates[Int(parentSlot)] = parent
        if parent.outstanding == 0 { queue.schedule(.send, at: time, payload: parentSlot) }
    }

    /// A subagent begins: its `session_started` event, and its first call.
    mutating func startSubagent(slot: Int32, at time: VirtualNanoseconds) -> Event {
        let session = sessions[slot]
        let endedAtOnce = send(sessionSlot: slot, at: time)
        var started = SessionStartedEvent(
            seq: 0, time: time, sessionID: session.id, profile: session.profile, client: session.client, conversational: true)
        started.subagent = session.subagent
        let event = emit(.sessionStarted(started))
        if let endedAtOnce { pending = emit(.sessionEnded(endedAtOnce)) }
        return event
    }
}
