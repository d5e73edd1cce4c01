import WorkloadModel
import WorkloadConfig

/// A stream that cannot be written in the chosen format.
package struct ExportError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}

/// Writes request events in a trace format (the "Traces, replay and fit" article): one row
/// per request at its `time_s` (arrival at the service); session and other
/// events are left out (the formats have no place for them), except in `jsonl`.
package struct TraceWriter: Sendable {
    package let format: TraceFormat
    let encoder: EventEncoder
    /// Unix nanoseconds of virtual time zero, for Azure's calendar timestamps.
    let startUnixNanoseconds: Int64

    package init(format: TraceFormat, encoder: EventEncoder) {
        self.format = format
        self.encoder = encoder
        startUnixNanoseconds = encoder.startUnixNanoseconds
    }

    /// The header line, for CSV formats.
    package func header(into out: inout ByteWriter) {
        switch format {
        case .azure: out.append("TIMESTAMP,ContextTokens,GeneratedTokens\n")
        case .burstgpt: out.append("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type,Session ID\n")
        case .agenticMooncake:
            out.append("{\"schema\":\"dynamo.agentic_mooncake\",\"version\":2,\"block_size\":")
            out.append(encoder.prefixCatalog?.blockTokens ?? 0)
            // One namespace for the file: equal IDs are equal content, in any session.
            out.append(",\"hash_id_scope\":\"local\",\"source\":{\"format\":\"llm-workload\",\"digest\":")
            out.append(jsonString: encoder.runID)
            out.append("}}\n")
        case .mooncake, .jsonl: break
        }
    }

    package func write(_ item: ReplayEvent, into out: inout ByteWriter) throws(ExportError) {
        guard case .request(let e) = item.event else {
            if format == .jsonl { encoder.encode(item.event, into: &out) }
            return
        }
        switch format {
        case .jsonl:
            encoder.encode(e, hashIDs: item.hashIDs, into: &out)
        case .mooncake:
            guard encoder.hasHashIDs(item.hashIDs) else {
                throw ExportError(message: "--format mooncake needs hash_ids on every request (a replayed trace that has them, or kv_blocks); request \(e.seq) has none")
            }
            // Milliseconds as integers, as the Mooncake tools expect (rounded half up).
            out.append("{\"timestamp\": ")
            out.append((e.time + 500_000) / 1_000_000)
            out.append(", \"input_length\": ")
            out.append(e.promptTokens)
            out.append(", \"output_length\": ")
            out.append(e.outputTokens)
            encoder.appendHashIDs(item.hashIDs, of: e, opening: ", \"hash_ids\": [", separator: ", ", into: &out)
            out.append("}\n")
        case .agenticMooncake:
            guard encoder.hasHashIDs(item.hashIDs) else {
                throw ExportError(message: "--format agentic-mooncake needs hash_ids on every request (kv_blocks); request \(e.seq) has none")
            }
            AgenticMooncakeRow.write(e, hashIDs: item.hashIDs, encoder: encoder, into: &out)
        case .azure:
            appendAzureTime(startUnixNanoseconds + e.time, into: &out)
            out.append(byte: UInt8(ascii: ","))
            out.append(e.promptTokens)
            out.append(byte: UInt8(ascii: ","))
            out.append(e.outputTokens)
            out.append(byte: UInt8(ascii: "\n"))
        case .burstgpt:
            out.append(seconds: e.time)
            out.append(byte: UInt8(ascii: ","))
            // The request's model when the profile has models (a comma or line break in a name
            // becomes a space: the column is unquoted CSV); "replay" otherwise.
            if let model = encoder.routingTags?.modelName(for: e) {
                out.append(Array(model.utf8).map { $0 == UInt8(ascii: ",") || $0 == 0x0A || $0 == 0x0D ? UInt8(ascii: " ") : $0 })
            } else {
                out.append("replay")
            }
            out.append(byte: UInt8(ascii: ","))
            out.append(e.promptTokens)
            out.append(byte: UInt8(ascii: ","))
            out.append(e.outputTokens)
            out.append(byte: UInt8(ascii: ","))
            out.append(e.promptTokens + e.outputTokens)
            out.append(",Conversation log,")
            out.append(hex: e.sessionID)
            out.append(byte: UInt8(ascii: "\n"))
        }
    }

    /// `YYYY-MM-DD HH:MM:SS.fffffff` (UTC, the 2023 layout's 100 ns digits, rounded).
    func appendAzureTime(_ unixNanoseconds: Int64, into out: inout ByteWriter) {
        let ticks = (unixNanoseconds + 50) / 100
        var seconds = ticks / 10_000_000
        var fraction = ticks % 10_000_000
        if fraction < 0 { fraction += 10_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let date = CivilTime.date(fromDays: days)
        out.append(padded: UInt64(clamping: date.year), width: 4)
        out.append(byte: UInt8(ascii: "-"))
        out.append(padded: UInt64(date.month), width: 2)
        out.append(byte: UInt8(ascii: "-"))
        out.append(padded: UInt64(date.day), width: 2)
        out.append(byte: UInt8(ascii: " "))
        out.append(padded: UInt64(secondOfDay / 3600), width: 2)
        out.append(byte: UInt8(ascii: ":"))
        out.append(padded: UInt64(secondOfDay / 60 % 60), width: 2)
        out.append(byte: UInt8(ascii: ":"))
        out.append(padded: UInt64(secondOfDay % 60), width: 2)
        out.append(byte: UInt8(ascii: "."))
        out.append(padded: UInt64(fraction), width: 7)
    }
}
