/// Encodes events as JSON objects (see the Event schema article), one per line, straight into bytes.
///
/// Everything that is the same for every event of a profile (its name, the
/// prefix of its client IDs) is escaped once at construction; per event only
/// numbers are formatted. The output is a pure function of the event, so a
/// file, stdout and a Kafka record carry identical bytes.
package struct EventEncoder: Sendable {
    /// Bumped when a field changes meaning or is removed.
    package static let schemaVersion: Int64 = 1

    package let runID: String
    package let seed: UInt64
    /// Unix time (ns) of virtual time zero; anchors the `time` field.
    package private(set) var startUnixNanoseconds: Int64
    /// The profiles' names, by index (for formats that spell them out).
    package let profileNames: [String]

    /// The per-run and per-profile fragments, back to back: `header`, then
    /// each profile's client-ID prefix and profile field.
    let fragments: [UInt8]
    /// `,"schema_version":1,"run_id":"<run>"`.
    let header: Range<Int>
    /// `"<profile>-` per profile (the client ID without its number).
    let clientPrefix: [Range<Int>]
    /// `,"profile":"<profile>"` per profile.
    let profileField: [Range<Int>]
    /// The most bytes one event can take: the fixed text and the longest
    /// numbers (at most 20 digits and a sign each) with the longest fragments.
    package let maximumEventBytes: Int
    /// With pools or `kv_blocks`, request events also carry
    /// `shared_prefix_tokens`, `prefix_ids` (see `PrefixFields`) and `hash_ids`
    /// (see `HashIDsField`).
    package var prefixCatalog: PrefixCatalog?
    /// Tenants, models, adapters, SLO classes, reasoning and image tokens of
    /// request events (`RoutingTagFields`); nil when no profile has any.
    package var routingTags: RoutingTagger?
    /// Each session's last `hash_ids`, for the next request that continues
    /// its prompt (shared by copies of the encoder; never changes a byte).
    let recentHashIDs = RecentHashIDs()

    /// Moves virtual time zero to `unixNanoseconds` (`run` with `clock.start: now` anchors
    /// `time` where pacing begins); every other byte stays as it was.
    package mutating func anchor(atUnixNanoseconds unixNanoseconds: Int64) {
        startUnixNanoseconds = unixNanoseconds
    }

    package init(runID: String, seed: UInt64, startUnixNanoseconds: Int64, profileNames: [String]) {
        self.runID = runID
        self.seed = seed
        self.startUnixNanoseconds = startUnixNanoseconds
        self.profileNames = profileNames
        var writer = ByteWriter(capacity: 256)
        writer.append(",\"schema_version\":")
        writer.append(EventEncoder.schemaVersion)
        writer.append(",\"run_id\":")
        writer.append(jsonString: runID)
        header = 0..<writer.count
        var prefixes: [Range<Int>] = []
        var fields: [Range<Int>] = []
        for name in profileNames {
            let prefixStart = writer.count
            writer.append(jsonString: name)
            writer.removeLast()  // reopen the string for "-<client>"
            writer.append(byte: UInt8(ascii: "-"))
            prefixes.append(prefixStart..<writer.count)
            let fieldStart = writer.count
            writer.append(",\"profile\":")
            writer.append(jsonString: name)
            fields.append(fieldStart..<writer.count)
        }
        fragments = writer.bytes
        clientPrefix = prefixes
        profileField = fields
        let longestProfile = zip(prefixes, fields).map { $0.count + $1.count }.max() ?? 0
        // The fixed text of the longest event (a request) is under 400 bytes and
        // it has 17 numbers of at most 21 characters: 1024 is a safe bound.
        // An agent's join adds up to four dependencies and the agent fields (under 400 bytes).
        maximumEventBytes = 1536 + header.count + longestProfile
    }

    /// Appends the event as one JSON object and a newline.
    package func encode(_ event: Event, into out: inout ByteWriter) {
        switch event {
        case .request(let e): encode(e, into: &out)
        case .sessionStarted(let e): encode(e, into: &out)
        case .sessionEnded(let e): encode(e, into: &out)
        case .completion(let e): encode(e, into: &out)
        }
    }

    /// Runs `body` with room for one event in `out` and the fragments at hand.
    @inline(__always)
    func writeEvent(into out: inout ByteWriter, _ body: (inout ByteCursor, UnsafeRawBufferPointer) -> Void) {
        fragments.withUnsafeBytes { fragments in
            out.write(reserving: maximumEventBytes) { cursor in body(&cursor, fragments) }
        }
    }

    @inline(__always)
    func common(type: StaticString, seq: UInt64, time: VirtualNanoseconds, into out: inout ByteCursor, _ fragments: UnsafeRawBufferPointer) {
        out.append("{\"type\":\"")
        out.append(type)
        out.append(byte: UInt8(ascii: "\""))
        out.append(bytes: UnsafeRawBufferPointer(rebasing: fragments[header]))
        out.append(",\"seq\":")
        out.append(unsigned: seq)
        out.append(",\"time_s\":")
        out.append(seconds: time)
        out.append(",\"time\":\"")
        out.append(rfc3339: startUnixNanoseconds &+ time)
        out.append(byte: UInt8(ascii: "\""))
    }

    /// `request_id`, the session's identity and `turn`: what a request and its completion share.
    @inline(__always)
    func requestIdentity(session: UInt64, turn: Int32, profile: Int32, client: Int32, into out: inout ByteCursor,
                         _ fragments: UnsafeRawBufferPointer) {
        out.append(",\"request_id\":\"")
        out.append(hex: session)
        out.append(byte: UInt8(ascii: "-"))
        out.append(Int64(turn))
        out.append(byte: UInt8(ascii: "\""))
        identity(session: session, profile: profile, client: client, into: &out, fragments)
        out.append(",\"turn\":")
        out.append(Int64(turn))
    }

    @inline(__always)
    func identity(session: UInt64, profile: Int32, client: Int32, into out: inout ByteCursor, _ fragments: UnsafeRawBufferPointer) {
        out.append(",\"session_id\":\"")
        out.append(hex: session)
        out.append("\",\"client_id\":")
        out.append(bytes: UnsafeRawBufferPointer(rebasing: fragments[clientPrefix[Int(profile)]]))
        out.append(Int64(client))
        out.append(byte: UInt8(ascii: "\""))
        out.append(bytes: UnsafeRawBufferPointer(rebasing: fragments[profileField[Int(profile)]]))
    }

    package func encode(_ e: RequestEvent, into writer: inout ByteWriter) {
        encodeRequest(e, hashIDs: nil, into: &writer)
    }

    /// A request; its prefix fields (`PrefixFields`) and `hash_ids`
    /// (`HashIDsField`: `hashIDs`, else its KV blocks) follow today's fields.
    @inline(__always)
    func encodeRequest(_ e: RequestEvent, hashIDs: [Int64]?, into writer: inout ByteWriter) {
        let closed = prefixCatalog == nil && hashIDs == nil && routingTags == nil
        writeEvent(into: &writer) { out, fragments in
            common(type: "request", seq: e.seq, time: e.time, into: &out, fragments)
            requestIdentity(session: e.ownSessionID, turn: e.turn, profile: e.profile, client: e.client, into: &out, fragments)
            out.append(",\"is_conversational_turn\":")
            out.append(e.isConversationalTurn)
            out.append(",\"prompt_tokens\":")
            out.append(e.promptTokens)
            out.append(",\"new_input_tokens\":")
            out.append(e.newInputTokens)
            out.append(",\"prefix_tokens\":")
            out.append(e.prefixTokens)
            out.append(",\"max_output_tokens\":")
            out.append(e.maxOutputTokens)
            out.append(",\"output_tokens\":")
            out.append(e.outputTokens)
            out.append(",\"streaming\":")
            out.append(e.streaming)
            out.append(",\"priority\":")
            out.append(e.priority)
            out.append(",\"payload_bytes\":")
            out.append(e.payloadBytes)
            out.append(",\"sent_at_s\":")
            out.append(seconds: e.sentAt)
            if e.dependsOnPreviousTurn {
                // Sent `delay_s` after the previous turn's completion: a
                // consumer may re-time it against its own completions.
                out.append(",\"depends_on\":[\"")
                out.append(hex: e.sessionID)
                out.append(byte: UInt8(ascii: "-"))
                out.append(Int64(e.turn) - 1)
                out.append("\"],\"delay_s\":")
                out.append(seconds: e.delay)
            } else if e.kind != 0 {
                AgentFields.append(e, into: &out)
            }
            if closed { out.append("}\n") }
        }
        guard !closed else { return }
        if let prefixCatalog { PrefixFields.encode(e, catalog: prefixCatalog, into: &writer) }
        HashIDsField.append(hashIDs, of: e, catalog: prefixCatalog, recent: recentHashIDs, opening: ",\"hash_ids\":[", separator: ",",
                            into: &writer)
        routingTags?.encode(e, into: &writer)
        writer.append("}\n")
    }

    package func encode(_ e: SessionStartedEvent, into writer: inout ByteWriter) {
        writeEvent(into: &writer) { out, fragments in
            common(type: "session_started", seq: e.seq, time: e.time, into: &out, fragments)
            identity(session: AgentLinks.sessionID(root: e.sessionID, subagent: e.subagent), profile: e.profile, client: e.client,
                     into: &out, fragments)
            if e.subagent != 0 { AgentFields.appendTree(root: e.sessionID, into: &out) }
            out.append(",\"conversational\":")
            out.append(e.conversational)
            out.append(",\"seed\":")
            out.append(unsigned: seed)
            if let began = e.beganAt {
                // warm_start: a session in progress when the run began.
                out.append(",\"began_before_run\":true,\"began_at_s\":")
                out.append(seconds: began)
            }
            out.append("}\n")
        }
    }

    package func encode(_ e: SessionEndedEvent, into writer: inout ByteWriter) {
        writeEvent(into: &writer) { out, fragments in
            common(type: "session_ended", seq: e.seq, time: e.time, into: &out, fragments)
            identity(session: AgentLinks.sessionID(root: e.sessionID, subagent: e.subagent), profile: e.profile, client: e.client,
                     into: &out, fragments)
            if e.subagent != 0 { AgentFields.appendTree(root: e.sessionID, into: &out) }
            out.append(",\"reason\":\"")
            switch e.reason {
            case .completed: out.append("completed")
            case .maxTurns: out.append("max_turns")
            case .horizon: out.append("horizon")
            case .shutdown: out.append("shutdown")
            case .contextFull: out.append("context_full")
            case .noResponse: out.append("no_response")
            case .failed: out.append("failed")
            }
            out.append("\",\"turns\":")
            out.append(Int64(e.turns))
            out.append(",\"total_prompt_tokens\":")
            out.append(e.totalPromptTokens)
            out.append(",\"total_output_tokens\":")
            out.append(e.totalOutputTokens)
            out.append(",\"last_request_time_s\":")
            out.append(seconds: e.lastRequestTime)
            out.append("}\n")
        }
    }

    /// A request's modeled completion: the fields a simulator's own completion
    /// records carry too (a modeled one is always `ok`).
    package func encode(_ e: CompletionEvent, into writer: inout ByteWriter) {
        writeEvent(into: &writer) { out, fragments in
            common(type: "completion", seq: e.seq, time: e.time, into: &out, fragments)
            requestIdentity(session: AgentLinks.sessionID(root: e.sessionID, subagent: e.subagent), turn: e.turn, profile: e.profile,
                            client: e.client, into: &out, fragments)
            if e.subagent != 0 { AgentFields.appendTree(root: e.sessionID, into: &out) }
            out.append(",\"first_token_s\":")
            out.append(seconds: e.firstToken)
            out.append(",\"output_tokens\":")
            out.append(e.outputTokens)
            switch e.status {
            case .ok: out.append(",\"status\":\"ok\"}\n")
            case .error: out.append(",\"status\":\"error\"}\n")
            case .rejected: out.append(",\"status\":\"rejected\"}\n")
            }
        }
    }

    /// A watermark: the producer `shard` of `shards` sends no later event on
    /// `partition` of `topic` with `time_s` below `time`. It carries `after_seq`
    /// (the last data event emitted before it) instead of a `seq` of its own,
    /// so data events keep consecutive numbers. `final`: that producer's
    /// stream on the partition has ended (nothing at all follows).
    package func encodeWatermark(time: VirtualNanoseconds, afterSeq: UInt64?, topic: String, partition: Int32,
                                shard: Int32 = 0, shards: Int32 = 1, final: Bool = false, into writer: inout ByteWriter) {
        writeControl("{\"type\":\"watermark\"", afterSeq: afterSeq, topic: topic, into: &writer) { out in
            out.append(",\"time_s\":")
            out.append(seconds: time)
            appendPlacement(time: time, topic: topic, partition: partition, shard: shard, shards: shards, into: &out)
            if final { out.append(",\"final\":true") }
            out.append("}\n")
        }
    }

    /// The `skipped` marker of `clock.on_resume: skip`: the producer `shard` of
    /// `shards` publishes no event after `after_seq` with `time_s` below `to`
    /// on `partition` of `topic` (they fell due while it was down; `from` is the
    /// time of the last event published before the stop). Like a watermark it
    /// carries no `seq` of its own and is not a data event.
    package func encodeSkipped(from: VirtualNanoseconds, to: VirtualNanoseconds, afterSeq: UInt64?, topic: String,
                              partition: Int32, shard: Int32, shards: Int32, into writer: inout ByteWriter) {
        writeControl("{\"type\":\"skipped\"", afterSeq: afterSeq, topic: topic, into: &writer) { out in
            out.append(",\"from_time_s\":")
            out.append(seconds: from)
            out.append(",\"to_time_s\":")
            out.append(seconds: to)
            out.append(",\"time_s\":")
            out.append(seconds: to)
            appendPlacement(time: to, topic: topic, partition: partition, shard: shard, shards: shards, into: &out)
            out.append("}\n")
        }
    }

    /// A record that is not a data event: `opening`, the run header, `after_seq` if any, then `body`.
    @inline(__always)
    private func writeControl(_ opening: StaticString, afterSeq: UInt64?, topic: String, into writer: inout ByteWriter,
                              _ body: (inout ByteCursor) -> Void) {
        let room = maximumEventBytes + ByteCursor.maximumJSONStringBytes(topic)
        fragments.withUnsafeBytes { fragments in
            writer.write(reserving: room) { out in
                out.append(opening)
                out.append(bytes: UnsafeRawBufferPointer(rebasing: fragments[header]))
                if let afterSeq {
                    out.append(",\"after_seq\":")
                    out.append(unsigned: afterSeq)
                }
                body(&out)
            }
        }
    }

    /// `,"time":"<RFC 3339>","topic":...,"partition":...,"shard":...,"shards":...`.
    @inline(__always)
    private func appendPlacement(time: VirtualNanoseconds, topic: String, partition: Int32, shard: Int32, shards: Int32,
                                 into out: inout ByteCursor) {
        out.append(",\"time\":\"")
        out.append(rfc3339: startUnixNanoseconds &+ time)
        out.append("\",\"topic\":")
        out.append(jsonString: topic)
        out.append(",\"partition\":")
        out.append(Int64(partition))
        out.append(",\"shard\":")
        out.append(Int64(shard))
        out.append(",\"shards\":")
        out.append(Int64(shards))
    }
}
