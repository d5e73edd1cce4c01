/// Where a completion-anchored turn's completion comes from when it is not
/// the service model (`feedback`): a service's own `completion` records,
/// handed over with `deliverCompletion`.
///
/// The rule that keeps the stream a function of the completions alone (not of
/// when they arrived): every completion takes effect at its own time, in
/// (time, request) order, after the queue's entries of the same instant,
/// and the engine generates an instant only once no completion still to come
/// can be earlier. A completion not yet handed over is no earlier than the
/// completions' watermark W (`advanceCompletionsFrontier`) nor than its
/// request's arrival; a follow-up comes at least `lookahead` after its
/// completion. So the engine may run to `max(W, earliest unanswered
/// arrival)` (a completion can end its session at its own time: zero
/// lookahead there) and before W + lookahead (no follow-up of a completion
/// still to come is earlier).
extension WorkloadEngine {
    /// What the feedback loop decided about the next step of `next()`.
    enum ExternalStep {
        case event(Event)
        /// Something took effect without an event: look again.
        case again
        /// Take the next entry of the queue.
        case queue
        /// Nothing can be generated until more completions (or a later
        /// watermark) are handed over.
        case stalled
    }

    /// Whether completion-anchored turns wait for completions from outside.
    package var awaitsExternalCompletions: Bool { feedback != nil }

    /// True when `next()` returned nil because it waits for completions (or a
    /// later watermark, or in real time for virtual time to pass), not
    /// because the run is over.
    package var isStalled: Bool { stalled }

    /// Requests awaiting their completion.
    package var awaitingCompletions: Int { feedback?.awaiting.count ?? 0 }

    /// What the feedback did so far.
    package var feedbackCounts: FeedbackCounts { feedback?.counts ?? FeedbackCounts() }

    /// The completions' watermark: every completion with an earlier time has
    /// been handed over (`.max`: all of them).
    package var completionsFrontier: VirtualNanoseconds { feedback?.frontier ?? .max }

    /// Virtual modes: every completion earlier than `time` has been handed over.
    package mutating func advanceCompletionsFrontier(to time: VirtualNanoseconds) {
        guard feedback != nil, time > feedback!.frontier else { return }
        feedback!.frontier = time
    }

    /// Real time: generate only what is due before `time` (the virtual time
    /// now); completions arrive when they do, so the frontier is ignored.
    package mutating func generateOnly(before time: VirtualNanoseconds) {
        guard feedback != nil else { return }
        feedback!.frontier = .max
        feedback!.wallLimit = time
    }

    /// The two bounds of what the engine may generate now (see the type's
    /// comment): `hard`, exclusive for everything (W + lookahead, and in real
    /// time the virtual now); `soft`, the earliest time a completion still to
    /// come can have (max(W, earliest unanswered arrival)): queue entries up
    /// to it (at equal times they come before a completion), held
    /// completions and deadlines before it.
    mutating func generationBounds() -> (hard: VirtualNanoseconds, soft: VirtualNanoseconds) {
        guard feedback != nil, !feedback!.stopped else { return (.max, .max) }
        let w = feedback!.frontier
        let hard = Swift.min(w.saturatingAdd(feedback!.lookahead), feedback!.wallLimit)
        let soft = Swift.max(w, feedback!.earliestUnanswered() ?? .max)
        return (hard, soft)
    }

    /// While waiting: no event still to come is earlier than this (what the
    /// generator may promise on every topic).
    package mutating func eventsPromise() -> VirtualNanoseconds {
        guard feedback != nil, !feedback!.stopped else { return lastTime }
        var promise = generationBounds().soft
        if let first = queue.first { promise = Swift.min(promise, first.time) }
        if let held = feedback!.held.first { promise = Swift.min(promise, held.time) }
        feedback!.dropSpentDeadlines()
        if let deadline = feedback!.deadlines.first { promise = Swift.min(promise, deadline.time) }
        // The sessions still open at the end close at the horizon (or the last event, if later).
        if horizon < .max && sessions.liveCount > 0 { promise = Swift.min(promise, horizon) }
        return Swift.max(promise, lastTime)
    }

    /// The earliest time a request event still to come can have: what the
    /// generator may promise on the requests topic while it waits (a
    /// follow-up of a completion not yet handed over is no earlier than
    /// W + lookahead). `.max` when no request can come any more.
    package var requestsPromise: VirtualNanoseconds {
        guard let state = feedback, !state.stopped else { return lastTime }
        guard maySendRequests else { return .max }
        var promise = state.frontier.saturatingAdd(state.lookahead)
        if let first = queue.first { promise = Swift.min(promise, first.time) }
        if let held = state.held.first { promise = Swift.min(promise, held.time.saturatingAdd(state.lookahead)) }
        // An agent's next call may follow its completion sooner than the lookahead (see `agentFollowUpBound`).
        if agentsAwaitCompletions { promise = Swift.min(promise, state.earliestFollowUp()) }
        return Swift.max(promise, lastTime)
    }

    /// Whether a request event may still come: something in flight, a session
    /// arrival or send before the horizon, or a follow-up of a completion
    /// that could still be sent before it.
    var maySendRequests: Bool {
        guard requestsSent < requestCap else { return inFlight.liveCount > 0 }
        if inFlight.liveCount > 0 { return true }
        if queue.heap.contains(where: { ($0.action == .arrival || $0.action == .send) && $0.time < horizon }) { return true }
        guard let state = feedback, !state.awaiting.isEmpty else { return false }
        // An agent's next call may be sent at its completion.
        let gap = agentsAwaitCompletions ? 0 : state.lookahead
        return state.frontier.saturatingAdd(gap) < horizon || state.held.storage.contains { $0.time.saturatingAdd(gap) < horizon }
    }

    /// Hands over a completion of request (`session`, `turn`): it takes effect
    /// at `time` (the follow-up, or the session's end), or is ignored (the verdict says why).
    package mutating func deliverCompletion(session: UInt64, turn: Int32, time: VirtualNanoseconds, outputTokens: Int64,
                                           status: CompletionStatus) -> CompletionVerdict {
        guard feedback != nil, !feedback!.stopped else { return .unknownRequest }
        let key = CompletionKey(session: session, turn: turn)
        let verdict: CompletionVerdict
        if let awaited = feedback!.awaiting[key] {
            if awaited.answered {
                verdict = .duplicate
            } else if time < awaited.arrival {
                verdict = .beforeArrival
            } else if time > awaited.arrival.saturatingAdd(feedback!.timeout) {
                verdict = .afterTimeout
            } else {
                verdict = .accepted
                feedback!.awaiting[key]!.answered = true
                feedback!.held.insert(HeldCompletion(time: time, key: key, outputTokens: Swift.max(0, outputTokens), status: status))
            }
        } else if let kept = keepEarly(HeldCompletion(time: time, key: key, outputTokens: Swift.max(0, outputTokens), status: status)) {
            return kept
        } else {
            verdict = .unknownRequest
        }
        if verdict == .accepted { feedback!.counts.accepted += 1 } else { feedback!.counts.ignored[verdict, default: 0] += 1 }
        return verdict
    }

    /// The session ID that keys request (`session`, `turn`)'s records, which
    /// a shard owns: the request's own for a root session's call, its tree's
    /// root's for a subagent's (a completion names the subagent). Nil when the
    /// engine holds no such request or session (an early completion whose
    /// subagent has not been generated again yet, after a restart).
    package func keyingSessionID(ofRequest session: UInt64, turn: Int32) -> UInt64? {
        if let awaited = feedback?.awaiting[CompletionKey(session: session, turn: turn)] { return sessions[awaited.sessionSlot].id }
        for case let open? in sessions.storage where open.ownID == session { return open.id }
        return nil
    }

    /// A restart continues from a checkpoint (or from the start) and reads the
    /// completions topic again from the checkpoint's positions. What it reads
    /// there may answer a request the engine has not generated again yet (the
    /// process before the restart had, and the service answered it): until
    /// the engine's time passes `time`, such a completion is kept for its
    /// request, and taken when the request is generated. `time` is the latest
    /// watermark the process before wrote: the service answers no request
    /// before every producer's watermark has passed it, so no later request
    /// of the restarted engine has an answer yet.
    package mutating func holdEarlyCompletions(until time: VirtualNanoseconds) {
        guard feedback != nil else { return }
        feedback!.earlyUntil = Swift.max(feedback!.earlyUntil, time)
    }

    /// Keeps `completion` for a request still to be generated again (see
    /// `holdEarlyCompletions`); nil when it cannot be one.
    mutating func keepEarly(_ completion: HeldCompletion) -> CompletionVerdict? {
        guard lastTime <= feedback!.earlyUntil, completion.time >= lastTime else { return nil }
        guard feedback!.early[completion.key] == nil else {
            feedback!.counts.ignored[.duplicate, default: 0] += 1
            return .duplicate
        }
        feedback!.early[completion.key] = completion
        feedback!.earlyExpiry.insert(KeyedInstant(time: completion.time, key: completion.key))
        return .accepted
    }

    /// The early completions whose time the engine has passed: their request
    /// never came (no request arrives after its completion).
    mutating func expireEarly() {
        while let first = feedback!.earlyExpiry.first, first.time < lastTime {
            feedback!.earlyExpiry.removeFirst()
            guard feedback!.early.removeValue(forKey: first.key) != nil else { continue }
            feedback!.counts.ignored[.unknownRequest, default: 0] += 1
        }
    }

    /// After sending a request of a completion-anchored session: it awaits its
    /// completion, until `timeout` after its arrival.
    mutating func awaitCompletion(of request: RequestEvent, sessionSlot: Int32, followUpGap: Double?) {
        var gap: VirtualNanoseconds = -1
        if let followUpGap {
            gap = nanoseconds(fromSeconds: followUpGap)
            if gap < feedback!.lookahead {
                gap = feedback!.lookahead
                feedback!.counts.raisedThinkTimes += 1
            }
        }
        // A subagent's call is named by its own session ID (its events' `session_id`).
        let key = CompletionKey(session: request.ownSessionID, turn: request.turn)
        feedback!.awaiting[key] = AwaitedRequest(sessionSlot: sessionSlot, arrival: request.time, followUpGap: gap)
        feedback!.unanswered.insert(KeyedInstant(time: request.time, key: key))
        feedback!.deadlines.insert(KeyedInstant(time: request.time.saturatingAdd(feedback!.timeout), key: key))
        if let early = feedback!.early.removeValue(forKey: key) {
            _ = deliverCompletion(session: key.session, turn: key.turn, time: early.time, outputTokens: early.outputTokens, status: early.status)
        }
    }

    /// The next step while completions come from outside: a held completion
    /// or a deadline due before the queue's next entry, the queue, or a stall.
    mutating func nextExternal() -> ExternalStep {
        if !feedback!.early.isEmpty { expireEarly() }
        let (hard, soft) = generationBounds()
        let before = Swift.min(hard, soft)
        let queueTime = queue.first?.time ?? .max
        feedback!.dropSpentDeadlines()
        let deadline = feedback!.deadlines.first?.time ?? .max
        if let held = feedback!.held.first, held.time < queueTime, held.time <= deadline {
            guard held.time < before else { return .stalled }
            feedback!.held.removeFirst()
            return applyCompletion(held).map { .event($0) } ?? .again
        }
        if let first = feedback!.deadlines.first, first.time < queueTime {
            guard first.time < before else { return .stalled }
            feedback!.deadlines.removeFirst()
            return timeOut(first).map { .event($0) } ?? .again
        }
        if queue.isEmpty || (queueTime < hard && queueTime <= soft) { return .queue }
        return .stalled
    }

    /// A held completion takes effect: the session's next turn (or end).
    mutating func applyCompletion(_ completion: HeldCompletion) -> Event? {
        guard let awaited = feedback!.awaiting.removeValue(forKey: completion.key) else { return nil }
        // In real time a completion may come after the engine passed its time: it takes effect now.
        let at = Swift.max(completion.time, lastTime)
        if profiles[Int(sessions[awaited.sessionSlot].profile)].agent != nil {
            return applyAgentCompletion(completion, slot: awaited.sessionSlot, at: at)
        }
        var session = sessions[awaited.sessionSlot]
        session.lastCompletion = completion.time
        // A service may stop early: the history carries what it answered.
        session.totalOutput += completion.outputTokens - session.lastOutput
        session.lastOutput = completion.outputTokens
        sessions[awaited.sessionSlot] = session
        if completion.status != .ok {
            feedback!.counts.endedFailed += 1
            return endAwaited(awaited.sessionSlot, reason: .failed, at: at)
        }
        guard awaited.followUpGap >= 0 else {
            return endAwaited(awaited.sessionSlot, reason: session.closingReason ?? .completed, at: at)
        }
        let due = completion.time.saturatingAdd(awaited.followUpGap)
        // Real time: a record that came after its follow-up was due sends the follow-up at once, late.
        let now = feedback!.wallLimit == .max ? lastTime : Swift.max(lastTime, feedback!.wallLimit - 1)
        if due < now { feedback!.counts.lateFollowUps += 1 }
        if due < lastTime {
            // The send goes out at `lastTime`, not when due: the publish lateness the pacer sees misses this much.
            // (A shard never asks about other shards' follow-ups: the map is bounded, a diagnostic only.)
            if feedback!.sendLags.count >= 65_536 { feedback!.sendLags.removeAll() }
            feedback!.sendLags[CompletionKey(session: completion.key.session, turn: completion.key.turn + 1)] = lastTime - due
        }
        queue.schedule(.send, at: Swift.max(due, lastTime), payload: awaited.sessionSlot)
        return nil
    }

    /// How much later than due the follow-up request (`session`, `turn`) was
    /// sent because its completion came after that (real time); 0 when on time.
    /// Asked once per follow-up, when it is published.
    package mutating func followUpSendLag(session: UInt64, turn: Int32) -> VirtualNanoseconds {
        guard feedback != nil, !feedback!.sendLags.isEmpty else { return 0 }
        return feedback!.sendLags.removeValue(forKey: CompletionKey(session: session, turn: turn)) ?? 0
    }

    /// A deadline passed: a request still unanswered ends its session `no_response`.
    mutating func timeOut(_ deadline: KeyedInstant) -> Event? {
        guard let awaited = feedback!.awaiting[deadline.key], !awaited.answered else { return nil }
        feedback!.awaiting[deadline.key] = nil
        feedback!.counts.endedNoResponse += 1
        let at = Swift.max(deadline.time, lastTime)
        if profiles[Int(sessions[awaited.sessionSlot].profile)].agent != nil {
            return agentCallFailed(slot: awaited.sessionSlot, reason: .noResponse, at: at)
        }
        return endAwaited(awaited.sessionSlot, reason: .noResponse, at: at)
    }

    mutating func endAwaited(_ slot: Int32, reason: SessionEndReason, at time: VirtualNanoseconds) -> Event {
        let session = sessions.remove(slot)
        return emit(.sessionEnded(ended(session, reason: reason, at: time)))
    }

    /// `stop`: nothing is awaited any more; the open sessions close as the run's end says.
    mutating func stopAwaiting() {
        guard feedback != nil else { return }
        feedback!.stopped = true
        feedback!.awaiting.removeAll()
        feedback!.held.removeAll()
        feedback!.deadlines.removeAll()
        feedback!.unanswered.removeAll()
        feedback!.sendLags.removeAll()
        feedback!.early.removeAll()
        feedback!.earlyExpiry.removeAll()
    }
}
