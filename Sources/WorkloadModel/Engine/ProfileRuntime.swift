/// A profile prepared for the hot path: distributions resolved, identities
/// hashed, probabilities and links looked up once.
///
/// Immutable, and a class so that reaching it costs one reference count,
/// not one per distribution it holds (a copy of a struct with seven
/// distributions retains and releases each of them, and the engine reads a
/// profile several times per event). Being immutable, it is shared safely by
/// copies of the engine, which stays a value.
final class ProfileRuntime: Sendable {
    let interArrival: Distribution
    let promptTokens: Distribution
    let maxOutputTokens: Distribution
    let outputTokens: Distribution?
    let priority: Distribution
    let followUp: Distribution
    let conversationalProbability: Double
    let streamingProbability: Double
    let continuationProbability: Double
    let numClients: UInt64
    let link: Int
    /// Identity of this profile's sessions: ("session", profile name).
    let sessionIdentity: StreamIdentity

    init(_ profile: ClientProfile, interArrival: Distribution, link: Int) {
        self.interArrival = interArrival
        promptTokens = profile.promptTokens
        maxOutputTokens = profile.maxOutputTokens
        outputTokens = profile.outputTokens
        priority = profile.priority
        followUp = profile.followUp
        conversationalProbability = profile.conversationalProbability
        streamingProbability = profile.streamingProbability
        continuationProbability = profile.continuationProbability
        numClients = UInt64(Swift.max(1, profile.numClients))
        self.link = link
        sessionIdentity = StreamIdentity("session", profile.name)
    }
}

/// What a session draws from its own stream for one turn.
struct TurnDraws {
    var newInput: Int64
    var maxOutput: Int64
    var output: Int64
    var streaming: Bool
    /// Seconds until the next turn is sent; nil when this turn is the last.
    var followUpGap: Double?
    /// Why the session ends after this turn (when `followUpGap` is nil).
    var closingReason: SessionEndReason?
}

extension ProfileRuntime {
    /// The draws of turn `turn` of `session`, from the session's stream, in a
    /// fixed order (the stream depends on it): new input, max output, actual
    /// output (when configured), streaming, then whether another turn follows
    /// and after how long.
    @inline(__always)
    func drawTurn(_ turn: Int32, maxTurns: Int32, session: inout SessionState) -> TurnDraws {
        let newInput = Int64(promptTokens.sample(using: &session.rng))
        let maxOutput = Int64(maxOutputTokens.sample(using: &session.rng))
        var output = maxOutput
        if let outputTokens {
            output = Swift.min(maxOutput, Int64(outputTokens.sample(using: &session.rng)))
        }
        let streaming = session.rng.nextUnit() < streamingProbability
        var draws = TurnDraws(newInput: newInput, maxOutput: maxOutput, output: output, streaming: streaming)
        if !session.conversational {
            draws.closingReason = .completed
        } else if turn >= maxTurns {
            draws.closingReason = .maxTurns
        } else if turn == 1 || session.rng.nextUnit() < continuationProbability {
            draws.followUpGap = followUp.sample(using: &session.rng)
        } else {
            draws.closingReason = .completed
        }
        return draws
    }
}

/// One stream of new sessions. Mixture mode has one for all profiles;
/// superposition mode has one per profile.
struct ArrivalStream: Sendable {
    var rng: Xoshiro256
    /// The profile of the next arrival of this stream.
    var nextProfile: Int32

    init(rng: Xoshiro256, nextProfile: Int32) {
        self.rng = rng
        self.nextProfile = nextProfile
    }
}
