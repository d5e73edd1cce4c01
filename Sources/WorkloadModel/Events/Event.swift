/// Virtual time in integer nanoseconds since the run's virtual start. Integer
/// time keeps ordering exact and the stream identical on every machine.
public typealias VirtualNanoseconds = Int64

/// Why a session ended (the `session_ended` event's `reason`).
public enum SessionEndReason: UInt8, Sendable, Equatable, CaseIterable {
    case completed
    case maxTurns
    case horizon
    case shutdown
    /// The next turn's prompt would exceed the context window (or the
    /// 10^9-token bound) and `on_context_full` is `end`, or nothing fits.
    case contextFull

    /// The name used in events.
    public var name: String {
        switch self {
        case .completed: "completed"
        case .maxTurns: "max_turns"
        case .horizon: "horizon"
        case .shutdown: "shutdown"
        case .contextFull: "context_full"
        }
    }
}

/// A request as it arrives at the service. All identities are numbers here;
/// the encoder turns them into strings, so the model never allocates per event.
///
/// Stored fields are laid out widest first and kept within 127 bytes (an
/// `Event` within 128), the size the compiler still copies inline: beyond
/// it every copy of an event is a `memmove` call. See `EventLayoutTests`.
public struct RequestEvent: Sendable, Equatable {
    public var seq: UInt64
    /// Arrival at the service.
    public var time: VirtualNanoseconds
    /// Client send time.
    public var sentAt: VirtualNanoseconds
    public var sessionID: UInt64
    public var newInputTokens: Int64
    public var prefixTokens: Int64
    public var maxOutputTokens: Int64
    public var outputTokens: Int64
    public var payloadBytes: Int64
    /// `delay` for a request that depends on its own session's previous
    /// turn; for an agent's join or a subagent's first call, its
    /// dependencies (`AgentLinks`), and the delay is 0.
    var delayOrLinks: Int64
    /// Prefix pools: the prefix items used.
    public var prefixItems: PrefixItems
    public var profile: Int32
    public var client: Int32
    /// 1-based. For an agent session, the request's ordinal in the session
    /// (every LLM call is one), so that `request_id` stays `<session>-<turn>`.
    public var turn: Int32
    /// `sharedPrefixTokens` (at most 4 items of at most 10^9 tokens each).
    var sharedTokens: UInt32
    /// The turn whose prompt began the session content's lineage
    /// (0: none, without prefix pools or KV blocks); see `lineage`.
    public var lineageTurn: Int32
    /// `priority` (a priority's magnitude is at most 10^9).
    var storedPriority: Int32
    /// Agent sessions: the call's index within its chain (0-based).
    public var call: UInt16 = 0
    /// Agent sessions: 0 for the root session of an agent tree, else the
    /// subagent's ordinal within it (`sessionID` is the root's, so that a
    /// whole tree has one Kafka key; see `ownSessionID`).
    public var subagent: UInt16 = 0
    /// Agent sessions: the size of the tool batch whose results this call carries.
    public var toolCalls: UInt8 = 0
    /// `AgentCallKind`'s raw value (0: not an agent's call).
    var kind: UInt8 = 0
    public var streaming: Bool

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
    public var sharedPrefixTokens: Int64 {
        get { Int64(sharedTokens) }
        set { sharedTokens = UInt32(newValue) }
    }

    /// The session content's lineage (for `hash_ids`), a function of
    /// the session and the turn that began it; 0 without one.
    public var lineage: UInt64 {
        lineageTurn == 0 ? 0 : BlockHashes.lineage(session: ownSessionID, turn: lineageTurn)
    }

    /// The session's priority.
    public var priority: Int64 {
        get { Int64(storedPriority) }
        set { storedPriority = Int32(clamping: newValue) }
    }

    /// Nanoseconds from the completion of what this request depends on to
    /// its send (`delay_s`); -1 for a request that depends on nothing.
    public var delay: VirtualNanoseconds {
        get { callKind.storesLinks ? 0 : delayOrLinks }
        set { delayOrLinks = newValue }
    }

    /// What kind of agent call this is (`none` outside agent profiles).
    public var callKind: AgentCallKind {
        get { AgentCallKind(rawValue: kind) ?? .none }
        set { kind = newValue.rawValue }
    }

    /// The join's or subagent start's dependencies.
    public var agentLinks: AgentLinks {
        get { AgentLinks(bits: UInt64(bitPattern: delayOrLinks)) }
        set { delayOrLinks = Int64(bitPattern: newValue.bits) }
    }

    /// The request's own session: the root's ID, or the subagent's.
    public var ownSessionID: UInt64 { AgentLinks.sessionID(root: sessionID, subagent: subagent) }

    public var isConversationalTurn: Bool { turn >= 2 }

    /// The whole prompt: the carried prefix and the new input. Computed, not
    /// stored, to keep the event within the size the compiler copies inline.
    public var promptTokens: Int64 { prefixTokens &+ newInputTokens }

    /// Whether this turn waits for the previous turn's completion (`depends_on`).
    public var dependsOnPreviousTurn: Bool { delayOrLinks >= 0 && kind == 0 }
}

/// A request's modeled completion (`emit_completions`), at `time`.
public struct CompletionEvent: Sendable, Equatable {
    public var seq: UInt64
    /// The completion: the last output token.
    public var time: VirtualNanoseconds
    /// The first output token (absolute virtual time).
    public var firstToken: VirtualNanoseconds
    public var sessionID: UInt64
    public var outputTokens: Int64
    public var profile: Int32
    public var client: Int32
    /// The request's turn (its ID is the session's and this).
    public var turn: Int32
    /// An agent's subagent: its ordinal in the tree (`sessionID` is the root's); 0 otherwise.
    public var subagent: UInt16 = 0

    public init(seq: UInt64, time: VirtualNanoseconds, firstToken: VirtualNanoseconds, sessionID: UInt64,
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

public struct SessionStartedEvent: Sendable, Equatable {
    public var seq: UInt64
    /// Send time of turn 1.
    public var time: VirtualNanoseconds
    public var sessionID: UInt64
    public var profile: Int32
    public var client: Int32
    public var conversational: Bool
    /// An agent's subagent: its ordinal in the tree (`sessionID` is the root's); 0 otherwise.
    public var subagent: UInt16 = 0
    /// With `warm_start`: when a session in progress at time 0 really began
    /// (before the run; the event itself is at time 0). `nil` otherwise.
    public var beganAt: VirtualNanoseconds? = nil
}

public struct SessionEndedEvent: Sendable, Equatable {
    public var seq: UInt64
    /// Arrival of the last request; for `horizon` and `shutdown`, the instant
    /// the run stopped (so the stream stays ordered by time).
    public var time: VirtualNanoseconds
    /// Arrival of the last request.
    public var lastRequestTime: VirtualNanoseconds
    public var sessionID: UInt64
    public var profile: Int32
    public var client: Int32
    public var reason: SessionEndReason
    public var turns: Int32
    public var totalPromptTokens: Int64
    public var totalOutputTokens: Int64
    /// An agent's subagent: its ordinal in the tree (`sessionID` is the root's); 0 otherwise.
    public var subagent: UInt16 = 0
}

/// One event of the stream, in emission order (non-decreasing `time`).
public enum Event: Sendable, Equatable {
    case request(RequestEvent)
    case sessionStarted(SessionStartedEvent)
    case sessionEnded(SessionEndedEvent)
    case completion(CompletionEvent)

    public var seq: UInt64 {
        switch self {
        case .request(let e): e.seq
        case .sessionStarted(let e): e.seq
        case .sessionEnded(let e): e.seq
        case .completion(let e): e.seq
        }
    }

    public var time: VirtualNanoseconds {
        switch self {
        case .request(let e): e.time
        case .sessionStarted(let e): e.time
        case .sessionEnded(let e): e.time
        case .completion(let e): e.time
        }
    }

    public var sessionID: UInt64 {
        switch self {
        case .request(let e): e.sessionID
        case .sessionStarted(let e): e.sessionID
        case .sessionEnded(let e): e.sessionID
        case .completion(let e): e.sessionID
        }
    }

    public var profile: Int32 {
        switch self {
        case .request(let e): e.profile
        case .sessionStarted(let e): e.profile
        case .sessionEnded(let e): e.profile
        case .completion(let e): e.profile
        }
    }
}
