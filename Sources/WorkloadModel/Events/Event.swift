/// Virtual time in integer nanoseconds since the run's virtual start. Integer
/// time keeps ordering exact and the stream identical on every machine.
@usableFromInline package typealias VirtualNanoseconds = Int64

/// Why a session ended (the `session_ended` event's `reason`).
package enum SessionEndReason: UInt8, Sendable, Equatable, CaseIterable {
    case completed
    case maxTurns
    case horizon
    case shutdown
    /// The next turn's prompt would exceed the context window (or the
    /// 10^9-token bound) and `on_context_full` is `end`, or nothing fits.
    case contextFull
    /// `feedback`: no completion came for a request within `timeout_s` of its arrival.
    case noResponse
    /// `feedback`: the service answered a request with `status` `error` or `rejected`.
    case failed

    /// The name used in events.
    package var name: String {
        switch self {
        case .completed: "completed"
        case .maxTurns: "max_turns"
        case .horizon: "horizon"
        case .shutdown: "shutdown"
        case .contextFull: "context_full"
        case .noResponse: "no_response"
        case .failed: "failed"
        }
    }
}

/// A request as it arrives at the service. All identities are numbers here;
/// the encoder turns them into strings, so the model never allocates per event.
///
/// Stored fields are laid out widest first and kept within 127 bytes (an
/// `Event` within 128), the size the compiler still copies inline: beyond
/// it every copy of an event is a `memmove` call. See `EventLayoutTests`.
package struct RequestEvent: Sendable, Equatable {
    package var seq: UInt64
    /// Arrival at the service.
    package var time: VirtualNanoseconds
    /// Client send time.
    package var sentAt: VirtualNanoseconds
    package var sessionID: UInt64
    package var newInputTokens: Int64
    package var prefixTokens: Int64
    package var maxOutputTokens: Int64
    package var outputTokens: Int64
    package var payloadBytes: Int64
    /// `delay` for a request that depends on its own session's previous
    /// turn; for an agent's join or a subagent's first call, its
    /// dependencies (`AgentLinks`), and the delay is 0.
    var delayOrLinks: Int64
    /// Prefix pools: the prefix items used.
    package var prefixItems: PrefixItems
    package var profile: Int32
    package var client: Int32
    /// 1-based. For an agent session, the request's ordinal in the session
    /// (every LLM call is one), so that `request_id` stays `<session>-<turn>`.
    package var turn: Int32
    /// `sharedPrefixTokens` (at most 4 items of at most 10^9 tokens each).
    var sharedTokens: UInt32
    /// The turn whose prompt began the session content's lineage
    /// (0: none, without prefix pools or KV blocks); see `lineage`.
    package var lineageTurn: Int32
    /// `priority` (a priority's magnitude is at most 10^9).
    var storedPriority: Int32
    /// Agent sessions: the call's index within its chain (0-based).
    package var call: UInt16 = 0
    /// Agent sessions: 0 for the root session of an agent tree, else the
    /// subagent's ordinal within it (`sessionID` is the root's, so that a
    /// whole tree has one Kafka key; see `ownSessionID`).
    package var subagent: UInt16 = 0
    /// Agent sessions: the size of the tool batch whose results this call carries.
    package var toolCalls: UInt8 = 0
    /// `AgentCallKind`'s raw value (0: not an agent's call).
    var kind: UInt8 = 0
    package var streaming: Bool

    init(
        seq: UInt64, time: VirtualNanoseconds, sentAt: VirtualNanoseconds, sessionID: UInt64,
        profile: Int32, client: Int32, turn: Int32, streaming: Bool,
        newInputTokens: Int64, prefixTokens: Int64, maxOutputTokens: Int64, outputTokens: Int64,
        priority: Int64, payloadBytes: Int64,
        sharedPrefixTokens: Int64 = 0, prefixItems: PrefixItems = .none, lineageTurn: Int32 = 0,
        delay: VirtualNanoseconds = -1
    ) {
        self.seq = seq
        self.time = time
        self.sentAt = sentAt
        self.sessionID = sessionID
        self.profile = profile
        self.client = client
        self.turn = turn
        self.streaming = streaming
        self.delayOrLinks = delay
        self.newInputTokens = newInputTokens
        self.prefixTokens = prefixTokens
        self.maxOutputTokens = maxOutputTokens
        self.outputTokens = outputTokens
        self.storedPriority = Int32(clamping: priority)
        self.payloadBytes = payloadBytes
        self.prefixItems = prefixItems
        self.sharedTokens = UInt32(sharedPrefixTokens)
        self.lineageTurn = lineageTurn
    }

    /// Tokens from prefix pools (part of `prefixTokens`).
    package var sharedPrefixTokens: Int64 {
        get { Int64(sharedTokens) }
        set { sharedTokens = UInt32(newValue) }
    }

    /// The session content's lineage (for `hash_ids`), a function of
    /// the session and the turn that began it; 0 without one.
    package var lineage: UInt64 {
        lineageTurn == 0 ? 0 : BlockHashes.lineage(session: ownSessionID, turn: lineageTurn)
    }

    /// The session's priority.
    package var priority: Int64 {
        get { Int64(storedPriority) }
        set { storedPriority = Int32(clamping: newValue) }
    }

    /// Nanoseconds from the completion of what this request depends on to
    /// its send (`delay_s`); -1 for a request that depends on nothing.
    package var delay: VirtualNanoseconds {
        get { callKind.storesLinks ? 0 : delayOrLinks }
        set { delayOrLinks = newValue }
    }

    /// What kind of agent call this is (`none` outside agent profiles).
    package var callKind: AgentCallKind {
        get { AgentCallKind(rawValue: kind) ?? .none }
        set { kind = newValue.rawValue }
    }

    /// The join's or subagent start's dependencies.
    package var agentLinks: AgentLinks {
        get { AgentLinks(bits: UInt64(bitPattern: delayOrLinks)) }
        set { delayOrLinks = Int64(bitPattern: newValue.bits) }
    }

    /// The request's own session: the root's ID, or the subagent's.
    package var ownSessionID: UInt64 { AgentLinks.sessionID(root: sessionID, subagent: subagent) }

    package var isConversationalTurn: Bool { turn >= 2 }

    /// The whole prompt: the carried prefix and the new input. Computed, not
    /// stored, to keep the event within the size the compiler copies inline.
    package var promptTokens: Int64 { prefixTokens &+ newInputTokens }

    /// Whether this turn waits for the previous turn's completion (`depends_on`).
    package var dependsOnPreviousTurn: Bool { delayOrLinks >= 0 && kind == 0 }
}

/// A request's modeled completion (`emit_completions`), at `time`.
package struct CompletionEvent: Sendable, Equatable {
    package var seq: UInt64
    /// The completion: the last output token.
    package var time: VirtualNanoseconds
    /// The first output token (absolute virtual time).
    package var firstToken: VirtualNanoseconds
    package var sessionID: UInt64
    package var outputTokens: Int64
    package var profile: Int32
    package var client: Int32
    /// The request's turn (its ID is the session's and this).
    package var turn: Int32
    /// How the service answered (`ok` unless a service says otherwise).
    package var status: CompletionStatus = .ok
    /// An agent's subagent: its ordinal in the tree (`sessionID` is the root's); 0 otherwise.
    package var subagent: UInt16 = 0

    package init(seq: UInt64, time: VirtualNanoseconds, firstToken: VirtualNanoseconds, sessionID: UInt64,
                outputTokens: Int64, profile: Int32, client: Int32, turn: Int32) {
        self.seq = seq
        self.time = time
        self.firstToken = firstToken
        self.sessionID = sessionID
        self.outputTokens = outputTokens
        self.profile = profile
        self.client = client
        self.turn = turn
    }
}

package struct SessionStartedEvent: Sendable, Equatable {
    package var seq: UInt64
    /// Send time of turn 1.
    package var time: VirtualNanoseconds
    package var sessionID: UInt64
    package var profile: Int32
    package var client: Int32
    package var conversational: Bool
    /// An agent's subagent: its ordinal in the tree (`sessionID` is the root's); 0 otherwise.
    package var subagent: UInt16 = 0
    /// With `warm_start`: when a session in progress at time 0 really began
    /// (before the run; the event itself is at time 0). `nil` otherwise.
    package var beganAt: VirtualNanoseconds? = nil
}

package struct SessionEndedEvent: Sendable, Equatable {
    package var seq: UInt64
    /// Arrival of the last request; for `horizon` and `shutdown`, the instant
    /// the run stopped (so the stream stays ordered by time).
    package var time: VirtualNanoseconds
    /// Arrival of the last request.
    package var lastRequestTime: VirtualNanoseconds
    package var sessionID: UInt64
    package var profile: Int32
    package var client: Int32
    package var reason: SessionEndReason
    package var turns: Int32
    package var totalPromptTokens: Int64
    package var totalOutputTokens: Int64
    /// An agent's subagent: its ordinal in the tree (`sessionID` is the root's); 0 otherwise.
    package var subagent: UInt16 = 0
}

/// One event of the stream, in emission order (non-decreasing `time`).
package enum Event: Sendable, Equatable {
    case request(RequestEvent)
    case sessionStarted(SessionStartedEvent)
    case sessionEnded(SessionEndedEvent)
    case completion(CompletionEvent)

    // The accessors below are inlinable: the publishing loop reads them for every record, from
    // another module, where a call each would cost more than the switch.
    @inlinable
    package var seq: UInt64 {
        switch self {
        case .request(let e): e.seq
        case .sessionStarted(let e): e.seq
        case .sessionEnded(let e): e.seq
        case .completion(let e): e.seq
        }
    }

    @inlinable
    package var time: VirtualNanoseconds {
        switch self {
        case .request(let e): e.time
        case .sessionStarted(let e): e.time
        case .sessionEnded(let e): e.time
        case .completion(let e): e.time
        }
    }

    @inlinable
    package var sessionID: UInt64 {
        switch self {
        case .request(let e): e.sessionID
        case .sessionStarted(let e): e.sessionID
        case .sessionEnded(let e): e.sessionID
        case .completion(let e): e.sessionID
        }
    }

    @inlinable
    package var profile: Int32 {
        switch self {
        case .request(let e): e.profile
        case .sessionStarted(let e): e.profile
        case .sessionEnded(let e): e.profile
        case .completion(let e): e.profile
        }
    }
}

/// How a service answered a request (a `completion` record's `status`).
package enum CompletionStatus: UInt8, Sendable, Equatable, CaseIterable {
    case ok
    case error
    case rejected

    /// The name used in records.
    package var name: String {
        switch self {
        case .ok: "ok"
        case .error: "error"
        case .rejected: "rejected"
        }
    }

    /// The status named `name`, or nil.
    package init?(name: some Collection<UInt8>) {
        guard let status = Self.allCases.first(where: { $0.name.utf8.elementsEqual(name) }) else { return nil }
        self = status
    }
}
