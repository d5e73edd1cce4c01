/// Engine checkpoints (so that a restart continues the run): the engine's mutable state as bytes, and
/// an engine rebuilt from its spec with that state put back. What the spec
/// determines (profiles, links' figures, load shapes, prefix pools) is not
/// stored: it is rebuilt from the configuration, which the daemon checks is
/// unchanged. Restoring and continuing gives exactly the events the engine
/// would have given had it not stopped.
extension WorkloadEngine {
    /// Format version, first after the magic.
    static let checkpointMagic: UInt64 = 0x3350_4B43_574D_4C4C  // "LLMWCKP3"

    /// The seq the next event will carry.
    package var nextSequenceNumber: UInt64 { nextSeq }

    /// The state as bytes.
    package func checkpoint() -> [UInt8] {
        var w = CheckpointWriter()
        checkpoint(into: &w)
        return w.bytes
    }

    /// Appends the state's bytes (those of `checkpoint()`) to `w`: a writer that keeps one buffer
    /// between checkpoints encodes into it directly, with neither a fresh allocation nor a copy.
    package func checkpoint(into w: inout CheckpointWriter) {
        w.bytes.reserveCapacity(w.bytes.count + 256 + 160 * (sessions.liveCount + inFlight.liveCount) + 64 * completions.liveCount
                                + 32 * sessionPrefixes.count + 24 * queue.count)
        w.u64(Self.checkpointMagic)
        w.u64(spec.seed)
        w.array(sessionsOpened) { $0.u64($1) }
        w.array(arrivals) { w, arrival in
            w.rng(arrival.rng)
            w.i32(arrival.nextProfile)
        }
        w.array(links) { $0.i64($1.busyUntil) }
        w.array(queue.heap) { w, entry in
            w.i64(entry.time)
            w.u64(entry.order)
            w.byte(entry.action.rawValue)
            w.i32(entry.payload)
        }
        w.u64(queue.nextOrder)
        w.slab(sessions) { $0.session($1) }
        w.array(sessionPrefixes) { w, prefix in
            w.prefixItems(prefix.items)
            w.i64(prefix.sharedTokens)
            w.i32(prefix.lineageTurn)
        }
        w.slab(inFlight.requests) { $0.request($1) }
        w.array(inFlight.sessionSlots) { $0.i32($1) }
        w.i64(horizon)
        w.int(requestCap)
        w.byte(endReason.rawValue)
        w.int(requestsSent)
        w.u64(sessionsStarted)
        w.u64(nextSeq); w.i64(lastTime)
        w.optional(pending) { $0.event($1) }
        w.array(closing) { $0.event($1) }
        w.bool(finished)
        w.array(loadClocks) { $0.loadClock($1) }
        w.array(operationalTime) { $0.i64($1) }
        w.bool(warm.pending)
        w.array(warm.began.sorted { $0.key < $1.key }) { w, entry in
            w.i32(entry.key)
            w.i64(entry.value)
        }
        w.array(warm.announcements) { $0.event($1) }
        w.optional(boundReached) { w, bound in
            switch bound {
            case .openSessions(let limit, let time): w.byte(0); w.int(limit); w.i64(time)
            case .inFlightRequests(let limit, let time): w.byte(1); w.int(limit); w.i64(time)
            case .virtualTime(let time): w.byte(2); w.i64(time)
            }
        }
        w.slab(completions) { w, pending in
            w.completion(pending.event)
            w.i32(pending.sessionSlot)
            w.bool(pending.emits)
        }
        w.array(agentStates) { $0.agentState($1) }
        if let feedback { w.externalCompletions(feedback) }
        w.u64(Self.checkpointMagic)
    }

    /// The engine of `spec` in the state `bytes` (from `checkpoint()` of an engine of the same spec).
    package init(spec: WorkloadSpec, restoring bytes: [UInt8]) throws(EngineCheckpointError) {
        self.init(spec: spec)
        let start = queue.heap.map(\.time).min()
        var r = CheckpointReader(bytes)
        guard try r.u64() == Self.checkpointMagic else { throw EngineCheckpointError("not an engine checkpoint of this build") }
        guard try r.u64() == spec.seed else { throw EngineCheckpointError("checkpoint is of another seed") }
        try restoreStreams(from: &r)
        try restoreSessions(from: &r)
        try restoreClocks(from: &r)
        completions = try r.slab { (r: inout CheckpointReader) throws(EngineCheckpointError) in
            PendingCompletion(event: try r.completion(), sessionSlot: try r.i32(), emits: try r.bool())
        }
        agentStates = try r.array { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.agentState() }
        if let fresh = feedback {
            feedback = try r.externalCompletions(fresh)
            // An awaited request names its session: it must be open.
            for awaited in feedback!.awaiting.values
            where Int(awaited.sessionSlot) >= sessions.storage.count || sessions.storage[Int(awaited.sessionSlot)] == nil {
                throw EngineCheckpointError("checkpoint corrupt (awaited session)")
            }
        }
        guard try r.u64() == Self.checkpointMagic, r.atEnd else { throw EngineCheckpointError("checkpoint corrupt (trailer)") }
        try checkReferences()
        try checkAgentReferences()
        // Nothing is scheduled before what the run already reached (or, before its first event,
        // before its start): an earlier entry would have it simulate from there, which could take ever.
        let earliest = nextSeq > 0 ? lastTime : Swift.min(start ?? lastTime, lastTime)
        guard queue.heap.allSatisfy({ $0.time >= earliest }) else { throw EngineCheckpointError("checkpoint corrupt (schedule)") }
    }

    /// Sessions opened per profile, the arrival streams, the links and the schedule.
    private mutating func restoreStreams(from r: inout CheckpointReader) throws(EngineCheckpointError) {
        let opened = try r.array { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.u64() }
        guard opened.count == sessionsOpened.count else { throw EngineCheckpointError("checkpoint is of another configuration (profiles)") }
        sessionsOpened = opened
        let restoredArrivals = try r.array { (r: inout CheckpointReader) throws(EngineCheckpointError) in
            ArrivalStream(rng: try r.rng(), nextProfile: try r.i32())
        }
        guard restoredArrivals.count == arrivals.count else { throw EngineCheckpointError("checkpoint is of another configuration (arrival streams)") }
        arrivals = restoredArrivals
        try r.expect(links.count, "network links")
        for index in links.indices { links[index].busyUntil = try r.i64() }
        queue.heap = try r.array { (r: inout CheckpointReader) throws(EngineCheckpointError) in
            let time = try r.i64()
            let order = try r.u64()
            guard let action = ScheduledAction(rawValue: try r.byte()) else { throw EngineCheckpointError("checkpoint corrupt (action)") }
            return ScheduledEntry(time: time, order: order, action: action, payload: try r.i32())
        }
        queue.nextOrder = try r.u64()
    }

    /// Open sessions and their prefixes, requests in flight, counters and the events in hand.
    private mutating func restoreSessions(from r: inout CheckpointReader) throws(EngineCheckpointError) {
        sessions = try r.slab { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.session() }
        sessionPrefixes = try r.array { (r: inout CheckpointReader) throws(EngineCheckpointError) in
            var prefix = SessionPrefix()
            prefix.items = try r.prefixItems()
            prefix.sharedTokens = try r.i64()
            prefix.lineageTurn = try r.i32()
            return prefix
        }
        inFlight.requests = try r.slab { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.request() }
        inFlight.sessionSlots = try r.array { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.i32() }
        guard inFlight.sessionSlots.count == inFlight.requests.storage.count else {
            throw EngineCheckpointError("checkpoint corrupt (in-flight session slots)")
        }
        horizon = try r.i64()
        requestCap = try r.int()
        endReason = try r.reason()
        requestsSent = try r.int()
        sessionsStarted = try r.u64()
        nextSeq = try r.u64()
        lastTime = try r.i64()
        pending = try r.optional { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.event() }
        closing = try r.array { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.event() }
        finished = try r.bool()
    }

    /// The load clocks, operational time, the warm start and the bound reached.
    private mutating func restoreClocks(from r: inout CheckpointReader) throws(EngineCheckpointError) {
        try r.expect(loadClocks.count, "load clocks")
        for index in loadClocks.indices { try r.restore(&loadClocks[index]) }
        let operational = try r.array { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.i64() }
        guard operational.count == operationalTime.count else { throw EngineCheckpointError("checkpoint corrupt (operational time)") }
        operationalTime = operational
        warm.pending = try r.bool()
        warm.began = [:]
        for _ in 0..<(try r.count(minimumBytes: 12)) { warm.began[try r.i32()] = try r.i64() }
        warm.announcements = try r.array { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.event() }
        boundReached = try r.optional { (r: inout CheckpointReader) throws(EngineCheckpointError) -> GeneratorBound in
            switch try r.byte() {
            case 0: return .openSessions(limit: try r.int(), time: try r.i64())
            case 1: return .inFlightRequests(limit: try r.int(), time: try r.i64())
            case 2: return .virtualTime(time: try r.i64())
            default: throw EngineCheckpointError("checkpoint corrupt (bound)")
            }
        }
    }

    /// The restored values name one another (session and request slots,
    /// arrival streams, profiles) and feed arithmetic that traps out of range.
    /// The state directory's checksum keeps a damaged file out; this keeps a
    /// crafted one (or a checksum collision) from trapping later: it is refused.
    func checkReferences() throws(EngineCheckpointError) {
        func corrupt(_ what: String) -> EngineCheckpointError { EngineCheckpointError("checkpoint corrupt (\(what))") }
        func live<T>(_ slab: Slab<T>, _ slot: Int32) -> Bool {
            slot >= 0 && Int(slot) < slab.storage.count && slab.storage[Int(slot)] != nil
        }
        let profileRange = 0..<Int32(profiles.count)
        // Token counts stay far below this; above it a conversion to bytes or a sum could overflow.
        let tokens = Int64(0)...Int64(1 << 52)
        for arrival in arrivals where !profileRange.contains(arrival.nextProfile) { throw corrupt("arrival profile") }
        for session in sessions.storage {
            guard let session else { continue }
            guard profileRange.contains(session.profile), Int(session.band) <= profiles[Int(session.profile)].bands.count,
                  session.client >= 0, session.turnsSent >= 0,
                  (0...session.turnsSent).contains(session.turnsDelivered),
                  [session.lastPrompt, session.lastOutput, session.totalPrompt, session.totalOutput].allSatisfy(tokens.contains)
            else { throw corrupt("session") }
        }
        if prefixCatalog != nil && sessionPrefixes.count < sessions.storage.count { throw corrupt("session prefixes") }
        for prefix in sessionPrefixes where !tokens.contains(prefix.sharedTokens) { throw corrupt("session prefix") }
        for slot in inFlight.requests.storage.indices {
            guard let request = inFlight.requests.storage[slot] else { continue }
            guard live(sessions, inFlight.sessionSlots[slot]) else { throw corrupt("in-flight session slot") }
            try check(.request(request), profiles: profileRange, tokens: tokens)
        }
        // A session has at most one turn scheduled, and none once it is closing (the delivery of its
        // last turn removes it, so a later send would find its slot empty).
        var sending = Set<Int32>()
        for entry in queue.heap {
            switch entry.action {
            case .arrival: guard entry.payload >= 0 && Int(entry.payload) < arrivals.count else { throw corrupt("arrival stream") }
            case .send, .spawn:
                guard live(sessions, entry.payload), sessions[entry.payload].closingReason == nil, sending.insert(entry.payload).inserted
                else { throw corrupt("session slot") }
            case .delivery: guard live(inFlight.requests, entry.payload) else { throw corrupt("in-flight slot") }
            case .completion: guard live(completions, entry.payload) else { throw corrupt("completion slot") }
            }
        }
        for pending in completions.storage {
            guard let pending else { continue }
            try check(.completion(pending.event), profiles: profileRange, tokens: tokens)
            // A completion-anchored session lives until its last completion, which reads it.
            if profiles[Int(pending.event.profile)].anchoredOnCompletion, !live(sessions, pending.sessionSlot) {
                throw corrupt("completion session slot")
            }
        }
        for event in [pending].compactMap({ $0 }) + closing + warm.announcements {
            try check(event, profiles: profileRange, tokens: tokens)
        }
    }

    private func check(_ event: Event, profiles: Range<Int32>, tokens: ClosedRange<Int64>) throws(EngineCheckpointError) {
        let valid: Bool
        switch event {
        case .request(let e):
            valid = profiles.contains(e.profile) && e.turn >= 0 && e.delay >= -1
                && [e.promptTokens, e.newInputTokens, e.prefixTokens, e.maxOutputTokens, e.outputTokens, e.sharedPrefixTokens,
                    e.payloadBytes].allSatisfy(tokens.contains)
        case .sessionStarted(let e): valid = profiles.contains(e.profile)
        case .sessionEnded(let e):
            valid = profiles.contains(e.profile) && e.turns >= 0 && tokens.contains(e.totalPromptTokens) && tokens.contains(e.totalOutputTokens)
        case .completion(let e): valid = profiles.contains(e.profile) && e.turn >= 1 && tokens.contains(e.outputTokens)
        }
        guard valid else { throw EngineCheckpointError("checkpoint corrupt (event)") }
    }
}

extension CheckpointWriter {
    mutating func rng(_ rng: Xoshiro256) {
        u64(rng.s0); u64(rng.s1); u64(rng.s2); u64(rng.s3)
    }

    mutating func slab<T>(_ slab: Slab<T>, _ body: (inout CheckpointWriter, T) -> Void) {
        array(slab.storage) { w, element in w.optional(element, body) }
        array(slab.free) { $0.i32($1) }
        int(slab.liveCount)
    }

    mutating func prefixItems(_ items: PrefixItems) {
        i32(items.count)
        for index in 0..<Int(items.count) { u64(items.packed(index)) }
    }

    mutating func session(_ s: SessionState) {
        // The band shares the conversational byte (bit 0), so a checkpoint without bands keeps its bytes.
        u64(s.id); i32(s.profile); i32(s.client); rng(s.rng); byte(s.band << 1 | (s.conversational ? 1 : 0)); i64(s.priority)
        i32(s.turnsSent); i32(s.turnsDelivered); i64(s.lastPrompt); i64(s.lastOutput); i64(s.totalPrompt)
        i64(s.totalOutput); i64(s.lastDelivery); i64(s.lastCompletion); u64(s.startOrder)
        optional(s.closingReason) { $0.byte($1.rawValue) }
        i32(Int32(s.subagent))
    }

    mutating func request(_ e: RequestEvent) {
        u64(e.seq); i64(e.time); i64(e.sentAt); u64(e.sessionID); i32(e.profile); i32(e.client); i32(e.turn)
        bool(e.streaming); i64(e.newInputTokens); i64(e.prefixTokens); i64(e.maxOutputTokens)
        i64(e.outputTokens); i64(e.priority); i64(e.payloadBytes); i64(e.sharedPrefixTokens)
        prefixItems(e.prefixItems); i32(e.lineageTurn); i64(e.delayOrLinks)
        i32(Int32(e.call)); i32(Int32(e.subagent)); byte(e.toolCalls); byte(e.kind)
    }

    mutating func completion(_ e: CompletionEvent) {
        u64(e.seq); i64(e.time); i64(e.firstToken); u64(e.sessionID); i64(e.outputTokens); i32(e.profile); i32(e.client); i32(e.turn)
        i32(Int32(e.subagent))
    }

    mutating func event(_ event: Event) {
        switch event {
        case .request(let e):
            byte(0)
            request(e)
        case .sessionStarted(let e):
            byte(1)
            u64(e.seq); i64(e.time); u64(e.sessionID); i32(e.profile); i32(e.client); bool(e.conversational)
            optional(e.beganAt) { $0.i64($1) }
            i32(Int32(e.subagent))
        case .sessionEnded(let e):
            byte(2)
            u64(e.seq); i64(e.time); i64(e.lastRequestTime); u64(e.sessionID); i32(e.profile); i32(e.client)
            byte(e.reason.rawValue); i32(e.turns); i64(e.totalPromptTokens); i64(e.totalOutputTokens)
            i32(Int32(e.subagent))
        case .completion(let e):
            byte(3)
            completion(e)
        }
    }

    mutating func loadClock(_ clock: LoadClock) {
        array(clock.paths) { w, path in
            w.rng(path.rng)
            w.int(path.state)
            w.i64(path.switchAt)
        }
        let piece = clock.piece
        i64(piece.start); i64(piece.end); double(piece.length)
        array(piece.derivatives) { w, row in w.array(row) { $0.double($1) } }
        double(piece.c0)
        array(piece.waves) { w, wave in
            w.double(wave.amplitude); w.double(wave.omega); w.double(wave.phase); w.double(wave.atZero)
        }
        double(piece.total)
        i64(clock.lambdaNanoseconds); double(clock.lambdaRemainder); double(clock.x); double(clock.atX); double(clock.slope)
    }
}

extension CheckpointReader {
    mutating func rng() throws(EngineCheckpointError) -> Xoshiro256 {
        let state = (try u64(), try u64(), try u64(), try u64())
        guard state != (0, 0, 0, 0) else { throw EngineCheckpointError("checkpoint corrupt (generator state)") }
        return Xoshiro256(state: state)
    }

    mutating func reason() throws(EngineCheckpointError) -> SessionEndReason {
        guard let reason = SessionEndReason(rawValue: try byte()) else { throw EngineCheckpointError("checkpoint corrupt (end reason)") }
        return reason
    }

    mutating func slab<T>(_ body: (inout CheckpointReader) throws(EngineCheckpointError) -> T) throws(EngineCheckpointError) -> Slab<T> {
        var slab = Slab<T>()
        slab.storage = try array { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.optional(body) }
        slab.free = try array { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.i32() }
        slab.liveCount = try int()
        for slot in slab.free where slot < 0 || Int(slot) >= slab.storage.count || slab.storage[Int(slot)] != nil {
            throw EngineCheckpointError("checkpoint corrupt (free slot \(slot))")
        }
        guard slab.liveCount == slab.storage.count - slab.free.count else { throw EngineCheckpointError("checkpoint corrupt (slab count)") }
        return slab
    }

    mutating func prefixItems() throws(EngineCheckpointError) -> PrefixItems {
        var items = PrefixItems()
        let count = try i32()
        guard (0...4).contains(count) else { throw EngineCheckpointError("checkpoint corrupt (prefix items)") }
        for _ in 0..<count {
            let packed = try u64()
            let pool = Int(packed >> 32), item = Int(packed & 0xFFFF_FFFF)
            guard pool < PrefixItems.poolLimit, item < PrefixItems.itemLimit else { throw EngineCheckpointError("checkpoint corrupt (prefix item)") }
            items.append(pool: pool, item: item)
        }
        return items
    }

    mutating func session() throws(EngineCheckpointError) -> SessionState {
        let (id, profile, client, rng) = (try u64(), try i32(), try i32(), try rng())
        let flags = try byte()
        var s = SessionState(id: id, profile: profile, client: client, rng: rng, conversational: flags & 1 == 1,
                             priority: try i64(), startOrder: 0)
        s.band = flags >> 1
        s.turnsSent = try i32(); s.turnsDelivered = try i32(); s.lastPrompt = try i64(); s.lastOutput = try i64()
        s.totalPrompt = try i64(); s.totalOutput = try i64(); s.lastDelivery = try i64(); s.lastCompletion = try i64(); s.startOrder = try u64()
        s.closingReason = try optional { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.reason() }
        s.subagent = try u16()
        return s
    }

    mutating func request() throws(EngineCheckpointError) -> RequestEvent {
        var e = RequestEvent(
            seq: try u64(), time: try i64(), sentAt: try i64(), sessionID: try u64(), profile: try i32(), client: try i32(),
            turn: try i32(), streaming: try bool(), newInputTokens: try i64(), prefixTokens: try i64(),
            maxOutputTokens: try i64(), outputTokens: try i64(), priority: try i64(), payloadBytes: try i64(),
            sharedPrefixTokens: try i64(), prefixItems: try prefixItems(), lineageTurn: try i32(), delay: try i64())
        e.call = try u16(); e.subagent = try u16(); e.toolCalls = try byte(); e.kind = try byte()
        guard AgentCallKind(rawValue: e.kind) != nil else { throw EngineCheckpointError("checkpoint corrupt (call kind)") }
        return e
    }

    mutating func completion() throws(EngineCheckpointError) -> CompletionEvent {
        var e = CompletionEvent(seq: try u64(), time: try i64(), firstToken: try i64(), sessionID: try u64(), outputTokens: try i64(),
                                profile: try i32(), client: try i32(), turn: try i32())
        e.subagent = try u16()
        return e
    }

    /// A 16-bit value written as an `i32`.
    mutating func u16() throws(EngineCheckpointError) -> UInt16 {
        guard let value = UInt16(exactly: try i32()) else { throw EngineCheckpointError("checkpoint corrupt (16-bit field)") }
        return value
    }

    mutating func event() throws(EngineCheckpointError) -> Event {
        switch try byte() {
        case 0:
            return .request(try request())
        case 1:
            var e = SessionStartedEvent(
                seq: try u64(), time: try i64(), sessionID: try u64(), profile: try i32(), client: try i32(),
                conversational: try bool(), beganAt: try optional { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.i64() })
            e.subagent = try u16()
            return .sessionStarted(e)
        case 2:
            return .sessionEnded(SessionEndedEvent(
                seq: try u64(), time: try i64(), lastRequestTime: try i64(), sessionID: try u64(), profile: try i32(),
                client: try i32(), reason: try reason(), turns: try i32(), totalPromptTokens: try i64(),
                totalOutputTokens: try i64(), subagent: try u16()))
        case 3:
            return .completion(try completion())
        default:
            throw EngineCheckpointError("checkpoint corrupt (event type)")
        }
    }

    mutating func restore(_ clock: inout LoadClock) throws(EngineCheckpointError) {
        try expect(clock.paths.count, "burst paths")
        for index in clock.paths.indices {
            clock.paths[index].rng = try rng()
            clock.paths[index].state = try int()
            clock.paths[index].switchAt = try i64()
            guard clock.paths[index].multipliers.indices.contains(clock.paths[index].state) else {
                throw EngineCheckpointError("checkpoint corrupt (burst state)")
            }
        }
        clock.piece.start = try i64()
        clock.piece.end = try i64()
        clock.piece.length = try double()
        clock.piece.derivatives = Array(try array { (r: inout CheckpointReader) throws(EngineCheckpointError) in
            Array(try r.array { (r: inout CheckpointReader) throws(EngineCheckpointError) in try r.double() })
        })
        clock.piece.c0 = try double()
        clock.piece.waves = Array(try array { (r: inout CheckpointReader) throws(EngineCheckpointError) in
            (amplitude: try r.double(), omega: try r.double(), phase: try r.double(), atZero: try r.double())
        })
        clock.piece.total = try double()
        clock.lambdaNanoseconds = try i64()
        clock.lambdaRemainder = try double()
        clock.x = try double()
        clock.atX = try double()
        clock.slope = try double()
    }
}
