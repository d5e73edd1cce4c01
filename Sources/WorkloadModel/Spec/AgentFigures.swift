import RealModule

/// Expected figures of an agent profile, for `validate` (see the Agents article).
///
/// Closed forms from the configured laws (N calls per user turn, p the chance
/// a call spawns, K subagents, M calls each, B tool calls per batch, T result
/// tokens per tool call, o the mean output, u the user's message, S the shared
/// prefix, the user-turn count of the profile):
/// - calls per user turn: E[N] + E[N−1] p E[K] E[M] (the root chain, then its subagents);
/// - tool calls per batch: E[B];
/// - tool time per user turn (the root chain's batches): E[N−1] (1−p) E[max of B latencies],
///   with E[max of b] = ∫ (1 − F(x)^b) dx integrated numerically from the exact CDF;
///   its p99 from `toolTimeSamples` draws of one turn's batches (the laws alone, not the stream);
/// - prompt growth per call: E[o] + E[new input of a later call];
/// - the cacheable share, E[Σ prefix] / E[Σ prompt] over sessions (renewal-reward):
///   a user turn with history H carried in sums to E[N](S + H + u) + (o + x) E[N(N−1)]/2,
///   H grows by u + E[N] o + E[N−1] x per turn (`full`), and the subagents add
///   their own chains. The context window is not applied.
package struct AgentFigures: Sendable, Equatable {
    package var rootCallsPerTurn = 0.0
    package var subagentCallsPerTurn = 0.0
    package var callsPerTurn: Double { rootCallsPerTurn + subagentCallsPerTurn }
    package var toolCallsPerBatch = 0.0
    package var toolSecondsPerTurnMean = 0.0
    package var toolSecondsPerTurnP99 = 0.0
    package var promptGrowthPerCall = 0.0
    package var cacheableShare = 0.0

    package static let toolTimeSamples = 100_000

    package init() {}
}

extension WorkloadSpec {
    /// The agent figures of profile `index`; nil for a profile without agents.
    package func agentFigures(ofProfile index: Int) -> AgentFigures? {
        let profile = profiles[index]
        guard let agent = profile.agent else { return nil }
        var figures = AgentFigures()
        let calls = agent.callsPerTurn.mean
        let p = agent.subagents?.probability ?? 0
        let k = agent.subagents?.count.mean ?? 0
        let m = agent.subagents?.calls.mean ?? 0
        figures.rootCallsPerTurn = calls
        figures.subagentCallsPerTurn = (calls - 1) * p * k * m
        figures.toolCallsPerBatch = agent.toolCallsPerBatch.mean
        let batchSeconds = AgentFigures.meanSlowest(of: agent.toolCallsPerBatch, latency: agent.toolLatency)
        figures.toolSecondsPerTurnMean = (calls - 1) * (1 - p) * batchSeconds
        figures.toolSecondsPerTurnP99 = AgentFigures.sampledToolTimeP99(agent, seed: seed)
        let o = profile.meanActualOutputTokens
        let results = figures.toolCallsPerBatch * agent.toolResultTokens.mean
        let x = (1 - p) * results + p * k * o
        figures.promptGrowthPerCall = o + x
        figures.cacheableShare = cacheableShare(profile, index: index, output: o, laterInput: x, results: results)
        return figures
    }

    /// E[Σ prefix] / E[Σ prompt] of a session and its subagents (see `AgentFigures`).
    func cacheableShare(_ profile: ClientProfile, index: Int, output o: Double, laterInput x: Double, results: Double) -> Double {
        guard let agent = profile.agent else { return 0 }
        let n = agent.callsPerTurn
        let pairs = (n.standardDeviation * n.standardDeviation + n.mean * n.mean - n.mean) / 2  // E[N(N−1)]/2
        let shared = PrefixCatalog.isNeeded(by: self) ? PrefixCatalog(spec: self).expectedTokens(of: profile.prefixes, pools: prefixPools) : 0
        let turns = profile.turnCounts(maxTurns: maxTurnsPerSession).probabilities
        var reach = 1.0  // P(K >= t)
        var carried = 0.0  // E[H_t]
        var prompt = 0.0, fresh = 0.0
        for (offset, probability) in turns.enumerated() {
            let u = profile.newInput(ofTurn: offset + 1).mean
            prompt += reach * (n.mean * (shared + carried + u) + (o + x) * pairs)
            fresh += reach * (u + (n.mean - 1) * x)
            switch profile.history(accumulate: accumulateConversationalTokens) {
            case .full: carried += u + n.mean * o + (n.mean - 1) * x
            case .prompts: carried += u + (n.mean - 1) * (o + x)
            case .none: carried = 0
            }
            reach -= probability
        }
        if let sub = agent.subagents {
            let spawned = turns.enumerated().reduce(0.0) { $0 + Double($1.offset + 1) * $1.element } * (n.mean - 1) * sub.probability * sub.count.mean
            let m = sub.calls
            let subPairs = (m.standardDeviation * m.standardDeviation + m.mean * m.mean - m.mean) / 2
            let subShared = PrefixCatalog.isNeeded(by: self) ? PrefixCatalog(spec: self).expectedTokens(of: sub.prefixes, pools: prefixPools) : 0
            let task = profile.newInput(ofTurn: 2).mean
            prompt += spawned * (m.mean * (subShared + task) + (o + results) * subPairs)
            fresh += spawned * (task + (m.mean - 1) * results)
        }
        return prompt > 0 ? 1 - fresh / prompt : 0
    }
}

extension AgentFigures {
    /// E[max of B latencies] = Σ_b P(B = b) ∫_0^∞ (1 − F(x)^b) dx, by the
    /// trapezoid rule on a geometric grid of 4,000 points (relative error below 1e-4).
    static func meanSlowest(of batch: Distribution, latency: Distribution) -> Double {
        let upper = latency.supremum.isFinite ? latency.supremum : quantile(latency, 1 - 1e-9)
        let lower = Swift.max(1e-9, latency.infimum)
        var sizes: [(Double, Double)] = []
        var b = Swift.max(1, batch.infimum)
        while b <= batch.supremum && b <= AgentModel.maximumToolCalls {
            let mass = batch.cdf(b) - batch.cdf(b - 1)
            if mass > 0 { sizes.append((b, mass)) }
            b += 1
        }
        let points = 4_000
        let ratio = Double.pow(upper / lower, 1 / Double(points))
        var x = lower, total = lower  // below `lower` nothing: 1 − F(x)^b = 1
        var previous = sizes.reduce(0) { $0 + $1.1 * (1 - Double.pow(latency.cdf(x), $1.0)) }
        for _ in 0..<points {
            let next = x * ratio
            let value = sizes.reduce(0) { $0 + $1.1 * (1 - Double.pow(latency.cdf(next), $1.0)) }
            total += (next - x) * (previous + value) / 2
            x = next
            previous = value
        }
        return total
    }

    /// The smallest x with F(x) >= q, by bisection on the exact CDF.
    static func quantile(_ distribution: Distribution, _ q: Double) -> Double {
        var low = Swift.max(0, distribution.infimum), high = Swift.max(1, low * 2)
        while distribution.cdf(high) < q && high < 1e12 { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if distribution.cdf(middle) < q { low = middle } else { high = middle }
        }
        return high
    }

    /// p99 of one user turn's tool time (the root chain's batches), from
    /// `toolTimeSamples` turns drawn from the configured laws with a fixed seed.
    static func sampledToolTimeP99(_ agent: AgentModel, seed: UInt64) -> Double {
        var rng = Xoshiro256(seed: seed, identity: StreamIdentity("agent-figures"))
        let p = agent.subagents?.probability ?? 0
        var totals: [Double] = []
        totals.reserveCapacity(toolTimeSamples)
        for _ in 0..<toolTimeSamples {
            let calls = Int(agent.callsPerTurn.sample(using: &rng))
            var total = 0.0
            for _ in 1..<Swift.max(1, calls) where !(rng.nextUnit() < p) {
                let size = Int(agent.toolCallsPerBatch.sample(using: &rng))
                var slowest = 0.0
                for _ in 0..<size { slowest = Swift.max(slowest, agent.toolLatency.sample(using: &rng)) }
                total += slowest
            }
            totals.append(total)
        }
        totals.sort()
        return totals[Int(0.99 * Double(totals.count - 1))]
    }
}

extension PrefixCatalog {
    /// The expected shared tokens of a session with these prefix uses: each
    /// use's probability times its pool's mean item length under its popularity.
    func expectedTokens(of uses: [PrefixUse], pools: [PrefixPool]) -> Double {
        uses.reduce(0.0) { total, use in
            let probabilities = PrefixFigures.probabilities(of: pools[use.pool])
            let mean = zip(probabilities, itemTokens[use.pool]).reduce(0.0) { $0 + $1.0 * Double($1.1) }
            return total + use.probability * mean
        }
    }
}
