/// The turn-count law of a trace's sessions by depth: the chance of a
/// second turn, then after each turn k >= 2 the chance of turn k + 1, read
/// off the counts n_k of sessions reaching turn k (p_k = n_(k+1) / n_k),
/// while at least `minimumSessions` sessions reach a depth; deeper, one
/// pooled probability (a geometric tail) ends the list.
package struct TurnLaw: Sendable, Equatable {
    package var conversationalProbability: Double
    /// `continuation_probability` by depth (after turn 2, 3, ...).
    package var continuation: [Double]
    /// The deepest session seen.
    package var maxTurns: Int
    package var meanTurns: Double

    package init(turnCounts: [Int], minimumSessions: Int = 30) {
        let deepest = turnCounts.max() ?? 1
        var reaching = [Int](repeating: 0, count: deepest + 2)  // reaching[k]: sessions with >= k turns
        for turns in turnCounts { reaching[Swift.max(1, turns)] += 1 }
        for k in stride(from: deepest, through: 1, by: -1) { reaching[k] += reaching[k + 1] }
        maxTurns = deepest
        meanTurns = turnCounts.isEmpty ? 1 : Double(turnCounts.reduce(0, +)) / Double(turnCounts.count)
        conversationalProbability = reaching[1] > 0 ? Double(reaching[2]) / Double(reaching[1]) : 0
        var list: [Double] = []
        var k = 2
        while k < deepest && reaching[k] >= minimumSessions && reaching[k + 1] >= minimumSessions {
            list.append(Double(reaching[k + 1]) / Double(reaching[k]))
            k += 1
        }
        if k < deepest {
            // Pooled tail: continuations over sessions at risk from depth k on.
            let continued = reaching[(k + 1)...deepest].reduce(0, +)
            let atRisk = reaching[k..<deepest].reduce(0, +)
            list.append(atRisk > 0 ? Double(continued) / Double(atRisk) : 0)
        }
        continuation = list.isEmpty ? [0] : list
    }
}
