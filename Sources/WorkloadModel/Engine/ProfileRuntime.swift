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
    /// Conversations: new input of later turns, continuation by depth (the last
    /// element repeats; one element is `continuationProbability`), history,
    /// the window (never above the 10^9 bound) and the input-output copula.
    let followUpInput: Distribution
    /// `follow_up_input_scale_by_turn`: factors on turn 2, 3, ...'s new input (the last repeats); empty: none.
    let inputScale: ContiguousArray<Double>
    let continuation: ContiguousArray<Double>
    let history: HistoryMode
    let window: Int64
    let truncate: Bool
    /// `cut_input_to_window`: new input cut to what fits beside the shared prefixes.
    let cutInput: Bool
    let copula: CorrelatedLengths?
    /// Turn laws by first-prompt size (empty: the profile's own for every session).
    let bands: ContiguousArray<TurnBand>
    let numClients: UInt64
    let link: Int
    /// Identity of this profile's sessions: ("session", profile name).
    let sessionIdentity: StreamIdentity
    /// The shared prefixes of every prompt.
    let prefixes: ContiguousArray<PrefixUse>
    /// The service model timing this profile's requests; nil: none (no modeled times).
    let service: ServiceRuntime?
    /// `follow_up_after: completion`: the follow-up gap is a think time after the completion.
    let anchoredOnCompletion: Bool
    /// Completion-anchored, with completions from outside (`feedback`), not from the service model.
    let awaitsExternal: Bool
    /// Agent sessions (`agent`); nil: none.
    let agent: AgentRuntime?

    init(_ profile: ClientProfile, interArrival: Distribution, link: Int, accumulate: Bool, service: ServiceModel?,
         external: Bool = false) {
        self.interArrival = interArrival
        promptTokens = profile.promptTokens
        maxOutputTokens = profile.maxOutputTokens
        outputTokens = profile.outputTokens
        priority = profile.priority
        followUp = profile.followUp
        conversationalProbability = profile.conversationalProbability
        streamingProbability = profile.streamingProbability
        continuationProbability = profile.continuationProbability
        let model = profile.conversation
        followUpInput = model.followUpInput ?? profile.promptTokens
        inputScale = ContiguousArray(model.followUpInputScale)
        continuation = ContiguousArray(model.continuationByDepth ?? [profile.continuationProbability])
        history = profile.history(accumulate: accumulate)
        window = model.effectiveWindow
        truncate = model.onContextFull == .truncate
        cutInput = model.cutInputToWindow
        copula = model.inputOutputCorrelation == 0 ? nil : CorrelatedLengths(profile)
        bands = ContiguousArray(model.turnBands)
        numClients = UInt64(Swift.max(1, profile.numClients))
        self.link = link
        sessionIdentity = StreamIdentity("session", profile.name)
        prefixes = ContiguousArray(profile.prefixes)
        awaitsExternal = external && profile.followUpAfter == .completion
        // Its completions are the service's own: the model neither times nor emits them.
        self.service = awaitsExternal ? nil : service.map(ServiceRuntime.init)
        anchoredOnCompletion = profile.followUpAfter == .completion && (service != nil || awaitsExternal)
        agent = profile.agent.map(AgentRuntime.init)
    }
}

extension ProfileRuntime {
    /// A session's priority. Sampled here, where the distribution is stored:
    /// read from outside the class it is copied first (129 bytes, a memcpy
    /// and reference counting per draw).
    @inline(__always)
    func drawPriority(using rng: inout Xoshiro256) -> Int64 {
        Int64(priority.sample(using: &rng).rounded())
    }

    /// Seconds to the next arrival of a session of this profile (see `drawPriority`).
    @inline(__always)
    func drawGap(using rng: inout Xoshiro256) -> Double {
        interArrival.sample(using: &rng)
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
    /// With a copula, its two normals come first and replace the new-input
    /// draw and the output draw (`max_output_tokens` without an output distribution).
    @inline(__always)
    func drawTurn(_ turn: Int32, maxTurns: Int32, session: inout SessionState) -> TurnDraws {
        let newInput: Int64
        let maxOutput: Int64
        var output: Int64
        if let copula {
            let lengths = copula.draw(turn: turn, using: &session.rng)
            newInput = lengths.input
            if copula.hasOutputDistribution {
                maxOutput = Int64(maxOutputTokens.sample(using: &session.rng))
                output = Swift.min(maxOutput, lengths.output)
            } else {
                maxOutput = lengths.output
                output = maxOutput
            }
        } else {
            // Each distribution is sampled where it is stored: a conditional
            // expression or an `if let` would copy it (129 bytes, a memcpy
            // and reference counting per draw).
            if turn == 1 {
                newInput = Int64(promptTokens.sample(using: &session.rng))
            } else {
                newInput = Int64(followUpInput.sample(using: &session.rng))
            }
            maxOutput = Int64(maxOutputTokens.sample(using: &session.rng))
            output = maxOutput
            if let drawn = outputTokens?.sample(using: &session.rng) {
                output = Swift.min(maxOutput, Int64(drawn))
            }
        }
        let streaming = session.rng.nextUnit() < streamingProbability
        var draws = TurnDraws(newInput: scaled(newInput, turn: turn), maxOutput: maxOutput, output: output, streaming: streaming)
        if turn == 1 && !bands.isEmpty { chooseBand(firstPrompt: newInput, session: &session) }
        if !session.conversational {
            draws.closingReason = .completed
        } else if turn >= maxTurns {
            draws.closingReason = .maxTurns
        } else if turn == 1 || session.rng.nextUnit() < continuationProbability(afterTurn: turn, band: session.band) {
            draws.followUpGap = followUp.sample(using: &session.rng)
        } else {
            draws.closingReason = .completed
        }
        return draws
    }
}

extension ProfileRuntime {
    /// A later turn's new input times its turn's factor (at least 1 token); no factors: unchanged.
    @inline(__always)
    func scaled(_ newInput: Int64, turn: Int32) -> Int64 {
        guard turn >= 2, !inputScale.isEmpty else { return newInput }
        let factor = inputScale[Swift.min(Int(turn) - 2, inputScale.count - 1)]
        return Swift.max(1, Int64((Double(newInput) * factor).rounded()))
    }

    /// With turn bands: the band of the session's first prompt. In a band, whether the
    /// session is conversational is drawn again (next from its stream) with the band's
    /// probability; above every bound the arrival's draw with the profile's own stands.
    @inline(__always)
    func chooseBand(firstPrompt: Int64, session: inout SessionState) {
        guard let index = bands.firstIndex(where: { firstPrompt <= $0.upToTokens }) else { return }
        session.band = UInt8(index + 1)
        session.conversational = session.rng.nextUnit() < bands[index].conversationalProbability
    }

    /// The chance of another turn after turn `turn` (>= 2) of a session in `band`.
    @inline(__always)
    func continuationProbability(afterTurn turn: Int32, band: UInt8) -> Double {
        if band == 0 { return continuation[Swift.min(Int(turn) - 2, continuation.count - 1)] }
        let list = bands[Int(band) - 1].continuation
        return list[Swift.min(Int(turn) - 2, list.count - 1)]
    }
}

extension ProfileRuntime {
    /// An agent call's own draws (all but a user turn's first call), from its
    /// own stream: max output, actual output (when configured), streaming.
    /// The copula, if any, applies to user turns only.
    @inline(__always)
    func drawCall(using rng: inout Xoshiro256) -> (maxOutput: Int64, output: Int64, streaming: Bool) {
        let maxOutput = Int64(maxOutputTokens.sample(using: &rng))
        var output = maxOutput
        if let drawn = outputTokens?.sample(using: &rng) { output = Swift.min(maxOutput, Int64(drawn)) }
        return (maxOutput, output, rng.nextUnit() < streamingProbability)
    }

    /// A subagent's task (its first call's new input), from the same stream, first:
    /// a later turn's new input (the follow-up input distribution).
    @inline(__always)
    func drawTask(using rng: inout Xoshiro256) -> Int64 {
        Int64(followUpInput.sample(using: &rng))
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

/// The Gaussian copula of a profile with `input_output_correlation`: the
/// quantile transforms of its new-input and output distributions (a class,
/// like `ProfileRuntime`, so that reaching it costs one reference count).
final class CorrelatedLengths: Sendable {
    let copula: GaussianCopula
    let firstInput: QuantileTransform
    let laterInput: QuantileTransform
    /// Of `output_tokens_dist_config`, or of `max_output_tokens` without one.
    let output: QuantileTransform
    let hasOutputDistribution: Bool

    init(_ profile: ClientProfile) {
        copula = GaussianCopula(spearman: profile.conversation.inputOutputCorrelation)
        firstInput = QuantileTransform(profile.promptTokens)
        laterInput = QuantileTransform(profile.conversation.followUpInput ?? profile.promptTokens)
        output = QuantileTransform(profile.outputTokens ?? profile.maxOutputTokens)
        hasOutputDistribution = profile.outputTokens != nil
    }

    @inline(__always)
    func draw<R: RandomNumberGenerator>(turn: Int32, using rng: inout R) -> (input: Int64, output: Int64) {
        let (zInput, zOutput) = copula.normals(using: &rng)
        let input = turn == 1 ? firstInput.value(normal: zInput) : laterInput.value(normal: zInput)
        return (Int64(input), Int64(output.value(normal: zOutput)))
    }
}
