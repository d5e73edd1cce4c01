import WorkloadModel

/// Later turns' new input by depth, read off a trace's sessions: in chat
/// traces a session's second turn adds more than its later ones (a first
/// follow-up pastes, later ones ask), and a deep session that added the
/// pooled mean every turn would carry far more history than the trace's (its
/// block reuse too high). Per turn, from turn 2, the mean new input over the
/// pooled mean, while `minimumTurns` later turns have that depth; the deeper
/// ones pooled into the last factor. Written as `follow_up_input_scale_by_turn`
/// only where some depth's mean is more than `z` standard errors off the pooled
/// mean, so a trace whose new input does not depend on depth keeps one law.
struct InputByDepth: Equatable {
    static let minimumTurns = 100
    static let z = 3.0

    /// Factors for turn 2, 3, ... (the last repeats), and per factor the later turns and mean it comes from.
    var factors: [Double]
    var counts: [Int]
    var means: [Double]
    var pooledMean: Double

    /// `turns[i]` (>= 2) and `inputs[i]` of later turn i; nil when no depth differs from the pooled mean.
    init?(turns: [Int], inputs: [Double]) {
        let count = Swift.min(turns.count, inputs.count)
        guard count > 0 else { return nil }
        var groups: [[Double]] = []
        var byDepth: [Int: [Double]] = [:]
        for i in 0..<count where turns[i] >= 2 { byDepth[turns[i], default: []].append(inputs[i]) }
        var depth = 2
        while let values = byDepth[depth], values.count >= Self.minimumTurns, byDepth.keys.contains(where: { $0 > depth }) {
            groups.append(values)
            depth += 1
        }
        let deeper = byDepth.filter { $0.key >= depth }.sorted { $0.key < $1.key }.flatMap(\.value)
        if !deeper.isEmpty { groups.append(deeper) }
        guard groups.count >= 2 else { return nil }
        let all = groups.flatMap { $0 }
        let pooled = all.reduce(0, +) / Double(all.count)
        guard pooled > 0 else { return nil }
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
        func standardError(_ v: [Double]) -> Double {
            let m = mean(v)
            return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(Swift.max(1, v.count - 1)) / Double(v.count)).squareRoot()
        }
        let apart = groups.contains { abs(mean($0) - pooled) > Self.z * standardError($0) }
        guard apart else { return nil }
        means = groups.map(mean)
        counts = groups.map(\.count)
        factors = means.map { $0 / pooled }
        pooledMean = pooled
    }

    /// Of the later turns the new-input law is fitted on (without those cut to a window).
    init?(_ sample: RequestSample, later: [(index: Int, previous: Int)], inputs: [Double]) {
        self.init(turns: later.map { sample.turn[$0.index] }, inputs: later.map { inputs[$0.index] })
    }

    /// `fit`'s comment on the factors.
    var note: String {
        let list = zip(means, counts).enumerated().map { index, pair in
            let turn = index == means.count - 1 ? "turn \(index + 2)+" : "turn \(index + 2)"
            return "\(turn) \(YAMLNumber.short(pair.0.rounded())) (\(pair.1))"
        }
        return "New input depends on the turn: mean by turn (later turns) \(list.joined(separator: ", ")) against \(YAMLNumber.short(pooledMean.rounded())) pooled (turns cut at \(Self.minimumTurns) later turns a depth, at least one mean more than \(YAMLNumber.short(Self.z)) standard errors off the pooled): the law above times the factor of the turn."
    }

    var yaml: String { "[\(factors.map { YAMLNumber.short($0) }.joined(separator: ", "))]" }
}
