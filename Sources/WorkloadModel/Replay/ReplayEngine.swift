/// Turns trace rows into the event stream: one request per row arriving at
/// its timestamp relative to the first row, divided by `time_scale` (the
/// traces time requests at the service), sent earlier by the workload's
/// network link; sessions from the trace where it has them.
///
/// It is a value with no I/O: the caller feeds rows with `accept`, drains
/// `next()`, and calls `endPass` at the end of the file (then `beginPass` to
/// loop) or `finish` to close the run.
package struct ReplayEngine: Sendable {
    package struct Settings: Sendable, Equatable {
        package var timeScale: Double = 1
        package var seed: UInt64 = 0
        package var network = NetworkLink()
        package var bytesPerToken: Double = 2
        package var accumulate = true
        /// Tokens per hash_ids block (Mooncake: 512), for later-turn detection.
        package var blockTokens: Int64 = 512
        /// Sends at or after this instant are not made.
        package var horizon: VirtualNanoseconds = .max
        package var requestCap: Int = .max
        package init() {}
    }

    struct OpenSession: Sendable {
        var id: UInt64
        var turns: Int32 = 0
        var totalPrompt: Int64 = 0
        var totalOutput: Int64 = 0
        var lastPrompt: Int64 = 0
        var lastOutput: Int64 = 0
        var lastArrival: VirtualNanoseconds = 0
        var startOrder: Int
    }

    package let settings: Settings
    let link: LinkState
    var heap = ReplayHeap()
    /// Events up to this time are final (no later row can precede them).
    var readyUntil: VirtualNanoseconds = .min
    var nextSeq: UInt64 = 0
    var pass: UInt64 = 0
    var origin: Int64?
    var offset: VirtualNanoseconds = 0
    var lastTime: VirtualNanoseconds = 0
    var lastArrival: VirtualNanoseconds = 0
    var sessionsThisPass: UInt64 = 0
    var open: [Int: OpenSession] = [:]
    var keyed: [UInt64: Int] = [:]
    var chains: HashChainSessions
    package private(set) var requestsSent = 0
    /// True once a row fell at or after the horizon or the request cap was reached.
    package private(set) var reachedEnd = false

    package init(settings: Settings) {
        self.settings = settings
        link = LinkState(settings.network)
        chains = HashChainSessions(blockTokens: settings.blockTokens)
    }

    /// Sessions begun and not yet ended.
    package var openSessions: Int { open.count }

    /// The arrival time of the last accepted row.
    package var virtualTime: VirtualNanoseconds { lastTime }

    /// Feeds the next row of the trace (in file order, timestamps not
    /// decreasing). Returns false once the run's horizon or request cap is
    /// reached: stop feeding and call `finish`.
    package mutating func accept(_ row: TraceRow) -> Bool {
        guard !reachedEnd else { return false }
        let first = origin ?? row.timestamp
        origin = first
        let relative = row.timestamp &- first
        let scaled = settings.timeScale == 1 ? relative : Int64((Double(relative) / settings.timeScale).rounded())
        let time = offset.saturatingAdd(scaled)
        guard time < settings.horizon, requestsSent < settings.requestCap else {
            reachedEnd = true
            return false
        }
        requestsSent += 1
        lastTime = time
        readyUntil = time

        let persistent = row.sessionKey != nil || row.hashIDs != nil
        let payload = Int64((Double(row.promptTokens) * settings.bytesPerToken).rounded())
        let sentAt = sendTime(arriving: time, bytes: payload)
        let index = session(for: row, at: time)
        if let ids = row.hashIDs { chains.record(ids, promptTokens: row.promptTokens, session: index) }

        var session = open[index]!
        let turn = session.turns + 1
        var prefix: Int64 = 0
        if settings.accumulate && turn > 1 {
            prefix = Swift.min(row.promptTokens - 1, session.lastPrompt + session.lastOutput)
        }
        let arrival = time
        lastArrival = Swift.max(lastArrival, arrival)
        let request = RequestEvent(
            seq: 0, time: arrival, sentAt: sentAt, sessionID: session.id, profile: 0, client: 0, turn: turn,
            streaming: false, newInputTokens: row.promptTokens - prefix,
            prefixTokens: prefix, maxOutputTokens: Swift.max(row.outputTokens, 1), outputTokens: row.outputTokens,
            priority: 0, payloadBytes: payload)
        heap.push(ReplayEvent(event: .request(request), hashIDs: row.hashIDs))
        session.turns = turn
        session.totalPrompt += row.promptTokens
        session.totalOutput += row.outputTokens
        session.lastPrompt = row.promptTokens
        session.lastOutput = row.outputTokens
        session.lastArrival = arrival
        if persistent {
            open[index] = session
        } else {
            open[index] = nil
            heap.push(ReplayEvent(event: .sessionEnded(ended(session, reason: .completed, at: arrival))))
        }
        return true
    }

    /// When a request of `bytes` left the client to arrive at `arrival`: the
    /// link's latency and serialisation earlier (the trace's rows do not
    /// queue behind one another: each was on time), never before 0.
    func sendTime(arriving arrival: VirtualNanoseconds, bytes: Int64) -> VirtualNanoseconds {
        let transfer = link.latency.saturatingAdd(nanoseconds(fromNanoseconds: Double(bytes) * link.nanosecondsPerByte))
        return Swift.max(0, arrival - transfer)
    }

    /// The open session `row` continues (by its session key, or the hash_ids
    /// chain it extends), or a new one started at `time`.
    private mutating func session(for row: TraceRow, at time: VirtualNanoseconds) -> Int {
        var slot: Int?
        if let key = row.sessionKey {
            slot = keyed[key]
        } else if let ids = row.hashIDs {
            slot = chains.session(continuedBy: ids)
        }
        if let slot, open[slot] != nil { return slot }
        let index = Int(sessionsThisPass)
        let identity = StreamIdentity("replay-session").appending(pass).appending(sessionsThisPass)
        sessionsThisPass += 1
        let id = identity.combined(with: settings.seed)
        open[index] = OpenSession(id: id, startOrder: index)
        if let key = row.sessionKey { keyed[key] = index }
        let persistent = row.sessionKey != nil || row.hashIDs != nil
        heap.push(ReplayEvent(event: .sessionStarted(SessionStartedEvent(
            seq: 0, time: time, sessionID: id, profile: 0, client: 0, conversational: persistent))))
        return index
    }

    /// The next event that no later row can precede, or `nil` (feed more rows).
    package mutating func next() -> ReplayEvent? {
        guard let time = heap.firstTime, time <= readyUntil, var item = heap.pop() else { return nil }
        let seq = nextSeq
        nextSeq += 1
        switch item.event {
        case .request(var e): e.seq = seq; item.event = .request(e)
        case .sessionStarted(var e): e.seq = seq; item.event = .sessionStarted(e)
        case .sessionEnded(var e): e.seq = seq; item.event = .sessionEnded(e)
        case .completion(var e): e.seq = seq; item.event = .completion(e)
        }
        return item
    }

    /// The end of one pass over the trace: its sessions end (`completed`) when
    /// its last request arrives. Returns the pass's span (last arrival - first).
    @discardableResult
    package mutating func endPass() -> VirtualNanoseconds {
        closeOpenSessions(reason: .completed, at: lastArrival)
        return lastTime - offset
    }

    /// Starts another pass: shifted by the previous pass's span, with fresh
    /// session IDs.
    package mutating func beginPass() {
        pass += 1
        offset = lastTime
        origin = nil
        sessionsThisPass = 0
        keyed.removeAll(keepingCapacity: true)
        chains.removeAll()
    }

    /// Ends the run: sessions still open end with `reason` once every request
    /// has arrived; every pending event becomes ready.
    package mutating func finish(reason: SessionEndReason = .horizon) {
        let end = settings.horizon == .max || !reachedEnd ? lastArrival : Swift.max(settings.horizon, lastArrival)
        closeOpenSessions(reason: reachedEnd ? reason : .completed, at: end)
        readyUntil = .max
    }

    mutating func closeOpenSessions(reason: SessionEndReason, at time: VirtualNanoseconds) {
        for session in open.values.sorted(by: { $0.startOrder < $1.startOrder }) {
            heap.push(ReplayEvent(event: .sessionEnded(ended(session, reason: reason, at: time))))
        }
        open.removeAll(keepingCapacity: true)
    }

    func ended(_ session: OpenSession, reason: SessionEndReason, at time: VirtualNanoseconds) -> SessionEndedEvent {
        SessionEndedEvent(
            seq: 0, time: time, lastRequestTime: session.lastArrival, sessionID: session.id, profile: 0, client: 0,
            reason: reason, turns: session.turns, totalPromptTokens: session.totalPrompt,
            totalOutputTokens: session.totalOutput)
    }
}
