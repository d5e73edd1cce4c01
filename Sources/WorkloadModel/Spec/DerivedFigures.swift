/// Expected figures of a profile, derived from the spec without generating
/// (what `validate` prints, and what tests compare generated streams with).
package struct ProfileFigures: Sendable, Equatable {
    package var name: String
    /// Fraction of new sessions.
    package var share: Double
    /// New sessions per virtual second.
    package var sessionRate: Double
    package var meanTurnsPerSession: Double
    package var requestRate: Double
    package var meanFirstTurnPromptTokens: Double
    /// Mean prompt over all requests, accumulated context included.
    package var meanPromptTokensPerRequest: Double
    package var meanOutputTokens: Double
    package var meanInterArrivalSeconds: Double
    /// Conversations: turns per session, later-turn prompts, carried history.
    package var conversation = ConversationFigures()
}

package struct WorkloadFigures: Sendable, Equatable {
    package var sessionRate: Double
    package var requestRate: Double
    package var meanTurnsPerSession: Double
    package var profiles: [ProfileFigures]
}

extension WorkloadSpec {
    /// Expected rates, shares and token means of arrivals and sessions.
    package var figures: WorkloadFigures {
        let rate = 1 / meanSessionGapSeconds
        var result: [ProfileFigures] = []
        for (index, profile) in profiles.enumerated() {
            let share = share(ofProfile: index)
            let conversation = conversationFigures(of: profile)
            let turns = conversation.turns
            let newInput = profile.promptTokens.mean
            let output = profile.meanActualOutputTokens
            let promptPerSession = conversation.promptTokensPerSession
            result.append(ProfileFigures(
                name: profile.name,
                share: share,
                sessionRate: share * rate,
                meanTurnsPerSession: turns.mean,
                requestRate: share * rate * turns.mean,
                meanFirstTurnPromptTokens: newInput,
                meanPromptTokensPerRequest: promptPerSession / turns.mean,
                meanOutputTokens: output,
                meanInterArrivalSeconds: profile.interArrival.mean,
                conversation: conversation))
        }
        let requestRate = result.reduce(0) { $0 + $1.requestRate }
        return WorkloadFigures(
            sessionRate: rate, requestRate: requestRate,
            meanTurnsPerSession: requestRate / rate, profiles: result)
    }
}

/// The number of turns K of a session: 1 unless conversational; a
/// conversational session always has turn 2, continues after each later turn
/// with the continuation probability, and never exceeds the maximum.
package struct TurnCountDistribution: Sendable, Equatable {
    /// P(K = k) for k = 1 ... maxTurns (index k-1).
    package var probabilities: [Double]

    package init(maxTurns: Int, conversationalProbability c: Double, continuationProbability p: Double) {
        self.init(maxTurns: maxTurns, conversationalProbability: c) { _ in p }
    }

    /// `continuation(k)`: the chance of another turn after turn k (>= 2).
    package init(maxTurns: Int, conversationalProbability c: Double, continuation: (Int) -> Double) {
        let maxTurns = Swift.max(1, maxTurns)
        var probabilities = [Double](repeating: 0, count: maxTurns)
        probabilities[0] = 1 - c
        if maxTurns == 1 {
            probabilities[0] = 1
        } else {
            var reach = c  // P(conversational and K >= k), from k = 2
            for k in 2...maxTurns {
                if k == maxTurns {
                    probabilities[k - 1] = reach
                } else {
                    let p = continuation(k)
                    probabilities[k - 1] = reach * (1 - p)
                    reach *= p
                }
            }
        }
        self.probabilities = probabilities
    }

    package var mean: Double {
        probabilities.enumerated().reduce(0) { $0 + Double($1.offset + 1) * $1.element }
    }

    package var secondMoment: Double {
        probabilities.enumerated().reduce(0) { $0 + Double(($1.offset + 1) * ($1.offset + 1)) * $1.element }
    }
}

extension ClientProfile {
    /// E[min(output, max_output)], or E[max_output] when responses use it all.
    /// The capped mean has no closed form for every pair of families, so it is
    /// estimated from a fixed-seed sample (deterministic, error about 0.1%).
    package var meanActualOutputTokens: Double {
        guard let outputTokens else { return maxOutputTokens.mean }
        var rng = Xoshiro256(seed: 0x5EED, identity: StreamIdentity("figures", name))
        let draws = 200_000
        var sum = 0.0
        for _ in 0..<draws {
            let cap = maxOutputTokens.sample(using: &rng)
            sum += Swift.min(cap, outputTokens.sample(using: &rng))
        }
        return sum / Double(draws)
    }
}
