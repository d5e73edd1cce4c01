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
/// A first turn whose complete blocks all lie in a family prefix nested in
/// another (a document other sessions share, behind a system prompt) cannot
/// be followed by its blocks: it waits there, and the next request that passes
/// through that prefix, goes on past it and carries at least its prompt and answer, within
/// the gap 95% of the chains' follow-ups keep, continues it (of several, the
/// one whose prompt and answer come closest below; a new session on the same
/// prefix adds only its own input). Read as sessions of their own, such turns
/// made the across-session block reuse of an export of `config/prefixes.yaml`
/// 26.8% where its sessions share 16.5% (its later-turn share 49.5% against
/// 61.0%), and the fit wrote sessions that drew shared items to match (29.2%
/// generated); followed, 18.0% (59.4%), and 19.9% generated. Behind a system
/// prompt alone, which the sessions of many clients begin with, nothing waits:
/// there a new session's first turn would too often be read as a waiting
/// turn's next one.
///
/// A request at exactly the trace's context window (`ContextWindow`) that no
/// chain continues is a turn whose history was cut to the window: past its
/// shared prefixes its blocks are new. It continues a session that passed
/// through the deepest chain it shares (its prefixes) within the gap 95% of
/// the chains' follow-ups keep, with a last prompt and answer of at least
/// half the window: the one closest to the window, then the longest waiting
/// (read as first turns, such turns made sessions end at the window and the
/// first prompts pile there; the most recent one instead made runs of them
/// one session).
/// Where sessions that share those prefixes run side by side, the most
/// recent may be another one's: the links keep the turn count and the
/// follow-up gaps short, not the exact session.
struct ChainSessions {
    let blockTokens: Int64
    var window: Int64? = nil

    /// One session index per row (0 ..< sessions, in order of first appearance).
    func sessions(_ rows: [TraceRow]) -> [Int] {
        let chains = rows.map(digests)
        let branching = familyPrefixes(rows, chains: chains)
        let forks = self.forks(rows, chains: chains)
        // Turns cut to the window, and turns after a first turn that ends in a family prefix, are linked
        // within the gap that 95% of the chains' follow-ups keep.
        var unlinked = self
        unlinked.window = nil
        let plain = unlinked.link(rows, chains: chains, branching: branching, forks: nil)
        var last: [Int: Int64] = [:]
        var gaps: [Int64] = []
        for (row, session) in zip(rows, plain) {
            if let previous = last[session] { gaps.append(row.timestamp - previous) }
            last[session] = row.timestamp
        }
        gaps.sort()
        let horizon = gaps.isEmpty ? Int64.max : gaps[Swift.min(gaps.count - 1, gaps.count * 95 / 100)]
        return link(rows, chains: chains, branching: branching, horizon: horizon, forks: forks)
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

    /// The complete chains (of any length) that two or more distinct complete blocks follow. A first turn
    /// waits in a family prefix only when a shorter part of it forks too: a document behind a system prompt
    /// (nested families), not one system prompt that clients' sessions begin with.
    func forks(_ rows: [TraceRow], chains: [[UInt64]]) -> Set<UInt64> {
        var next: [UInt64: Int64] = [:]
        var forks = Set<UInt64>()
        for (row, chain) in zip(rows, chains) where complete(row) >= 2 {
            let ids = row.hashIDs!
            for k in 0..<(complete(row) - 1) {
                if let seen = next[chain[k]] {
                    if seen != ids[k + 1] { forks.insert(chain[k]) }
                } else {
                    next[chain[k]] = ids[k + 1]
                }
            }
        }
        return forks
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

    /// Sessions by the sessions their requests pass through, for requests cut to the window.
    struct WindowLinks {
        /// Per chain digest (0: every request), the sessions whose requests passed through it, in order.
        var through: [UInt64: [Int]] = [:]
        /// Per session, its last prompt plus answer and its last send.
        var carried: [Int] = []
        var sent: [Int64] = []
        /// How many of a digest's latest passes are looked at.
        static let looked = 64

        mutating func record(session: Int, row: TraceRow, chain: [UInt64]) {
            while carried.count <= session { (carried, sent) = (carried + [0], sent + [0]) }
            carried[session] = Int(row.promptTokens + row.outputTokens)
            sent[session] = row.timestamp
            for digest in [0] + chain { through[digest, default: []].append(session) }
        }

        /// The session a request cut to `window` at `time` continues, or nil: among those that
        /// passed through its deepest known chain within `horizon`, with a last prompt and answer
        /// of at least half the window, the closest to the window (capped at it), then the longest waiting.
        func session(chain: [UInt64], window: Int64, time: Int64, horizon: Int64) -> Int? {
            let deepest = chain.last { through[$0] != nil } ?? 0
            var best: (score: Int, sent: Int64, session: Int)?
            for session in through[deepest, default: []].suffix(Self.looked)
            where 2 * Int64(carried[session]) >= window && time - sent[session] <= horizon {
                let score = Swift.min(carried[session], Int(window))
                if best == nil || score > best!.score || (score == best!.score && sent[session] < best!.sent) {
                    best = (score, sent[session], session)
                }
            }
            return best?.session
        }
    }

    /// The session of the waiting first turn a request continues, taken off the waiting list: the request
    /// passes through that turn's family prefix (the deepest with one waiting), goes on past it, carries
    /// at least that turn's prompt and answer, and comes within `horizon`; of several, the one whose
    /// prompt and answer come closest below it (a new session on the same prefix adds its own input
    /// only, a next turn the answer too).
    static func takeStub(_ stubs: inout [UInt64: [Stub]], chain: [UInt64], row: TraceRow, horizon: Int64) -> Int? {
        for k in stride(from: chain.count - 2, through: 1, by: -1) {
            guard var waiting = stubs[chain[k]], !waiting.isEmpty else { continue }
            // Waiting longer than the horizon: no next turn will be linked to them.
            let stale = waiting.prefix { row.timestamp - $0.sent > horizon }.count
            if stale > 0 {
                waiting.removeFirst(stale)
                stubs[chain[k]] = waiting
            }
            var best: Int?
            for (index, stub) in waiting.enumerated() where stub.carried <= row.promptTokens {
                if best == nil || stub.carried > waiting[best!].carried { best = index }
            }
            guard let best else { continue }
            stubs[chain[k]]!.remove(at: best)
            return waiting[best].session
        }
        return nil
    }

    /// A first turn whose complete blocks end in a family prefix, waiting for its next turn.
    struct Stub {
        var session: Int
        var carried: Int64
        var sent: Int64
    }

    /// Sessions by the rule.
    /// `forks` (nil: first turns in family prefixes are not followed): see `forks(_:chains:)`.
    func link(_ rows: [TraceRow], chains: [[UInt64]], branching: Set<UInt64>, horizon: Int64 = .max, forks: Set<UInt64>?) -> [Int] {
        var owners: [UInt64: Owner] = [:]
        var shared = Set<UInt64>()
        var sessions: [Int] = []
        var count = 0
        var links = WindowLinks()
        var stubs: [UInt64: [Stub]] = [:]
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
            var session = found?.session ?? count
            if found == nil, forks != nil, let stub = Self.takeStub(&stubs, chain: chain, row: row, horizon: horizon) {
                session = stub
            } else if found == nil, let window, row.promptTokens == window, let continued = links.session(chain: chain, window: window, time: row.timestamp, horizon: horizon) {
                session = continued
            }
            let opened = session == count
            if session == count { count += 1 }
            sessions.append(session)
            if window != nil { links.record(session: session, row: row, chain: chain) }
            guard complete(row) >= 2 else { continue }
            // A chain two sessions end at is shared: nothing continues it.
            let end = chain[complete(row) - 1]
            if opened, let forks, branching.contains(end), chain[..<(complete(row) - 1)].contains(where: forks.contains) {
                stubs[end, default: []].append(Stub(session: session, carried: row.promptTokens + row.outputTokens, sent: row.timestamp))
            }
            if let owner = owners[end], owner.session != session { shared.insert(end) }
            owners[end] = Owner(session: session, prompt: row.promptTokens)
        }
        return sessions
    }
}
