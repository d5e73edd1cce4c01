/// One request of a trace, as a parser hands it to the replay engine: the
/// model never reads files, so rows are fed in.
public struct TraceRow: Sendable, Equatable {
    /// The row's timestamp in nanoseconds on the trace's own clock (any
    /// origin: the engine makes it relative to the first row).
    public var timestamp: Int64
    public var promptTokens: Int64
    public var outputTokens: Int64
    /// The trace's own session identity (BurstGPT `Session ID`, our
    /// `session_id`), hashed; `nil` when the trace has none for this row.
    public var sessionKey: UInt64?
    /// Mooncake block hashes, when the trace has them.
    public var hashIDs: [Int64]?

    public init(timestamp: Int64, promptTokens: Int64, outputTokens: Int64, sessionKey: UInt64? = nil, hashIDs: [Int64]? = nil) {
        self.timestamp = timestamp
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.sessionKey = sessionKey
        self.hashIDs = hashIDs
    }
}

/// An event of a replayed stream with the hash_ids its request carries.
public struct ReplayEvent: Sendable, Equatable {
    public var event: Event
    /// Only for requests of rows that had hash_ids.
    public var hashIDs: [Int64]?

    public init(event: Event, hashIDs: [Int64]? = nil) {
        self.event = event
        self.hashIDs = hashIDs
    }
}
