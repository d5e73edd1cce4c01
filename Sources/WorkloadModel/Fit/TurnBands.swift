/// Turn laws by first-prompt size, read off a trace's sessions: sessions are
/// split into bands at quantiles of their first prompts, each band gets its own
/// `TurnLaw`, and neighbouring bands whose mean turn counts and whose shares of
/// sessions that go on past their first turn both differ by no more than
/// `mergeZ` standard errors are merged (the closest pair first), so a trace
/// whose session length does not depend on its first prompt keeps one law.
/// (The share is compared too because the mean's standard error is wide where a
/// few sessions run long: bands of large first prompts that go on less often
/// were merged into their neighbours on the mean alone, and the sessions that
/// carry the most history went on too often.)
package struct TurnBands: Sendable, Equatable {
    package struct Band: Sendable, Equatable {
        /// The largest first prompt in the band (the last band's is the largest seen).
        package var upToTokens: Int64
        package var sessions: Int
        package var law: TurnLaw
        /// Mean turns per session and its standard error.
        package var meanTurns: Double
        package var standardError: Double
        /// The standard error of the law's share of sessions that go on past their first turn.
        package var goesOnStandardError: Double {
            (law.conversationalProbability * (1 - law.conversationalProbability) / Double(Swift.max(1, sessions))).squareRoot()
        }
    }

    /// Smallest to largest first prompts; at least two (else nil).
    package var bands: [Band]

    /// Bands start with at least this many sessions each.
    package static let sessionsPerBand = 400
    /// Twelve, not eight: the largest first prompts (the last twelfth of the Mooncake sample's,
    /// above 28k tokens) go on least and carry the most history; in an eighth they were merged.
    package static let initialBands = 12
    /// Two neighbouring bands stay apart when their mean turns or their shares going on differ by more than this many standard errors.
    package static let mergeZ = 3.0

    /// `firstPrompts[i]` and `turns[i]` of session i (and its censoring, see `TurnLaw`); nil when one law fits every band.
    /// `opens`: see `TurnLaw`.
    package init?(firstPrompts: [Double], turns: [Int], censoring: TurnLaw.Censoring? = nil, opens: [Bool]? = nil) {
        let count = Swift.min(firstPrompts.count, turns.count)
        let wanted = Swift.min(Self.initialBands, count / Self.sessionsPerBand)
        guard wanted >= 2 else { return nil }
        let order = (0..<count).sorted { firstPrompts[$0] < firstPrompts[$1] }
        let values = order.map { Int64(firstPrompts[$0]) }
        // Cut at quantiles; equal first prompts stay in one band (a band holds prompts <= its bound).
        var groups: [[Int]] = []
        var start = 0
        for index in 1...wanted {
            var end = Swift.max(start, index * count / wanted)
            while end < count && end > start && values[end] == values[end - 1] { end += 1 }
            if end > start { groups.append(Array(order[start..<end])) }
            start = end
        }
        func band(_ members: [Int], upTo: Int64) -> Band {
            Self.band(members.map { turns[$0] }, upTo: upTo,
                      censoring: censoring.map { c in TurnLaw.Censoring(remaining: members.map { c.remaining[$0] }, sorted: c.sortedGaps) },
                      opens: opens.map { o in members.map { o[$0] } })
        }
        var bands = groups.map { band($0, upTo: Int64(firstPrompts[$0.last!])) }
        var members = groups
        while bands.count >= 2 {
            let z = (0..<(bands.count - 1)).map { i in Self.distance(bands[i], bands[i + 1]) }
            guard let closest = z.indices.min(by: { z[$0] < z[$1] }), z[closest] <= Self.mergeZ else { break }
            members[closest] += members[closest + 1]
            members.remove(at: closest + 1)
            bands[closest] = band(members[closest], upTo: bands[closest + 1].upToTokens)
            bands.remove(at: closest + 1)
        }
        guard bands.count >= 2 else { return nil }
        self.bands = bands
    }

    /// How far apart two bands are, in standard errors: the larger of the mean turns' and the shares going on.
    static func distance(_ a: Band, _ b: Band) -> Double {
        func z(_ x: Double, _ y: Double, _ sx: Double, _ sy: Double) -> Double { abs(x - y) / Swift.max(1e-12, (sx * sx + sy * sy).squareRoot()) }
        return Swift.max(z(a.meanTurns, b.meanTurns, a.standardError, b.standardError),
                         z(a.law.conversationalProbability, b.law.conversationalProbability, a.goesOnStandardError, b.goesOnStandardError))
    }

    static func band(_ turns: [Int], upTo: Int64, censoring: TurnLaw.Censoring?, opens: [Bool]? = nil) -> Band {
        let n = Double(turns.count)
        let mean = Double(turns.reduce(0, +)) / n
        let variance = turns.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Swift.max(1, n - 1)
        return Band(upToTokens: upTo, sessions: turns.count, law: TurnLaw(turnCounts: turns, censoring: censoring, opens: opens), meanTurns: mean,
                    standardError: (variance / n).squareRoot())
    }

    /// The bands below the last, as the engine's `turns_by_first_prompt` (the last band is the profile's own law).
    package var lowerBands: [TurnBand] {
        bands.dropLast().map { TurnBand(upToTokens: $0.upToTokens, conversationalProbability: $0.law.conversationalProbability, continuation: $0.law.continuation) }
    }
}
