/// A service model prepared for the hot path (see `ServiceModel`): a class,
/// like `ProfileRuntime`, so that reaching its distributions costs one
/// reference count.
final class ServiceRuntime: Sendable {
    let timeToFirstToken: Distribution
    let timePerOutputToken: Distribution
    /// Uncached prompt tokens per second; infinite without a prefill rate.
    let prefillTokensPerSecond: Double
    let emitCompletions: Bool

    init(_ model: ServiceModel) {
        timeToFirstToken = model.timeToFirstToken
        timePerOutputToken = model.timePerOutputToken
        prefillTokensPerSecond = model.prefillTokensPerSecond ?? .infinity
        emitCompletions = model.emitCompletions
    }

    /// The purpose part of every request's service-time identity (hashed once).
    static let purpose = StreamIdentity("service-times")

    /// The random stream of one request's service times: its own identity
    /// (the session's ID, the turn, the purpose), so that a service model
    /// moves no other draw of the stream.
    static func stream(session: UInt64, turn: Int32, seed: UInt64) -> Xoshiro256 {
        var identity = purpose
        identity.append(session)
        identity.append(UInt64(UInt32(bitPattern: turn)))
        return Xoshiro256(seed: identity.combined(with: seed))
    }

    /// A request's modeled first token and completion: `arrival` + TTFT
    /// (+ uncached tokens / prefill rate), then + output x TPOT. TTFT is drawn
    /// first, TPOT second, from the request's own stream.
    @inline(__always)
    func times(session: UInt64, turn: Int32, seed: UInt64, arrival: VirtualNanoseconds,
               uncachedTokens: Int64, outputTokens: Int64) -> (firstToken: VirtualNanoseconds, completion: VirtualNanoseconds) {
        var rng = Self.stream(session: session, turn: turn, seed: seed)
        let ttft = timeToFirstToken.sample(using: &rng)
        let tpot = timePerOutputToken.sample(using: &rng)
        let prefill = Double(Swift.max(0, uncachedTokens)) / prefillTokensPerSecond
        let firstToken = arrival.saturatingAdd(nanoseconds(fromSeconds: ttft + prefill))
        return (firstToken, firstToken.saturatingAdd(nanoseconds(fromSeconds: Double(outputTokens) * tpot)))
    }
}

/// A completion still to come, with its session's slot (read only for a
/// completion-anchored session, whose slot lives until its last completion).
struct PendingCompletion: Sendable {
    var event: CompletionEvent
    var sessionSlot: Int32
    /// Whether the event is part of the stream (`emit_completions`, and sent
    /// within the run); else the entry only ends its session.
    var emits: Bool
}
