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
        return state.frontier.saturatingAdd(state.lookahead) < horizon || state.held.storage.contains { $0.time.saturatingAdd(state.lookahead) < horizon }
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
        } else {
            verdict = .unknownRequest
        }
        if verdict == .accepted { feedback!.counts.accepted += 1 } else { feedback!.counts.ignored[verdict, default: 0] += 1 }
        return verdict
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
        let key = CompletionKey(session: request.sessionID, turn: request.turn)
        feedback!.awaiting[key] = AwaitedRequest(sessionSlot: sessionSlot, arrival: request.time, followUpGap: gap)
        feedback!.unanswered.insert(KeyedInstant(time: request.time, key: key))
        feedback!.deadlines.insert(KeyedInstant(time: request.time.saturatingAdd(feedback!.timeout), key: key))
    }

    /// The next step while completions come from outside: a held completion
    /// or a deadline due before the queue's next entry, the queue, or a stall.
    mutating func nextExternal() -> ExternalStep {
        let (hard, soft) = generationBounds()
        let before = Swift.min(hard, soft)
        let queueTime = queue.first?.time ?? .max
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
        if due < lastTime { feedback!.counts.lateFollowUps += 1 }
        queue.schedule(.send, at: Swift.max(due, lastTime), payload: awaited.sessionSlot)
        return nil
    }

    /// A deadline passed: a request still unanswered ends its session `no_response`.
    mutating func timeOut(_ deadline: KeyedInstant) -> Event? {
        guard let awaited = feedback!.awaiting[deadline.key], !awaited.answered else { return nil }
        feedback!.awaiting[deadline.key] = nil
        feedback!.counts.endedNoResponse += 1
        return endAwaited(awaited.sessionSlot, reason: .noResponse, at: Swift.max(deadline.time, lastTime))
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
    }
}
