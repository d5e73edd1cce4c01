import RealModule

/// Closed forms for prefix popularity: after n independent draws
/// from a pool with item probabilities p_i, the number of distinct items D
/// has E[D] = Σ 1 − (1 − p_i)^n, and the share of draws whose item was drawn
/// before (an infinite cache's first-block hit ratio) is 1 − D / n.
package enum PrefixFigures {
    /// The probability of each item of a pool (a law's most popular first).
    package static func probabilities(of pool: PrefixPool) -> [Double] {
        if let weights = pool.weights {
            let total = weights.reduce(0, +)
            return weights.map { $0 / total }
        }
        switch pool.popularity {
        case .uniform:
            return Array(repeating: 1 / Double(pool.items), count: pool.items)
        case .zipf(let s):
            let law = ZipfLaw(exponent: s, count: Double(pool.items))
            return (1...pool.items).map { law.probability(of: Double($0)) }
        }
    }

    /// E[1 − D/n] and its standard deviation after `n` draws (n may be a
    /// real, an expected count): Var D = Σ a_i(1 − a_i) + Σ_{i≠j} (b_ij − a_i a_j)
    /// with a_i = (1 − p_i)^n, b_ij = (1 − p_i − p_j)^n (the indicators of unseen items).
    package static func repeatShare(probabilities p: [Double], draws n: Double) -> (mean: Double, standardDeviation: Double) {
        guard n > 0 else { return (0, 0) }
        let a = p.map { Double.pow(Swift.max(0, 1 - $0), n) }
        let unseen = a.reduce(0, +)
        var variance = 0.0
        for i in p.indices {
            variance += a[i] * (1 - a[i])
            for j in p.indices where j != i {
                variance += Double.pow(Swift.max(0, 1 - p[i] - p[j]), n) - a[i] * a[j]
            }
        }
        let distinct = Double(p.count) - unseen
        return (1 - distinct / n, Swift.max(0, variance).squareRoot() / n)
    }

    /// Per pool, one line's figures for `validate`: the expected share of
    /// sessions (per-session uses) and of clients (per-client uses) whose item
    /// an earlier one already used, after `seconds` of the spec's rates. Only
    /// the sessions (or clients) that carry the pool (`probability`) draw.
    package static func report(for spec: WorkloadSpec, seconds: Double = 3600) -> [(pool: String, sessions: Double?, clients: Double?)] {
        let figures = spec.figures
        return spec.prefixPools.enumerated().map { index, pool in
            let p = probabilities(of: pool)
            var sessions = 0.0, clients = 0.0
            var usedPerSession = false, usedPerClient = false
            for (profileIndex, profile) in spec.profiles.enumerated() {
                let rate = figures.profiles[profileIndex].sessionRate * seconds
                // An agent's subagents are sessions of their own, with their own prefixes.
                var uses = profile.prefixes.map { ($0, rate) }
                if let agent = profile.agent, let sub = agent.subagents {
                    let turns = profile.turnCounts(maxTurns: spec.maxTurnsPerSession).mean
                    let spawned = rate * turns * (agent.callsPerTurn.mean - 1) * sub.probability * sub.count.mean
                    uses += sub.prefixes.map { ($0, spawned) }
                }
                for (use, rate) in uses where use.pool == index {
                    switch use.per {
                    case .session:
                        sessions += rate * use.probability
                        usedPerSession = true
                    case .client:
                        let k = Double(Swift.max(1, profile.numClients))
                        clients += use.probability * k * -Double.expMinusOne(-rate / k)
                        usedPerClient = true
                    }
                }
            }
            func share(_ n: Double) -> Double {
                guard n > 0 else { return 0 }
                let distinct = p.reduce(0) { $0 - Double.expMinusOne(n * Double.log(onePlus: -Swift.min($1, 1 - 1e-16))) }
                return 1 - distinct / n
            }
            return (pool.name, usedPerSession ? share(sessions) : nil, usedPerClient ? share(clients) : nil)
        }
    }
}
