/// The feedback's part of an engine checkpoint (`feedback`): what awaits a
/// completion, the completions held until their time, the deadlines, the
/// completions' watermark and the counts. Written only when the spec has
/// `externalCompletions`, so that every other checkpoint keeps its layout.
extension CheckpointWriter {
    mutating func externalCompletions(_ state: ExternalCompletionState) {
        array(state.awaiting.sorted { $0.key < $1.key }) { w, entry in
            w.completionKey(entry.key)
            w.i32(entry.value.sessionSlot); w.i64(entry.value.arrival); w.i64(entry.value.followUpGap); w.bool(entry.value.answered)
        }
        array(state.held.storage) { $0.heldCompletion($1) }
        array(state.deadlines.storage) { $0.keyedInstant($1) }
        array(state.unanswered.storage) { $0.keyedInstant($1) }
        array(state.early.values.sorted { $0.key < $1.key }) { $0.heldCompletion($1) }
        array(state.earlyExpiry.storage) { $0.keyedInstant($1) }
        i64(state.frontier); i64(state.wallLimit); i64(state.earlyUntil); bool(state.stopped)
        let counts = state.counts
        for count in [counts.lateFollowUps, counts.raisedThinkTimes, counts.endedNoResponse, counts.endedFailed, counts.accepted] { int(count) }
        for verdict in CompletionVerdict.allCases { int(counts.ignored[verdict] ?? 0) }
    }

    mutating func completionKey(_ key: CompletionKey) {
        u64(key.session); i32(key.turn)
    }

    mutating func heldCompletion(_ held: HeldCompletion) {
        i64(held.time); completionKey(held.key); i64(held.outputTokens); byte(held.status.rawValue)
    }

    mutating func keyedInstant(_ instant: KeyedInstant) {
        i64(instant.time); completionKey(instant.key)
    }
}

extension CheckpointReader {
    /// `state` (fresh from the spec) with the checkpoint's values put back.
    mutating func externalCompletions(_ state: ExternalCompletionState) throws(EngineCheckpointError) -> ExternalCompletionState {
        var state = state
        for _ in 0..<(try count(minimumBytes: 33)) {
            let key = try completionKey()
            let awaited = AwaitedRequest(sessionSlot: try i32(), arrival: try i64(), followUpGap: try i64(), answered: try bool())
            guard awaited.sessionSlot >= 0, awaited.followUpGap >= -1,
                  state.awaiting.updateValue(awaited, forKey: key) == nil
            else { throw EngineCheckpointError("checkpoint corrupt (awaited request)") }
        }
        for held in try array({ (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.heldCompletion() }) { state.held.insert(held) }
        for instant in try array({ (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.keyedInstant() }) { state.deadlines.insert(instant) }
        for instant in try array({ (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.keyedInstant() }) { state.unanswered.insert(instant) }
        for held in try array({ (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.heldCompletion() }) {
            guard state.early.updateValue(held, forKey: held.key) == nil else { throw EngineCheckpointError("checkpoint corrupt (early completion)") }
        }
        for instant in try array({ (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.keyedInstant() }) { state.earlyExpiry.insert(instant) }
        state.frontier = try i64()
        state.wallLimit = try i64()
        state.earlyUntil = try i64()
        state.stopped = try bool()
        state.counts.lateFollowUps = try int()
        state.counts.raisedThinkTimes = try int()
        state.counts.endedNoResponse = try int()
        state.counts.endedFailed = try int()
        state.counts.accepted = try int()
        for verdict in CompletionVerdict.allCases {
            let count = try int()
            if count != 0 { state.counts.ignored[verdict] = count }
        }
        return state
    }

    mutating func completionKey() throws(EngineCheckpointError) -> CompletionKey {
        CompletionKey(session: try u64(), turn: try i32())
    }

    mutating func heldCompletion() throws(EngineCheckpointError) -> HeldCompletion {
        let time = try i64(), key = try completionKey(), output = try i64()
        guard output >= 0, let status = CompletionStatus(rawValue: try byte()) else { throw EngineCheckpointError("checkpoint corrupt (held completion)") }
        return HeldCompletion(time: time, key: key, outputTokens: output, status: status)
    }

    mutating func keyedInstant() throws(EngineCheckpointError) -> KeyedInstant {
        KeyedInstant(time: try i64(), key: try completionKey())
    }
}
