/// What turn k's prompt carries before its new input.
package enum HistoryMode: String, Sendable, Equatable, CaseIterable {
    /// Previous prompt + previous response (the seed's accumulation).
    case full
    /// Previous prompt only (agent retries re-sending the same prompt).
    case prompts
    /// Nothing: every prompt is its new input.
    case none
}

/// What a turn whose prompt would exceed the context window does.
package enum ContextFullPolicy: String, Sendable, Equatable, CaseIterable {
    /// The turn is not sent; the session ends with reason `context_full`.
    case end
    /// The turn carries only the most recent history that fits.
    case truncate
}

/// The turn law of the sessions whose first prompt (turn 1's new input, the
/// `prompt_tokens_dist_config` draw, without shared prefixes) is at most
/// `upToTokens` and above the previous band's bound (`turns_by_first_prompt`).
package struct TurnBand: Sendable, Equatable {
    package var upToTokens: Int64
    package var conversationalProbability: Double
    /// By depth, after turn 2, 3, ... (the last repeats).
    package var continuation: [Double]

    package init(upToTokens: Int64, conversationalProbability: Double, continuation: [Double]) {
        self.upToTokens = upToTokens
        self.conversationalProbability = conversationalProbability
        self.continuation = continuation
    }
}

/// A profile's conversation and length model beyond the seed's keys
/// (see the Conversations article). The default keeps the seed's behaviour and its draws exactly.
package struct ConversationModel: Sendable, Equatable {
    /// New input of turns 2 and later; `nil`: the prompt distribution.
    package var followUpInput: Distribution?
    /// Factors on the new-input draw of turn 2, 3, ... (the last repeats); empty: none.
    /// Traces show later turns adding less the deeper they are.
    package var followUpInputScale: [Double] = []
    /// Chance of another turn after turn i + 2 (the last element repeats);
    /// `nil`: the profile's single `continuationProbability`.
    package var continuationByDepth: [Double]?
    /// `nil`: from the workload's `accumulate_conversational_tokens`
    /// (true: `full`, false: `none`).
    package var history: HistoryMode?
    /// Target Spearman rank correlation between a turn's new-input draw and
    /// its output draw (a Gaussian copula); 0: independent draws, as today.
    package var inputOutputCorrelation: Double
    /// The largest prompt; `nil`: only the bound `largestPromptTokens`.
    package var contextWindowTokens: Int64?
    package var onContextFull: ContextFullPolicy
    /// Turn laws by first-prompt size, bounds increasing; a first prompt above
    /// the last bound keeps the profile's own laws. Empty: one law for all.
    package var turnBands: [TurnBand] = []
    /// A new input never exceeds what fits beside the shared prefixes (it is cut, as a client
    /// trims a pasted document), so a first turn that does not fit is sent, not dropped.
    package var cutInputToWindow = false

    /// No accumulated prompt exceeds 10^9 tokens: the bound acts as a context
    /// window of last resort (turns that would cross it end the session with
    /// `context_full`), so prompts, totals and payloads never overflow.
    package static let largestPromptTokens: Int64 = 1_000_000_000

    package init(
        followUpInput: Distribution? = nil, continuationByDepth: [Double]? = nil, history: HistoryMode? = nil,
        inputOutputCorrelation: Double = 0, contextWindowTokens: Int64? = nil, onContextFull: ContextFullPolicy = .end
    ) {
        self.followUpInput = followUpInput
        self.continuationByDepth = continuationByDepth
        self.history = history
        self.inputOutputCorrelation = inputOutputCorrelation
        self.contextWindowTokens = contextWindowTokens
        self.onContextFull = onContextFull
    }

    /// The effective window: the configured one, never above the bound.
    package var effectiveWindow: Int64 {
        Swift.min(contextWindowTokens ?? Self.largestPromptTokens, Self.largestPromptTokens)
    }
}

extension ClientProfile {
    /// Whether any session can have a second turn (the profile's law or a band's).
    package var mayContinue: Bool {
        conversationalProbability > 0 || conversation.turnBands.contains { $0.conversationalProbability > 0 }
    }

    /// The share of sessions in each band, then above the last bound (the
    /// profile's own law): the band holds first prompts whose drawn value,
    /// truncated to an integer as the engine does, is at most its bound.
    package var turnBandShares: [Double] {
        var below = 0.0
        var shares: [Double] = []
        for band in conversation.turnBands {
            let cumulative = promptTokens.cdf((Double(band.upToTokens) + 1).nextDown)
            shares.append(Swift.max(0, cumulative - below))
            below = Swift.max(below, cumulative)
        }
        return shares + [Swift.max(0, 1 - below)]
    }

    /// The chance of another turn after turn `turn` (>= 2).
    package func continuationProbability(afterTurn turn: Int) -> Double {
        guard let list = conversation.continuationByDepth, !list.isEmpty else { return continuationProbability }
        return list[Swift.min(turn - 2, list.count - 1)]
    }

    /// The distribution of the new input of turn `turn`.
    package func newInput(ofTurn turn: Int) -> Distribution {
        turn == 1 ? promptTokens : conversation.followUpInput ?? promptTokens
    }

    /// The history mode, resolved against the workload's accumulation flag.
    package func history(accumulate: Bool) -> HistoryMode {
        conversation.history ?? (accumulate ? .full : .none)
    }
}
