/// The discrete-event generator: turns a `WorkloadSpec` into the stream of
/// session and request events, in non-decreasing virtual time.
///
/// It is a value: no I/O, no wall clock, no shared state. The same spec (seed
/// included) always gives the same stream, whoever consumes it and however
/// fast. Call `next()` until it returns `nil` (a bounded run) or forever.
package struct WorkloadEngine: Sendable {
    package let spec: WorkloadSpec

    let profiles: ContiguousArray<ProfileRuntime>
    /// Sessions opened so far, per profile (the ordinal of the next one).
    var sessionsOpened: ContiguousArray<UInt64>
    /// Cumulative profile weights, normalised so that the last is 1.
    let cumulativeWeights: ContiguousArray<Double>
    var arrivals: ContiguousArray<ArrivalStream>
    var links: ContiguousArray<LinkState>
    var queue = EventQueue()
    var sessions = Slab<SessionState>()
    var inFlight = InFlightRequests()
    /// Modeled completions still to come (`service_model`); empty without one.
    var completions = Slab<PendingCompletion>()
    let maxTurns: Int32
    let bytesPerToken: Double
    let sessionIDSeed: UInt64

    /// Sends at or after this instant are not made.
    var horizon: VirtualNanoseconds
    var requestCap: Int
    var endReason: SessionEndReason = .horizon
    var requestsSent = 0
    var sessionsStarted: UInt64 = 0
    var nextSeq: UInt64 = 0
    var lastTime: VirtualNanoseconds = 0
    /// A second event produced by the same step (a session's end after its
    /// last request), returned by the next call.
    var pending: Event?
    /// Sessions closed at the end of a bounded run, oldest first.
    var closing: ContiguousArray<Event> = []
    var finished = false
    /// One clock per arrival stream with a `load`; empty without (today's path).
    var loadClocks: ContiguousArray<LoadClock> = []
    var operationalTime: ContiguousArray<VirtualNanoseconds> = []
    /// `warm_start`: sessions begun in the burn-in, announced at time 0.
    var warm = WarmStartState()
    /// The bound that ended the run early, if any (see `GeneratorLimits`).
    package internal(set) var boundReached: GeneratorBound?
    /// Prefix pools and KV blocks; nil without either (today's path).
    let prefixCatalog: PrefixCatalog?
    /// Each session slot's prefix state; empty without a catalog.
    var sessionPrefixes: ContiguousArray<SessionPrefix> = []
    /// `feedback`: completions from outside; nil: from the service model.
    var feedback: ExternalCompletionState?
    /// The last `next()` returned nil while waiting for completions.
    var stalled = false
    /// Each session slot's agent state; empty without agent profiles.
    var agentStates: ContiguousArray<AgentState> = []
    /// `feedback` with agent profiles: an agent's next call may follow its
    /// completion sooner than the lookahead (see `agentFollowUpBound`).
    let agentsAwaitCompletions: Bool

    package init(spec: WorkloadSpec) {
        self.spec = spec
        maxTurns = Int32(clamping: spec.maxTurnsPerSession)
        bytesPerToken = spec.bytesPerToken
        sessionIDSeed = StreamIdentity("session-id").combined(with: spec.seed)
        horizon = spec.totalDuration.map { nanoseconds(fromSeconds: $0) } ?? .max
        requestCap = spec.totalRequests ?? .max
        prefixCatalog = PrefixCatalog.isNeeded(by: spec) ? PrefixCatalog(spec: spec) : nil

        var links: ContiguousArray<LinkState> = [LinkState(spec.network)]
        var runtimes: ContiguousArray<ProfileRuntime> = []
        let totalWeight = spec.profiles.reduce(0) { $0 + $1.weight }
        for (index, profile) in spec.profiles.enumerated() {
            var link = 0
            if let own = profile.network {
                links.append(LinkState(own))
                link = links.count - 1
            }
            var gaps = profile.interArrival
            if spec.arrivalMode == .superposition {
                gaps = profile.interArrival.scaled(by: spec.superpositionScale(ofProfile: index))
            }
            runtimes.append(ProfileRuntime(
                profile, interArrival: gaps, link: link, accumulate: spec.accumulateConversationalTokens,
                service: spec.serviceModel(ofProfile: index), external: spec.externalCompletions != nil))
        }
        var cumulative: ContiguousArray<Double> = []
        var running = 0.0
        for profile in spec.profiles {
            running += profile.weight / totalWeight
            cumulative.append(running)
        }
        if !cumulative.isEmpty { cumulative[cumulative.count - 1] = 1 }
        agentsAwaitCompletions = spec.externalCompletions != nil && runtimes.contains { $0.agent != nil }
        self.links = links
        self.profiles = runtimes
        self.sessionsOpened = ContiguousArray(repeating: 0, count: runtimes.count)
        self.cumulativeWeights = cumulative

        var arrivals: ContiguousArray<ArrivalStream> = []
        switch spec.arrivalMode {
        case .mixture:
            arrivals.append(ArrivalStream(rng: Xoshiro256(seed: spec.seed, identity: StreamIdentity("arrivals")), nextProfile: 0))
        case .superposition:
            for (index, profile) in spec.profiles.enumerated() {
                let rng = Xoshiro256(seed: spec.seed, identity: StreamIdentity("arrivals", profile.name))
                arrivals.append(ArrivalStream(rng: rng, nextProfile: Int32(index)))
            }
        }
        self.arrivals = arrivals
        feedback = spec.externalCompletions.map(ExternalCompletionState.init)
        let start = spec.warmStart ? -spec.burnInNanoseconds : 0
        warm.pending = spec.warmStart
        loadClocks = Self.loadClocks(for: spec, start: start)
        operationalTime = ContiguousArray(repeating: 0, count: loadClocks.count)
        for stream in arrivals.indices where spec.arrivalMode == .mixture || spec.profiles[stream].weight > 0 {
            scheduleArrival(stream: stream, after: start)
        }
    }

    /// Number of sessions open now.
    package var activeSessions: Int { sessions.liveCount }

    /// Virtual time of the last event returned.
    package var virtualTime: VirtualNanoseconds { lastTime }

    /// Request events sent so far (those still in flight included).
    package var requestsGenerated: Int { requestsSent }

    /// True once a bounded run has returned its last event.
    package var isFinished: Bool { finished && pending == nil && closing.isEmpty }

    /// Stops the run at virtual time `time`: no send at or after it is made,
    /// requests already on the wire still arrive, and every session still open
    /// then ends with `reason`.
    package mutating func stop(at time: VirtualNanoseconds, reason: SessionEndReason = .shutdown) {
        let at = Swift.max(time, lastTime)
        stopAwaiting()
        if at < horizon {
            horizon = at
            endReason = reason
        }
    }

    /// The next event of the stream, or `nil` when a bounded run is over.
    package mutating func next() -> Event? {
        if let event = pending {
            pending = nil
            return event
        }
        stalled = false
        while true {
            if warm.pending, let event = nextWarmStart() { return event }
            if feedback != nil {
                switch nextExternal() {
                case .event(let event): return event
                case .again: continue
                case .queue: break
                case .stalled:
                    stalled = true
                    return nil
                }
            }
            guard let entry = queue.popFirst() else {
                return nextClosing()
            }
            if entry.time > GeneratorLimits.virtualTimeLimit {
                // Beyond the clock's bound. A run that ends earlier (its
                // total_duration) stops the same way, at its last event (the
                // stream's bytes stay as they were), but reached no bound.
                if entry.time < horizon { reachTimeLimit() } else { stop(at: lastTime, reason: .horizon) }
                continue
            }
            switch entry.action {
            case .arrival:
                if let event = arrive(stream: Int(entry.payload), at: entry.time) { return event }
            case .send:
                if let ended = send(sessionSlot: entry.payload, at: entry.time) {
                    // A session the context window ended in warm start's burn-in is not part of the run.
                    guard entry.time < 0 else { return emit(.sessionEnded(ended)) }
                    warm.began[entry.payload] = nil
                }
            case .delivery:
                return deliver(slot: entry.payload, at: entry.time)
            case .completion:
                if let event = complete(slot: entry.payload, at: entry.time) { return event }
            case .spawn:
                return startSubagent(slot: entry.payload, at: entry.time)
            }
        }
    }

    // MARK: - Steps

    mutating func scheduleArrival(stream: Int, after time: VirtualNanoseconds) {
        var arrival = arrivals[stream]
        if spec.arrivalMode == .mixture {
            let u = arrival.rng.nextUnit()
            var chosen = 0
            while chosen < cumulativeWeights.count - 1 && u >= cumulativeWeights[chosen] { chosen += 1 }
            arrival.nextProfile = Int32(chosen)
        }
        let gap = profiles[Int(arrival.nextProfile)].drawGap(using: &arrival.rng)
        arrivals[stream] = arrival
        let delay = nanoseconds(fromSeconds: gap)
        let at = loadClocks.isEmpty ? time.saturatingAdd(delay) : loadedArrival(stream: stream, after: delay)
        queue.schedule(.arrival, at: at, payload: Int32(stream))
    }

    mutating func arrive(stream: Int, at time: VirtualNanoseconds) -> Event? {
        guard time < horizon, requestsSent < requestCap else { return nil }
        if sessions.liveCount >= spec.limits.maxOpenSessions {
            reach(.openSessions(limit: spec.limits.maxOpenSessions, time: time), stoppingAt: time, reason: .shutdown)
            return nil
        }
        let profileIndex = arrivals[stream].nextProfile
        scheduleArrival(stream: stream, after: time)

        let profile = profiles[Int(profileIndex)]
        let ordinal = sessionsOpened[Int(profileIndex)]
        sessionsOpened[Int(profileIndex)] += 1
        let identity = profile.sessionIdentity.appending(ordinal)
        var rng = Xoshiro256(seed: identity.combined(with: spec.seed))
        let client = Int32(truncatingIfNeeded: rng.nextBelow(profile.numClients))
        let conversational = rng.nextUnit() < profile.conversationalProbability
        let priority = profile.drawPriority(using: &rng)
        let id = identity.combined(with: sessionIDSeed)
        let session = SessionState(
            id: id, profile: profileIndex, client: client, rng: rng,
            conversational: conversational, priority: priority, startOrder: sessionsStarted)
        sessionsStarted += 1
        let slot = sessions.insert(session)
        if prefixCatalog != nil { openPrefixes(slot: slot, client: client, profile: profile, identity: identity) }
        if profile.agent != nil { setAgentState(slot, AgentState()) }
        let ended = send(sessionSlot: slot, at: time)
        if time < 0 { return beganBeforeRun(slot: slot, at: time) }
        // Turn bands decide it again at turn 1 (a session that ended unsent keeps the arrival's draw).
        let decided = profile.bands.isEmpty ? conversational : sessions.storage[Int(slot)]?.conversational ?? conversational
        let started = emit(.sessionStarted(SessionStartedEvent(
            seq: 0, time: time, sessionID: id, profile: profileIndex, client: client,
            conversational: decided)))
        if let ended { pending = emit(.sessionEnded(ended)) }
        return started
    }

    /// Sends the session's next turn. Returns the session's end (not yet
    /// numbered) when the turn does not fit the context window and nothing
    /// of the session is still in flight.
    mutating func send(sessionSlot slot: Int32, at time: VirtualNanoseconds) -> SessionEndedEvent? {
        guard time < horizon, requestsSent < requestCap else { return nil }
        if inFlight.liveCount >= spec.limits.maxInFlightRequests {
            reach(.inFlightRequests(limit: spec.limits.maxInFlightRequests, time: time), stoppingAt: time, reason: .shutdown)
            return nil
        }
        var session = sessions[slot]
        let profile = profiles[Int(session.profile)]
        if let agent = profile.agent { return sendAgentCall(slot: slot, at: time, profile: profile, agent: agent) }
        let turn = session.turnsSent + 1
        let draws = profile.drawTurn(turn, maxTurns: maxTurns, session: &session)
        guard let request = makeRequest(turn: turn, draws: draws, slot: slot, session: &session, profile: profile,
                                        history: profile.history, followsCompletion: profile.anchoredOnCompletion && turn >= 2, at: time) else {
            return endForContext(slot: slot, session: session, at: time)
        }
        let modeled = profile.service.map {
            modelTimes($0, anchored: profile.anchoredOnCompletion, session: &session, turn: turn, sentAt: time, arrival: request.time,
                       uncachedTokens: request.newInputTokens, outputTokens: draws.output)
        }
        if let gap = draws.followUpGap {
            // A completion-anchored follow-up is scheduled after the completion (see `scheduleModeled`).
            if !profile.anchoredOnCompletion { queue.schedule(.send, at: time.saturatingAdd(nanoseconds(fromSeconds: gap)), payload: slot) }
        } else {
            session.closingReason = draws.closingReason
        }
        sessions[slot] = session
        if time < 0 {
            sentBeforeRun(slot: slot)
        } else {
            let flight = inFlight.insert(request, sessionSlot: slot)
            queue.schedule(.delivery, at: request.time, payload: flight)
            if profile.awaitsExternal { awaitCompletion(of: request, sessionSlot: slot, followUpGap: draws.followUpGap) }
        }
        if let modeled {
            scheduleModeled(modeled, service: profile.service!, anchored: profile.anchoredOnCompletion, request: request,
                            sessionSlot: slot, followUpGap: draws.followUpGap)
        }
        return nil
    }

    /// Turn `turn` of the session in `slot`, sent at `time` with `draws`:
    /// the one place a request is made, for every profile (an agent's call
    /// too). Its prompt carries what `history` keeps of the session (as much
    /// as the window allows), the session's counters move on and the request
    /// gets its prefixes; `followsCompletion`: its `delay_s` counts from the
    /// session's last completion (else it depends on nothing: -1). Nil when the
    /// turn does not fit the window (then only the draws changed `session`).
    /// The caller stores `session` and schedules what follows.
    @inline(__always)
    mutating func makeRequest(turn: Int32, draws: TurnDraws, slot: Int32, session: inout SessionState, profile: ProfileRuntime,
                              history: HistoryMode, followsCompletion: Bool, at time: VirtualNanoseconds) -> RequestEvent? {
        let shared = prefixCatalog == nil ? 0 : sessionPrefixes[Int(slot)].sharedTokens
        let room = profile.window - shared
        let newInput = profile.cutInput && room >= 1 ? Swift.min(draws.newInput, room) : draws.newInput
        guard let prefix = profile.carriedPrefix(turn: turn, newInput: newInput, shared: shared, session: session, history: history)
        else { return nil }
        requestsSent += 1
        if prefixCatalog != nil { updateLineage(slot: slot, profile: profile, turn: turn, kept: prefix, session: session, history: history) }
        let prompt = prefix + newInput
        let payload = Int64((Double(prompt) * bytesPerToken).rounded())
        let arrival = links[profile.link].transfer(bytes: payload, sentAt: time)
        let delay = followsCompletion ? time - session.lastCompletion : -1
        session.turnsSent = turn
        session.lastPrompt = prompt
        session.lastOutput = draws.output
        session.totalPrompt += prompt
        session.totalOutput += draws.output
        var request = RequestEvent(
            seq: 0, time: arrival, sentAt: time, sessionID: session.id, profile: session.profile,
            client: session.client, turn: turn, streaming: draws.streaming,
            newInputTokens: newInput, prefixTokens: prefix, maxOutputTokens: draws.maxOutput,
            outputTokens: draws.output, priority: session.priority, payloadBytes: payload, delay: delay)
        if prefixCatalog != nil { attachPrefixes(to: &request, slot: slot) }
        return request
    }

    /// A turn that does not fit: the session ends with `context_full`, now if
    /// nothing is in flight (at this instant, so that time stays ordered),
    /// else when its last request arrives.
    mutating func endForContext(slot: Int32, session: SessionState, at time: VirtualNanoseconds) -> SessionEndedEvent? {
        var session = session
        guard session.turnsDelivered == session.turnsSent else {
            session.closingReason = .contextFull
            sessions[slot] = session
            return nil
        }
        if session.turnsSent == 0 { session.lastDelivery = time }
        _ = sessions.remove(slot)
        return ended(session, reason: .contextFull, at: time)
    }

    mutating func deliver(slot: Int32, at time: VirtualNanoseconds) -> Event {
        let removed = inFlight.remove(slot)
        let sessionSlot = removed.sessionSlot
        var request = removed.request
        request.seq = numbered(at: request.time)
        let event = Event.request(request)
        sessions[sessionSlot].turnsDelivered += 1
        sessions[sessionSlot].lastDelivery = time
        let session = sessions[sessionSlot]
        if let reason = session.closingReason, session.turnsDelivered == session.turnsSent,
           !profiles[Int(session.profile)].anchoredOnCompletion {
            _ = sessions.remove(sessionSlot)
            pending = emit(.sessionEnded(ended(session, reason: reason, at: time)))
        }
        return event
    }

    func ended(_ session: SessionState, reason: SessionEndReason, at time: VirtualNanoseconds) -> SessionEndedEvent {
        SessionEndedEvent(
            seq: 0, time: time, lastRequestTime: session.lastDelivery, sessionID: session.id,
            profile: session.profile, client: session.client, reason: reason,
            turns: session.turnsDelivered, totalPromptTokens: session.totalPrompt,
            totalOutputTokens: session.totalOutput, subagent: session.subagent)
    }

    /// The next sequence number, for an event at `time` (the clock advances to it).
    @inline(__always)
    mutating func numbered(at time: VirtualNanoseconds) -> UInt64 {
        let seq = nextSeq
        nextSeq += 1
        lastTime = time
        return seq
    }

    /// Numbers the event and advances the clock.
    mutating func emit(_ event: Event) -> Event {
        let seq = numbered(at: event.time)
        switch event {
        case .request(var e):
            e.seq = seq
            return .request(e)
        case .sessionStarted(var e):
            e.seq = seq
            return .sessionStarted(e)
        case .sessionEnded(var e):
            e.seq = seq
            return .sessionEnded(e)
        case .completion(var e):
            e.seq = seq
            return .completion(e)
        }
    }

    /// Once the queue is empty: every session still open ends with the run's
    /// end reason, oldest first, at the instant the run stopped.
    mutating func nextClosing() -> Event? {
        if !finished {
            finished = true
            let end = horizon == .max ? lastTime : Swift.max(horizon, lastTime)
            let open = sessions.liveSlots.sorted { sessions[$0].startOrder > sessions[$1].startOrder }
            for slot in open {
                let session = sessions.remove(slot)
                closing.append(.sessionEnded(ended(session, reason: endReason, at: end)))
            }
        }
        guard let event = closing.popLast() else { return nil }
        return emit(event)
    }
}
