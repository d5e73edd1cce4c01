/// The fields of an agent's request (see the Agents article): its
/// dependencies and delay, `call` (0-based within its chain), `call_kind`,
/// `tool_calls`, and for a subagent `parent_session_id` and
/// `root_session_id`. Absent outside agent profiles.
enum AgentFields {
    @inline(__always)
    static func append(_ e: RequestEvent, into out: inout ByteCursor) {
        let kind = e.callKind
        switch kind {
        case .join:
            let links = e.agentLinks
            out.append(",\"depends_on\":[")
            var first = true
            for index in 0..<4 {
                let turn = links.lastTurn(index)
                guard turn > 0 else { continue }
                if !first { out.append(byte: UInt8(ascii: ",")) }
                first = false
                let ordinal = links.firstSubagent &+ UInt16(index)
                requestID(session: AgentLinks.sessionID(root: e.sessionID, subagent: ordinal), turn: turn, into: &out)
            }
            // No subagent sent a call (none fitted its window): the join waits for the spawning call.
            if first { requestID(session: e.sessionID, turn: e.turn - 1, into: &out) }
            out.append("],\"delay_s\":")
            out.append(seconds: 0)
        case .subagentStart:
            out.append(",\"depends_on\":[")
            requestID(session: e.sessionID, turn: e.agentLinks.spawningTurn, into: &out)
            out.append("],\"delay_s\":")
            out.append(seconds: 0)
        default:
            if e.delay >= 0 {
                out.append(",\"depends_on\":[")
                requestID(session: e.ownSessionID, turn: e.turn - 1, into: &out)
                out.append("],\"delay_s\":")
                out.append(seconds: e.delay)
            }
        }
        out.append(",\"call\":")
        out.append(Int64(e.call))
        out.append(",\"call_kind\":\"")
        switch kind {
        case .user: out.append("user")
        case .subagent, .subagentStart: out.append("subagent")
        default: out.append("agent")
        }
        out.append("\",\"tool_calls\":")
        out.append(Int64(e.toolCalls))
        if e.subagent != 0 { appendTree(root: e.sessionID, into: &out) }
    }

    /// `"<session>-<turn>"`.
    @inline(__always)
    static func requestID(session: UInt64, turn: Int32, into out: inout ByteCursor) {
        out.append(byte: UInt8(ascii: "\""))
        out.append(hex: session)
        out.append(byte: UInt8(ascii: "-"))
        out.append(Int64(turn))
        out.append(byte: UInt8(ascii: "\""))
    }

    /// A subagent's tree: its parent is its root (subagents do not spawn).
    @inline(__always)
    static func appendTree(root: UInt64, into out: inout ByteCursor) {
        out.append(",\"parent_session_id\":\"")
        out.append(hex: root)
        out.append("\",\"root_session_id\":\"")
        out.append(hex: root)
        out.append(byte: UInt8(ascii: "\""))
    }
}
