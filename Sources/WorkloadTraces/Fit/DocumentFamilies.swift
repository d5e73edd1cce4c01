import RealModule
import WorkloadModel

/// Prompts shared across sessions beyond the system prefix, as `fit` finds them:
/// a session whose first turn begins with blocks an earlier session already
/// sent (after the system blocks) starts from that session's content: an
/// edit, a regeneration, the same document pasted again. Such sessions and
/// the ones they start from form families; `fit` writes them as a pool of
/// documents that a share of sessions carry, one item per family.
struct DocumentFamilies {
    /// Per session index: the tokens of its shared document (0 outside any family).
    var tokens: [Double]
    /// The families' sizes (at least 2 sessions each).
    var sizes: [Int]
    /// Each member's shared tokens (the pool's length law is fitted to these).
    var memberTokens: [Double]

    /// nil when no first turn shares a block beyond the system prefix.
    init?(_ sample: RequestSample, systemBlocks: Int, blockTokens: Int64) {
        let sessionCount = (sample.session.max() ?? -1) + 1
        var firstHolder: [UInt64: Int] = [:]
        var root = [Int](repeating: -1, count: sessionCount)
        var extent = [Int](repeating: 0, count: sessionCount)
        func find(_ s: Int) -> Int {
            var s = s
            while root[s] != s { s = root[s] }
            return s
        }
        for index in 0..<sample.count {
            let ids = sample.blocks(of: index)
            let session = sample.session[index]
            if sample.turn[index] == 1, ids.count > systemBlocks {
                var k = systemBlocks
                while k < ids.count, firstHolder[ids[ids.startIndex + k]] != nil { k += 1 }
                let shared = k - systemBlocks
                if shared > 0, let source = firstHolder[ids[ids.startIndex + k - 1]], source != session {
                    if root[source] < 0 { root[source] = source }
                    root[session] = find(source)
                    extent[session] = shared
                    extent[source] = Swift.max(extent[source], shared)
                }
            }
            for id in ids where firstHolder[id] == nil { firstHolder[id] = session }
        }
        var sizeOf: [Int: Int] = [:]
        tokens = [Double](repeating: 0, count: sessionCount)
        memberTokens = []
        let block = Double(blockTokens)
        for session in 0..<sessionCount where root[session] >= 0 {
            sizeOf[find(session), default: 0] += 1
            // Shared through the end of `extent` blocks, not through the next one: the middle of that block.
            tokens[session] = (Double(extent[session]) + 0.5) * block
            memberTokens.append(tokens[session])
        }
        guard !sizeOf.isEmpty else { return nil }
        sizes = sizeOf.values.sorted()
    }

    var members: Int { memberTokens.count }

    /// The pool that reproduces the families: a share `members / sessions`
    /// of sessions (a profile of their own, with the members' first prompts
    /// and turn law) carry a document, drawn uniformly from N items, N such
    /// that the expected number of distinct items among `members` draws,
    /// N (1 - (1 - 1/N)^members), is the number of families.
    func pool(sessions firstTurns: Int, firstPrompt: FittedLaw, turns: TurnLaw?) -> FittedModel.Documents {
        let m = Double(members), families = Double(sizes.count)
        func distinct(_ n: Double) -> Double { n * -Double.expMinusOne(m * Double.log(onePlus: -1 / n)) }
        var low = Swift.max(1, families), high = Swift.max(2, families) * 1e4
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if distinct(mid) < families { low = mid } else { high = mid }
        }
        let items = Swift.max(1, Swift.min(PrefixPool.maximumItems, Int(((low + high) / 2).rounded())))
        let probability = Swift.min(1, m / Double(Swift.max(1, firstTurns)))
        let law = FamilyFit.fit(memberTokens, integer: true, closedFormQuantile: true)
        let pairs = sizes.filter { $0 == 2 }.count
        let note = "Shared documents: \(members) of \(firstTurns) sessions (\(YAMLNumber.short(100 * probability))%) are in \(sizes.count) families of sessions whose first turns begin with the same blocks after the system prefix (\(pairs) pairs, largest \(sizes.last ?? 0)): profile `documents` (that share of new sessions) draws one of \(items) documents uniformly, so that \(members) draws give \(sizes.count) distinct items on average. Document tokens (the middle of the last shared block): \(law.summary)."
        return FittedModel.Documents(items: items, share: probability, tokens: law, note: note, firstPrompt: firstPrompt, turns: turns)
    }
}
