import WorkloadModel

/// The sessions `fit` reads from a trace's hash_ids when the trace names
/// none (Mooncake): the replay's hash-chain rule (a request continues the
/// earlier request whose complete blocks are the longest prefix of its
/// chain, at least two blocks), made strict enough that sessions which only
/// share a long system prompt or template are not merged.
///
/// - A chain that requests continue in different directions (two or more
///   distinct complete blocks follow it anywhere in the trace) is a family
///   prefix (a system prompt, a template, a document many sessions paste),
///   not one session's history: nothing continues a request whose complete
///   blocks end there. A session's history is followed by one block only:
///   each later turn carries the one before it.
/// - A continuation's prompt does not shrink (a shorter prompt on the same
///   blocks is a sibling: an edit, a regeneration), and a complete chain that
///   requests of two sessions end at is shared too.
///
/// (Requiring a continuation to grow by half the earlier answer, where most
/// later turns do, kept a few more siblings apart in our exports, but moved
/// the Mooncake sample's own fit off its lag-1 figure: not done.)
///
/// A first turn whose complete blocks all lie in a family prefix cannot be
/// told from its neighbours by its blocks: its next turn starts a session of
/// its own here. Nothing is lost to block reuse by that: the next turn's
/// blocks past the family prefix are new either way (its first one holds the
/// earlier answer).
struct ChainSessions {
    let blockTokens: Int64

    /// One session index per row (0 ..< sessions, in order of first appearance).
    func sessions(_ rows: [TraceRow]) -> [Int] {
        let chains = rows.map(digests)
        return link(rows, chains: chains, branching: familyPrefixes(rows, chains: chains))
    }

    /// The complete blocks of a row (at most its IDs).
    func complete(_ row: TraceRow) -> Int {
        Swift.min(row.hashIDs?.count ?? 0, Int(row.promptTokens / blockTokens))
    }

    /// Digest of each prefix of a row's IDs: element k is the digest of the first k + 1.
    func digests(_ row: TraceRow) -> [UInt64] {
        var digest = StreamIdentity("chain")
        return (row.hashIDs ?? []).map { id in
            digest.append(UInt64(bitPattern: id))
            return digest.hash
        }
    }

    /// The complete chains (of at least two blocks) that two or more distinct complete blocks follow.
    func familyPrefixes(_ rows: [TraceRow], chains: [[UInt64]]) -> Set<UInt64> {
        var ends = Set<UInt64>()
        for (row, chain) in zip(rows, chains) where complete(row) >= 2 { ends.insert(chain[complete(row) - 1]) }
        var next: [UInt64: Int64] = [:]
        var branching = Set<UInt64>()
        for (row, chain) in zip(rows, chains) where complete(row) >= 3 {
            let ids = row.hashIDs!
            for k in 1..<(complete(row) - 1) where ends.contains(chain[k]) {
                if let seen = next[chain[k]] {
                    if seen != ids[k + 1] { branching.insert(chain[k]) }
                } else {
                    next[chain[k]] = ids[k + 1]
                }
            }
        }
        return branching
    }

    struct Owner {
        var session: Int
        var prompt: Int64
    }

    /// Sessions by the rule.
    func link(_ rows: [TraceRow], chains: [[UInt64]], branching: Set<UInt64>) -> [Int] {
        var owners: [UInt64: Owner] = [:]
        var shared = Set<UInt64>()
        var sessions: [Int] = []
        var count = 0
        for (row, chain) in zip(rows, chains) {
            var found: Owner?
            // A proper prefix: the later turn adds at least one block.
            if chain.count >= 3 {
                for k in 1..<(chain.count - 1) {
                    guard let owner = owners[chain[k]], !branching.contains(chain[k]), !shared.contains(chain[k]),
                          row.promptTokens >= owner.prompt else { continue }
                    found = owner
                }
            }
            let session = found?.session ?? count
            if session == count { count += 1 }
            sessions.append(session)
            guard complete(row) >= 2 else { continue }
            // A chain two sessions end at is shared: nothing continues it.
            let end = chain[complete(row) - 1]
            if let owner = owners[end], owner.session != session { shared.insert(end) }
            owners[end] = Owner(session: session, prompt: row.promptTokens)
        }
        return sessions
    }
}
