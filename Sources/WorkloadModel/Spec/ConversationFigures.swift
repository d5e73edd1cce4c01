import Synchronization

/// Expected conversation figures of a profile, for `validate`.
///
/// Closed forms without a context window (K turns, a = E[first prompt],
/// f = E[follow-up input], o = E[output]): E[prompt_k] = a + (k−1)(o + f)
/// with history `full`, a + (k−1) f with `prompts`, f with `none`. With a
/// window, truncation and `context_full` ends make prompts depend on the
/// path (with turn bands, turn counts depend on the first prompt; with
/// `follow_up_input_scale_by_turn`, new input depends on the depth), so the
/// figures come from simulating `simulatedSessions` sessions of the profile
/// alone with a fixed seed (deterministic; standard error about 1% of a
/// prompt's standard deviation), fewer when sessions are long: at
/// most about `simulatedRequests` requests (so that start-up stays bounded
/// for any `max_turns_per_session`), and never more than
/// `simulatedEventLimit` events in all.
package struct ConversationFigures: Sendable, Equatable {
    package var turns = TurnCountDistribution(maxTurns: 1, conversationalProbability: 0, continuationProbability: 0)
    package var meanTurns = 1.0
    /// p50, p90, p99 and the largest reachable number of turns.
    package var turnQuantiles: [Int] = [1, 1, 1, 1]
    package var meanFirstPromptTokens = 0.0
    /// Mean prompt of turns 2 and later (0 without any).
    package var meanLaterPromptTokens = 0.0
    /// E[Σ prompt_k] per session.
    package var promptTokensPerSession = 0.0
    /// Expected share of prompt tokens that are carried history.
    package var carriedShare = 0.0
    /// True when the figures are simulated (a context window is set).
    package var simulated = false
    /// How many sessions the simulated figures follow.
    package var simulatedSessionCount = 0

    package static let simulatedSessions = 20_000
    /// The request budget that sets the sessions followed: 20,000 sessions
    /// of up to 10 turns each on average, as before, and fewer of longer ones.
    package static let simulatedRequests = 200_000.0
    /// A hard stop on the simulation: sessions not followed to their end by
    /// then count for the prompt means, not for the turn counts.
    package static let simulatedEventLimit = 800_000

    /// Sessions followed for a profile whose closed-form mean turn count
    /// (the window ignored, so an upper bound) is `meanTurns`.
    static func sessionsToSimulate(meanTurns: Double) -> Int {
        guard meanTurns > 1 else { return simulatedSessions }
        return Swift.max(1, Swift.min(simulatedSessions, Int(simulatedRequests / meanTurns)))
    }

    package init() {}
}

extension ClientProfile {
    /// The distribution of turns per session (continuation by depth included;
    /// with turn bands, their mixture by the first prompt's distribution).
    package func turnCounts(maxTurns: Int) -> TurnCountDistribution {
        var own = TurnCountDistribution(maxTurns: maxTurns, conversationalProbability: conversationalProbability) {
            continuationProbability(afterTurn: $0)
        }
        guard !conversation.turnBands.isEmpty else { return own }
        let shares = turnBandShares
        var mixed = own.probabilities.map { $0 * shares.last! }
        for (band, share) in zip(conversation.turnBands, shares) {
            let law = band.turnCounts(maxTurns: maxTurns)
            for k in mixed.indices { mixed[k] += share * law.probabilities[k] }
        }
        own.probabilities = mixed
        return own
    }
}

extension TurnBand {
    /// The distribution of turns of this band's sessions.
    package func turnCounts(maxTurns: Int) -> TurnCountDistribution {
        TurnCountDistribution(maxTurns: maxTurns, conversationalProbability: conversationalProbability) {
            continuation[Swift.min($0 - 2, continuation.count - 1)]
        }
    }
}

extension TurnCountDistribution {
    /// The smallest k with P(K <= k) >= q.
    package func quantile(_ q: Double) -> Int {
        var total = 0.0
        for (index, p) in probabilities.enumerated() {
            total += p
            if total >= q - 1e-12 { return index + 1 }
        }
        return probabilities.count
    }

    /// p50, p90, p99 and the largest k with P(K = k) > 0.
    package var summary: [Int] {
        let deepest = (probabilities.lastIndex { $0 > 0 } ?? 0) + 1
        return [quantile(0.5), quantile(0.9), quantile(0.99), deepest]
    }
}

extension WorkloadSpec {
    package func conversationFigures(of profile: ClientProfile) -> ConversationFigures {
        var figures = ConversationFigures()
        let turns = profile.turnCounts(maxTurns: maxTurnsPerSession)
        figures.turns = turns
        figures.turnQuantiles = turns.summary
        figures.meanTurns = turns.mean
        // A window makes prompts depend on the path; bands tie the turn count to the first prompt; factors by
        // turn make new input depend on the depth.
        let conversation = profile.conversation
        if conversation.contextWindowTokens != nil || !conversation.turnBands.isEmpty || !conversation.followUpInputScale.isEmpty {
            return simulatedFigures(of: profile, base: figures)
        }
        let a = profile.promptTokens.mean
        let f = profile.newInput(ofTurn: 2).mean
        let o = profile.meanActualOutputTokens
        let k1 = turns.mean
        let pairs = (turns.secondMoment - turns.mean) / 2  // E[K(K−1)/2]
        let newTotal = a + (k1 - 1) * f
        let promptTotal: Double
        switch profile.history(accumulate: accumulateConversationalTokens) {
        case .full: promptTotal = k1 * a + (o + f) * pairs
        case .prompts: promptTotal = k1 * a + f * pairs
        case .none: promptTotal = newTotal
        }
        figures.meanFirstPromptTokens = a
        figures.meanLaterPromptTokens = k1 > 1 ? (promptTotal - a) / (k1 - 1) : 0
        figures.promptTokensPerSession = promptTotal
        figures.carriedShare = promptTotal > 0 ? Swift.max(0, 1 - newTotal / promptTotal) : 0
        return figures
    }

    /// The figures from simulating sessions of `profile` alone (fixed seed),
    /// once per process: `validate` and the load-time checks ask several times.
    func simulatedFigures(of profile: ClientProfile, base: ConversationFigures) -> ConversationFigures {
        let key = SimulatedFiguresCache.Key(profile: profile, maxTurns: maxTurnsPerSession, accumulate: accumulateConversationalTokens)
        if let known = SimulatedFiguresCache.shared.withLock({ cache in cache.first { $0.key == key }?.figures }) { return known }
        let figures = simulateFigures(of: profile, base: base)
        SimulatedFiguresCache.shared.withLock { cache in
            if cache.count >= SimulatedFiguresCache.capacity { cache.removeFirst() }
            cache.append((key, figures))
        }
        return figures
    }

    private func simulateFigures(of profile: ClientProfile, base: ConversationFigures) -> ConversationFigures {
        var figures = base
        var single = profile
        single.weight = 1
        single.network = nil
        var spec = WorkloadSpec(
            seed: 0x5EED, maxTurnsPerSession: maxTurnsPerSession,
            accumulateConversationalTokens: accumulateConversationalTokens, profiles: [single])
        spec.bytesPerToken = 0
        var engine = WorkloadEngine(spec: spec)
        // The first N sessions to start, followed to their ends (stopping at the
        // N-th end instead would leave out the long sessions still open).
        var open = Set<UInt64>()
        let wanted = ConversationFigures.sessionsToSimulate(meanTurns: base.meanTurns)
        var started = 0, sessions = 0, turnsTotal = 0, firsts = 0, laters = 0, events = 0
        var first = 0.0, later = 0.0, prompt = 0.0, carried = 0.0
        var counts = [Double](repeating: 0, count: Swift.max(1, maxTurnsPerSession))
        while started < wanted || !open.isEmpty, events < ConversationFigures.simulatedEventLimit, let event = engine.next() {
            events += 1
            switch event {
            case .request(let r):
                guard open.contains(r.sessionID) else { continue }
                if r.turn == 1 { first += Double(r.promptTokens); firsts += 1 } else { later += Double(r.promptTokens); laters += 1 }
                prompt += Double(r.promptTokens)
                carried += Double(r.prefixTokens)
            case .sessionEnded(let e):
                guard open.remove(e.sessionID) != nil else { continue }
                sessions += 1
                turnsTotal += Int(e.turns)
                counts[Swift.max(0, Int(e.turns) - 1)] += 1
            case .sessionStarted(let e):
                if started < wanted {
                    started += 1
                    open.insert(e.sessionID)
                }
            case .completion:
                continue
            }
        }
        guard firsts > 0 else { return figures }
        if sessions > 0 {
            var turns = base.turns
            turns.probabilities = counts.map { $0 / Double(sessions) }
            figures.turns = turns
            figures.turnQuantiles = turns.summary
            figures.meanTurns = Double(turnsTotal) / Double(sessions)
        }
        figures.meanFirstPromptTokens = first / Double(firsts)
        figures.meanLaterPromptTokens = laters > 0 ? later / Double(laters) : 0
        if open.isEmpty {
            figures.promptTokensPerSession = prompt / Double(sessions)
        } else {
            // Stopped at the event limit: the sums hold turns of sessions still open, so per session comes from the means.
            figures.promptTokensPerSession = figures.meanFirstPromptTokens + (figures.meanTurns - 1) * figures.meanLaterPromptTokens
        }
        figures.carriedShare = prompt > 0 ? carried / prompt : 0
        figures.simulated = true
        figures.simulatedSessionCount = sessions
        return figures
    }
}

/// Simulated figures already worked out in this process (they depend only
/// on the profile, the turn limit and the history rule).
enum SimulatedFiguresCache {
    struct Key: Equatable {
        var profile: ClientProfile
        var maxTurns: Int
        var accumulate: Bool
    }

    static let capacity = 16
    static let shared = Mutex<[(key: Key, figures: ConversationFigures)]>([])
}
