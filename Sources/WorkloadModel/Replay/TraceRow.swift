/// One request of a trace, as a parser hands it to the replay engine: the
/// model never reads files, so rows are fed in.
package struct TraceRow: Sendable, Equatable {
    /// The row's timestamp in nanoseconds on the trace's own clock (any
    /// origin: the engine makes it relative to the first row).
    package var timestamp: Int64
    package var promptTokens: Int64
    package var outputTokens: Int64
    /// The trace's own session identity (BurstGPT `Session ID`, our
    /// `session_id`), hashed; `nil` when the trace has none for this row.
    package var sessionKey: UInt64?
    /// Mooncake block hashes, when the trace has them.
    package var hashIDs: [Int64]?

    package init(timestamp: Int64, promptTokens: Int64, outputTokens: Int64, sessionKey: UInt64? = nil, hashIDs: [Int64]? = nil) {
        self.timestamp = timestamp
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.sessionKey = sessionKey
        self.hashIDs = hashIDs
    }
}

/// An event of a replayed stream with the hash_ids its request carries.
package struct ReplayEvent: Sendable, Equatable {
    package var event: Event
    /// Only for requests of rows that had hash_ids.
    package var hashIDs: [Int64]?

    package init(event: Event, hashIDs: [Int64]? = nil) {
        self.event = event
        self.hashIDs = hashIDs
    }
}
