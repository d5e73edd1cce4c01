/// A request's modeled response (`service_model`).
struct ModeledResponse {
    var firstToken: VirtualNanoseconds
    var completion: VirtualNanoseconds
    /// A completion-anchored later turn: nanoseconds since the previous
    /// turn's completion (`delay_s`); -1 otherwise.
    var delay: VirtualNanoseconds
}

/// The service model's part of the engine: each request's modeled first
/// token and completion, the completion-anchored follow-ups timed from them,
/// and the `completion` events.
extension WorkloadEngine {
    /// The modeled times of turn `turn`, arriving at `arrival`. A
    /// completion-anchored session remembers the completion (the next turn's
    /// delay is measured from it).
    @inline(__always)
    func modelTimes(_ service: ServiceRuntime, anchored: Bool, session: inout SessionState, turn: Int32,
                    sentAt: VirtualNanoseconds, arrival: VirtualNanoseconds, uncachedTokens: Int64,
                    outputTokens: Int64) -> ModeledResponse {
        let times = service.times(session: session.id, turn: turn, seed: spec.seed, arrival: arrival,
                                  uncachedTokens: uncachedTokens, outputTokens: outputTokens)
        var delay: VirtualNanoseconds = -1
        if anchored {
            if turn >= 2 { delay = sentAt - session.lastCompletion }
            session.lastCompletion = times.completion
        }
        return ModeledResponse(firstToken: times.firstToken, completion: times.completion, delay: delay)
    }

    /// After the request's delivery is scheduled: its completion (when it is
    /// emitted, or ends a completion-anchored session), then a
    /// completion-anchored follow-up, in that order, so that at equal times
    /// the delivery, the completion and the next send come in causal order.
    mutating func scheduleModeled(_ modeled: ModeledResponse, service: ServiceRuntime, anchored: Bool,
                                  request: RequestEvent, sessionSlot: Int32, followUpGap: Double?) {
        // Burn-in requests are not part of the run, nor are their completions.
        let emits = service.emitCompletions && request.sentAt >= 0
        if emits || (anchored && followUpGap == nil) {
            let event = CompletionEvent(
                seq: 0, time: modeled.completion, firstToken: modeled.firstToken, sessionID: request.sessionID,
                outputTokens: request.outputTokens, profile: request.profile, client: request.client, turn: request.turn)
            let slot = completions.insert(PendingCompletion(event: event, sessionSlot: sessionSlot, emits: emits))
            queue.schedule(.completion, at: modeled.completion, payload: slot)
        }
        if anchored, let followUpGap {
            queue.schedule(.send, at: modeled.completion.saturatingAdd(nanoseconds(fromSeconds: followUpGap)), payload: sessionSlot)
        }
    }

    /// A modeled completion: its event (when emitted) and, for the last turn
    /// of a completion-anchored session, the session's end.
    mutating func complete(slot: Int32, at time: VirtualNanoseconds) -> Event? {
        let completion = completions.remove(slot)
        if profiles[Int(completion.event.profile)].agent != nil { return completeAgentCall(completion, at: time) }
        var end: SessionEndedEvent?
        if profiles[Int(completion.event.profile)].anchoredOnCompletion {
            let session = sessions[completion.sessionSlot]
            if let reason = session.closingReason, completion.event.turn == session.turnsSent {
                _ = sessions.remove(completion.sessionSlot)
                if time < 0 {
                    warm.began[completion.sessionSlot] = nil
                } else {
                    end = ended(session, reason: reason, at: time)
                }
            }
        }
        guard completion.emits else { return end.map { emit(.sessionEnded($0)) } }
        var event = completion.event
        event.seq = numbered(at: time)
        if let end { pending = emit(.sessionEnded(end)) }
        return .completion(event)
    }
}
