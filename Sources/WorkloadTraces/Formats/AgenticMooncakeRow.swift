import Foundation
import WorkloadModel

/// One row of Dynamo's agentic Mooncake trace (schema `dynamo.agentic_mooncake`,
/// version 2; the `AgenticMooncakeRow` of Dynamo's replay): a request, its
/// lengths and `hash_ids`, and its dependencies, each a request ID, a trigger
/// (`completion`: it waits for that request's completion), `delay_ms` after
/// it, and a relation (`sequence`: the call or turn before; `join`: a
/// subagent's last call; `spawn`: the call that spawned the subagent). A row
/// without dependencies starts at `not_before_ms` (its send time); a row with
/// them at 0, so that the replayer times it from its dependencies alone.
enum AgenticMooncakeRow {
    static func write(_ e: RequestEvent, hashIDs: [Int64]?, encoder: EventEncoder, into out: inout ByteWriter) {
        out.append("{\"request_id\":\"")
        appendID(e.ownSessionID, e.turn, into: &out)
        out.append("\",\"play_id\":\"")
        out.append(hex: e.sessionID)
        out.append("\",\"session_id\":\"")
        out.append(hex: e.ownSessionID)
        // Each row names its model: the request's (routing tags), else its profile's name.
        out.append("\",\"model\":")
        out.append(jsonString: encoder.routingTags?.modelName(for: e) ?? encoder.profileNames[Int(e.profile)])
        out.append(",\"input_length\":")
        out.append(e.promptTokens)
        out.append(",\"output_length\":")
        out.append(e.outputTokens)
        encoder.appendHashIDs(hashIDs, of: e, opening: ",\"hash_ids\":[", separator: ",", into: &out)
        let dependencies = self.dependencies(of: e)
        out.append(",\"not_before_ms\":")
        appendMilliseconds(dependencies.isEmpty ? e.sentAt : 0, into: &out)
        out.append(",\"dependencies\":[")
        for (index, dependency) in dependencies.enumerated() {
            if index > 0 { out.append(byte: UInt8(ascii: ",")) }
            out.append("{\"request_id\":\"")
            appendID(dependency.session, dependency.turn, into: &out)
            out.append("\",\"trigger\":\"completion\",\"delay_ms\":")
            appendMilliseconds(e.delay, into: &out)
            out.append(",\"relation\":\"")
            out.append(dependency.relation)
            out.append("\"}")
        }
        out.append("]}\n")
    }

    /// The request's `depends_on`, with the relation of each.
    static func dependencies(of e: RequestEvent) -> [(session: UInt64, turn: Int32, relation: StaticString)] {
        switch e.callKind {
        case .join:
            let links = e.agentLinks
            let calls = (0..<4).compactMap { index -> (UInt64, Int32, StaticString)? in
                let turn = links.lastTurn(index)
                guard turn > 0 else { return nil }
                return (AgentLinks.sessionID(root: e.sessionID, subagent: links.firstSubagent &+ UInt16(index)), turn, "join")
            }
            return calls.isEmpty ? [(e.sessionID, e.turn - 1, StaticString("sequence"))] : calls
        case .subagentStart:
            return [(e.sessionID, e.agentLinks.spawningTurn, StaticString("spawn"))]
        default:
            return e.delay >= 0 ? [(e.ownSessionID, e.turn - 1, StaticString("sequence"))] : []
        }
    }

    static func appendID(_ session: UInt64, _ turn: Int32, into out: inout ByteWriter) {
        out.append(hex: session)
        out.append(byte: UInt8(ascii: "-"))
        out.append(Int64(turn))
    }

    /// Nanoseconds as milliseconds with six decimals (exact).
    static func appendMilliseconds(_ nanoseconds: Int64, into out: inout ByteWriter) {
        out.append(nanoseconds / 1_000_000)
        out.append(byte: UInt8(ascii: "."))
        out.append(padded: UInt64(nanoseconds % 1_000_000), width: 6)
    }
}
