/// A request's identity as a completion names it: its session and turn
/// (`request_id` is `<session_id>-<turn>`).
package struct CompletionKey: Hashable, Sendable, Comparable {
    package var session: UInt64
    package var turn: Int32

    package init(session: UInt64, turn: Int32) {
        self.session = session
        self.turn = turn
    }

    package static func < (a: CompletionKey, b: CompletionKey) -> Bool { (a.session, a.turn) < (b.session, b.turn) }
}

/// What the engine did with a completion handed to it.
package enum CompletionVerdict: String, Sendable, Equatable, CaseIterable {
    /// Held; it takes effect at its time.
    case accepted
    /// No request of this run awaits it (never sent, already answered or timed out).
    case unknownRequest = "unknown_request"
    /// A completion for this request is already held.
    case duplicate
    /// Its time is before the request's arrival at the service.
    case beforeArrival = "before_arrival"
    /// Its time is after the request's deadline (`timeout_s` after its arrival): the session ends `no_response`.
    case afterTimeout = "after_timeout"
}

/// A request that awaits its completion from outside.
struct AwaitedRequest: Sendable {
    var sessionSlot: Int32
    var arrival: VirtualNanoseconds
    /// Nanoseconds from the completion to the follow-up's send (the think
    /// time, at least the lookahead); -1 when this turn is the session's last.
    /// An agent's call: the least time from its completion to the arrival of
    /// a request it leads to (`agentFollowUpBound`).
    var followUpGap: VirtualNanoseconds
    /// A completion for it is held (it takes effect at its time).
    var answered = false
}

/// A completion handed to the engine, held until the engine reaches its time.
struct HeldCompletion: Sendable, Comparable {
    var time: VirtualNanoseconds
    var key: CompletionKey
    var outputTokens: Int64
    var status: CompletionStatus

    static func < (a: HeldCompletion, b: HeldCompletion) -> Bool { (a.time, a.key) < (b.time, b.key) }
    static func == (a: HeldCompletion, b: HeldCompletion) -> Bool { a.time == b.time && a.key == b.key }
}

/// An instant keyed by a request: a deadline, or an unanswered request's arrival.
struct KeyedInstant: Sendable, Comparable {
    var time: VirtualNanoseconds
    var key: CompletionKey

    static func < (a: KeyedInstant, b: KeyedInstant) -> Bool { (a.time, a.key) < (b.time, b.key) }
    static func == (a: KeyedInstant, b: KeyedInstant) -> Bool { a.time == b.time && a.key == b.key }
}

/// Counts of what the feedback did, for metrics and the closing summary.
package struct FeedbackCounts: Sendable, Equatable {
    /// Follow-ups sent later than `completion + delay` (real time: the completion's record came after that).
    package var lateFollowUps = 0
    /// Think times raised to `lookahead_s` (virtual modes).
    package var raisedThinkTimes = 0
    package var endedNoResponse = 0
    package var endedFailed = 0
    package var accepted = 0
    /// Completions ignored, by verdict.
    package var ignored: [CompletionVerdict: Int] = [:]

    package init() {}
}

/// The engine's state while completions come from outside (`feedback`).
///
/// Every completion takes effect at its own virtual time, in (time, request)
/// order, never in the order it arrived: the engine only goes past an instant
/// once no completion still to come can be earlier (see `generationBounds`).
struct ExternalCompletionState: Sendable {
    let timeout: VirtualNanoseconds
    let lookahead: VirtualNanoseconds
    var awaiting: [CompletionKey: AwaitedRequest] = [:]
    var held = MinHeap<HeldCompletion>()
    var deadlines = MinHeap<KeyedInstant>()
    /// Arrivals of the requests with no completion held (stale entries are skipped).
    var unanswered = MinHeap<KeyedInstant>()
    /// Every completion earlier than this has been handed over (the
    /// completions topic's watermark; `.max` in real time).
    var frontier: VirtualNanoseconds = .min
    /// Real time: nothing at or after this (virtual "now") is generated yet.
    var wallLimit: VirtualNanoseconds = .max
    /// Real time: follow-ups (keyed by their own request) sent after they
    /// were due, and by how much (see `followUpSendLag`).
    var sendLags: [CompletionKey: VirtualNanoseconds] = [:]
    /// `stop` was asked for: nothing is awaited any more.
    var stopped = false
    /// After a restart (`holdEarlyCompletions`): completions of requests the
    /// engine has not generated again yet, each kept until the engine passes
    /// its time (no request arrives after its own completion).
    var early: [CompletionKey: HeldCompletion] = [:]
    /// The early completions' times (entries already matched are skipped).
    var earlyExpiry = MinHeap<KeyedInstant>()
    /// While the engine's time is at most this, a completion of a request it
    /// has not generated is kept for it (`.min`: never, as on a first start).
    var earlyUntil: VirtualNanoseconds = .min
    var counts = FeedbackCounts()

    init(_ external: ExternalCompletions) {
        timeout = external.timeout
        lookahead = external.lookahead
    }

    /// Drops the deadlines of requests answered or gone from the top: they
    /// end nothing, and in real time the engine would wait for the wall clock
    /// to reach them (up to `timeout_s` after the run's last request).
    mutating func dropSpentDeadlines() {
        while let top = deadlines.first, awaiting[top.key].map(\.answered) ?? true { deadlines.removeFirst() }
    }

    /// The earliest arrival of a request whose completion is still unknown.
    mutating func earliestUnanswered() -> VirtualNanoseconds? {
        while let top = unanswered.first {
            if let awaited = awaiting[top.key], !awaited.answered { return top.time }
            unanswered.removeFirst()
        }
        return nil
    }
}
