/// What an agent's LLM call is: the `call_kind` field, and what its
/// `depends_on` names.
package enum AgentCallKind: UInt8, Sendable, Equatable {
    /// Not an agent's call (no agent fields).
    case none = 0
    /// The first call of a user turn: carries the user's message; depends on
    /// the previous user turn's last call (after a think time).
    case user
    /// A later call of the root chain, after a tool batch: depends on the call before it.
    case agent
    /// A later call of the root chain after subagents: depends on every
    /// subagent's last call (a join, `delay_s` 0).
    case join
    /// A later call of a subagent's chain, after a tool batch.
    case subagent
    /// A subagent's first call: depends on the root's call that spawned it (`delay_s` 0).
    case subagentStart

    /// The `call_kind` field.
    package var name: String {
        switch self {
        case .none: ""
        case .user: "user"
        case .agent, .join: "agent"
        case .subagent, .subagentStart: "subagent"
        }
    }

    /// A join or a subagent start keeps its dependencies where the delay
    /// would be (its delay is 0).
    var storesLinks: Bool { self == .join || self == .subagentStart }
}

/// The dependencies of a join or a subagent start, in 64 bits (kept inline
/// in the request event). A join: the first subagent's ordinal (16 bits) and
/// the last call (its turn; 0: it sent none) of each of up to four subagents
/// spawned together, 12 bits each. A subagent start: the turn of the root's
/// spawning call.
package struct AgentLinks: Sendable, Equatable {
    package var bits: UInt64

    package init(bits: UInt64) { self.bits = bits }

    /// A join's links.
    package init(firstSubagent: UInt16, lastTurns: [Int32]) {
        var bits = UInt64(firstSubagent) << 48
        for (index, turn) in lastTurns.prefix(4).enumerated() { bits |= UInt64(UInt32(turn) & 0xFFF) << (12 * UInt64(index)) }
        self.bits = bits
    }

    /// A subagent start's link.
    package init(spawningTurn: Int32) { bits = UInt64(UInt32(bitPattern: spawningTurn)) }

    package var firstSubagent: UInt16 { UInt16(truncatingIfNeeded: bits >> 48) }

    /// The last call (turn) of subagent `firstSubagent + index` (0: none).
    package func lastTurn(_ index: Int) -> Int32 { Int32((bits >> (12 * UInt64(index))) & 0xFFF) }

    /// Records subagent `index`'s last call.
    mutating func setLastTurn(_ index: Int, _ turn: Int32) {
        let shift = 12 * UInt64(index)
        bits = bits & ~(0xFFF << shift) | UInt64(UInt32(turn) & 0xFFF) << shift
    }

    package var spawningTurn: Int32 { Int32(truncatingIfNeeded: bits) }

    /// A subagent's own session ID: a function of its root's and its ordinal
    /// (the root's own for ordinal 0), so that events carry the root's ID
    /// (their Kafka key) and the subagent's is derived where it is written.
    @inline(__always)
    package static func sessionID(root: UInt64, subagent: UInt16) -> UInt64 {
        subagent == 0 ? root : SplitMix64.mix(root ^ SplitMix64.mix(UInt64(subagent) | 0xA6E7 << 32))
    }
}
