/// The turn-count law of a trace's sessions by depth: the chance of a
/// second turn, then after each turn k >= 2 the chance of turn k + 1, read
/// off the counts n_k of sessions reaching turn k (p_k = n_(k+1) / n_k),
/// while at least `minimumSessions` sessions reach a depth; deeper, one
/// pooled probability (a geometric tail) ends the list.
///
/// A trace ends mid-session: a session whose last turn came shortly before
/// the end may have had a next turn after it. Counted as ended, such sessions
/// make the law too short, and a stream generated from it over the same span
/// is cut at its end once more. With `Censoring`, a session that stopped with
/// r seconds of trace left is an end with probability 1 − p and a next turn
/// beyond the trace with probability p·S(r) (S: the survival of the gaps after
/// turns that deep), and each
/// p is the maximum-likelihood value (by EM). The pooled tail is not corrected:
/// its few sessions at risk are mostly cut by the end, and correcting it as the
/// others (their next gap like the observed ones) overshot (block reuse 5.5
/// points high on the Mooncake sample).
package struct TurnLaw: Sendable, Equatable {
    package var conversationalProbability: Double
    /// `continuation_probability` by depth (after turn 2, 3, ...).
    package var continuation: [Double]
    /// The deepest session seen.
    package var maxTurns: Int
    /// Mean turns per session as seen (censored sessions count as they were cut).
    package var meanTurns: Double

    /// What the trace's end hides: per session the seconds left after its last turn, and the
    /// follow-up gaps by the turn they follow (the chance that a next turn after turn k comes
    /// later than r is the share of gaps after turns >= k above r: deeper sessions answer faster).
    package struct Censoring: Sendable {
        package var remaining: [Double]
        /// Element k - 1: the gaps after turns >= k, sorted.
        package var sortedGaps: [[Double]]

        /// `gaps`: each follow-up gap with the turn it follows.
        package init(remaining: [Double], gaps: [(after: Int, seconds: Double)]) {
            self.remaining = remaining
            let deepest = gaps.map(\.after).max() ?? 1
            var byTurn = [[Double]](repeating: [], count: deepest)
            for gap in gaps { byTurn[Swift.max(1, gap.after) - 1].append(gap.seconds) }
            var deeper: [Double] = []
            sortedGaps = byTurn.reversed().map { list in
                deeper += list
                return deeper.sorted()
            }.reversed()
        }

        package init(remaining: [Double], sorted: [[Double]]) {
            self.remaining = remaining
            sortedGaps = sorted
        }

        /// The share of gaps after turns >= `turn` above `r`.
        func survival(_ r: Double, after turn: Int) -> Double {
            guard !sortedGaps.isEmpty else { return 0 }
            let gaps = sortedGaps[Swift.min(turn, sortedGaps.count) - 1]
            guard !gaps.isEmpty else { return 0 }
            var low = 0, high = gaps.count
            while low < high {
                let mid = (low + high) / 2
                if gaps[mid] <= r { low = mid + 1 } else { high = mid }
            }
            return Double(gaps.count - low) / Double(gaps.count)
        }
    }

    /// `opens[i]` false: session i's first turn in the trace may be a later turn of a session in progress at the
    /// trace's start; it counts for the chances of going on after turns >= 2, not for the chance of a second turn.
    package init(turnCounts: [Int], censoring: Censoring? = nil, minimumSessions: Int = 30, opens: [Bool]? = nil) {
        let deepest = turnCounts.max() ?? 1
        var reaching = [Int](repeating: 0, count: deepest + 2)  // reaching[k]: sessions with >= k turns
        for turns in turnCounts { reaching[Swift.max(1, turns)] += 1 }
        for k in stride(from: deepest, through: 1, by: -1) { reaching[k] += reaching[k + 1] }
        // Per depth, the survival S(r) of each session that stopped there.
        var stopped = [[Double]](repeating: [], count: deepest + 2)
        if let censoring {
            for (turns, r) in zip(turnCounts, censoring.remaining) { stopped[Swift.max(1, turns)].append(censoring.survival(r, after: Swift.max(1, turns))) }
        }
        func probability(_ depths: ClosedRange<Int>, censored: Bool = true) -> Double {
            let continued = depths.reduce(0) { $0 + reaching[$1 + 1] }
            let atRisk = depths.reduce(0) { $0 + reaching[$1] }
            guard atRisk > 0 else { return 0 }
            return Self.continuation(continued: continued, atRisk: atRisk, stopped: censored ? depths.flatMap { stopped[$0] } : [])
        }
        maxTurns = deepest
        meanTurns = turnCounts.isEmpty ? 1 : Double(turnCounts.reduce(0, +)) / Double(turnCounts.count)
        conversationalProbability = reaching[1] > 0 ? probability(1...1) : 0
        if let opens {
            let first = turnCounts.indices.filter { opens[$0] }
            let survivals = censoring.map { c in first.filter { turnCounts[$0] <= 1 }.map { c.survival(c.remaining[$0], after: 1) } } ?? []
            conversationalProbability = first.isEmpty ? 0 : Self.continuation(continued: first.filter { turnCounts[$0] >= 2 }.count, atRisk: first.count, stopped: survivals)
        }
        var list: [Double] = []
        var k = 2
        while k < deepest && reaching[k] >= minimumSessions && reaching[k + 1] >= minimumSessions {
            list.append(probability(k...k))
            k += 1
        }
        // Pooled tail: continuations over sessions at risk from depth k on.
        if k < deepest { list.append(probability(k...(deepest - 1), censored: false)) }
        continuation = list.isEmpty ? [0] : list
    }

    /// The continuation probability p at one depth (or pooled depths): `continued` of `atRisk`
    /// sessions went on; those that stopped each had a next turn beyond the trace with chance
    /// p·S / (1 − p + p·S). Without censoring (every S = 0) this is continued / atRisk.
    static func continuation(continued: Int, atRisk: Int, stopped survivals: [Double]) -> Double {
        var p = Double(continued) / Double(atRisk)
        let hidden = survivals.filter { $0 > 0 }
        guard !hidden.isEmpty, p > 0 else { return p }
        for _ in 0..<200 {
            let expected = hidden.reduce(0.0) { $0 + p * $1 / (1 - p + p * $1) }
            let next = Swift.min(1, (Double(continued) + expected) / Double(atRisk))
            if abs(next - p) < 1e-10 { return next }
            p = next
        }
        return p
    }
}
