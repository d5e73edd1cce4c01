extension WorkloadEngine {
    /// A new session's shared prefix items (none for a profile without
    /// prefixes) in its slot of `sessionPrefixes`. Only with a catalog.
    @inline(__always)
    mutating func openPrefixes(slot: Int32, client: Int32, profile: ProfileRuntime, identity: StreamIdentity) {
        guard let prefixCatalog else { return }
        var prefix = SessionPrefix()
        if !profile.prefixes.isEmpty {
            let chosen = prefixCatalog.items(for: profile.prefixes, profile: profile.sessionIdentity, client: client, session: identity)
            prefix.items = chosen.items
            prefix.sharedTokens = chosen.tokens
        }
        let index = Int(slot)
        while sessionPrefixes.count <= index { sessionPrefixes.append(SessionPrefix()) }
        sessionPrefixes[index] = prefix
    }

    /// The content lineage of turn `turn`: continued when the turn starts
    /// with the previous prompt (history `full` or `prompts`, not truncated),
    /// fresh otherwise. `session` is the state before the turn is recorded.
    @inline(__always)
    mutating func updateLineage(slot: Int32, profile: ProfileRuntime, turn: Int32, kept: Int64, session: SessionState) {
        updateLineage(slot: slot, profile: profile, turn: turn, kept: kept, session: session, history: profile.history)
    }

    /// The same under history `history` (an agent's chain carries its whole history).
    @inline(__always)
    mutating func updateLineage(slot: Int32, profile: ProfileRuntime, turn: Int32, kept: Int64, session: SessionState,
                                history: HistoryMode) {
        let shared = sessionPrefixes[Int(slot)].sharedTokens
        let continues = turn > 1 && history != .none
            && kept == profile.untrimmedPrefix(turn: turn, shared: shared, session: session, history: history)
        if !continues { sessionPrefixes[Int(slot)].lineageTurn = turn }
    }

    /// The session's prefix items, their tokens and its lineage, on its request.
    @inline(__always)
    func attachPrefixes(to request: inout RequestEvent, slot: Int32) {
        let prefix = sessionPrefixes[Int(slot)]
        request.prefixItems = prefix.items
        request.sharedPrefixTokens = prefix.sharedTokens
        request.lineageTurn = prefix.lineageTurn
    }
}
