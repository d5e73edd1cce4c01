/// The state of one open session, kept in a slab slot until it ends.
///
/// Widest fields first, and within 128 bytes (copied inline, not by
/// `memmove`): the prefix pools' state lives beside it, in
/// `WorkloadEngine.sessionPrefixes`, and only when the workload has pools.
struct SessionState: Sendable {
    var id: UInt64
    /// The session's own stream, derived from (profile, session ordinal).
    var rng: Xoshiro256
    var priority: Int64
    var lastPrompt: Int64 = 0
    var lastOutput: Int64 = 0
    var totalPrompt: Int64 = 0
    var totalOutput: Int64 = 0
    var lastDelivery: VirtualNanoseconds = 0
    /// A completion-anchored session: the modeled completion of its last turn sent.
    var lastCompletion: VirtualNanoseconds = 0
    /// Global order in which sessions started; open sessions close in it.
    var startOrder: UInt64
    var profile: Int32
    var client: Int32
    var turnsSent: Int32 = 0
    var turnsDelivered: Int32 = 0
    /// An agent's subagent: its ordinal in the tree (`id` is the root's); 0 otherwise.
    var subagent: UInt16 = 0
    var conversational: Bool
    /// The turn band of its first prompt: 0 the profile's own law, i the
    /// profile's `turnBands[i - 1]` (see `ProfileRuntime.chooseBand`).
    var band: UInt8 = 0
    /// Set when the last turn has been sent; the session ends when it arrives.
    var closingReason: SessionEndReason?

    init(id: UInt64, profile: Int32, client: Int32, rng: Xoshiro256, conversational: Bool, priority: Int64, startOrder: UInt64) {
        self.id = id
        self.profile = profile
        self.client = client
        self.rng = rng
        self.conversational = conversational
        self.priority = priority
        self.startOrder = startOrder
    }
}

extension SessionState {
    /// The session's own ID (a subagent's is derived from its root's).
    var ownID: UInt64 { AgentLinks.sessionID(root: id, subagent: subagent) }
}

/// The state of one link: when it finishes its current transfers.
struct LinkState: Sendable {
    var latency: VirtualNanoseconds
    var nanosecondsPerByte: Double
    var busyUntil: VirtualNanoseconds = 0

    init(_ link: NetworkLink) {
        latency = nanoseconds(fromSeconds: link.latencySeconds)
        nanosecondsPerByte = 8e9 / link.bandwidthBitsPerSecond
    }

    /// Serialises a transfer FIFO behind earlier ones and returns its arrival time.
    mutating func transfer(bytes: Int64, sentAt: VirtualNanoseconds) -> VirtualNanoseconds {
        let start = Swift.max(sentAt, busyUntil)
        busyUntil = start.saturatingAdd(nanoseconds(fromNanoseconds: Double(bytes) * nanosecondsPerByte))
        return busyUntil.saturatingAdd(latency)
    }
}

/// The longest gap the model represents (about 31 years): heavier tails are
/// kept, but a draw beyond it would overflow the integer clock.
let longestGapNanoseconds: Double = 1e18

func nanoseconds(fromSeconds seconds: Double) -> VirtualNanoseconds {
    nanoseconds(fromNanoseconds: seconds * 1e9)
}

func nanoseconds(fromNanoseconds value: Double) -> VirtualNanoseconds {
    guard value > 0 else { return 0 }
    return VirtualNanoseconds(Swift.min(value, longestGapNanoseconds).rounded())
}

extension VirtualNanoseconds {
    /// Addition that sticks at `Int64.max` ("never") instead of wrapping
    /// around after a run of absurdly long gaps.
    func saturatingAdd(_ other: VirtualNanoseconds) -> VirtualNanoseconds {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
