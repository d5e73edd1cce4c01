extension WorkloadEngine {
    /// A new session with its shared prefix items (none without pools).
    @inline(__always)
    func withPrefixes(_ session: SessionState, profile: ProfileRuntime, identity: StreamIdentity) -> SessionState {
        guard let prefixCatalog, !profile.prefixes.isEmpty else { return session }
        var session = session
        let chosen = prefixCatalog.items(for: profile.prefixes, profile: profile.sessionIdentity, client: session.client, session: identity)
        session.prefixItems = chosen.items
        session.sharedTokens = chosen.tokens
        return session
    }

    /// The content lineage of turn `turn`: continued when the turn starts
    /// with the previous prompt (history `full` or `prompts`, not truncated),
    /// fresh otherwise.
    @inline(__always)
    func updateLineage(_ session: inout SessionState, profile: ProfileRuntime, turn: Int32, kept: Int64) {
        let continues = turn > 1 && profile.history != .none
            && kept == profile.untrimmedPrefix(turn: turn, shared: session.sharedTokens, session: session)
        if !continues { session.lineage = BlockHashes.lineage(session: session.id, turn: turn) }
    }
}
