extension ProfileRuntime {
    /// The carried part of turn `turn`'s prompt (its `prefix_tokens`), or nil
    /// when the turn does not fit the window.
    ///
    /// History `full` carries the previous prompt and response, `prompts` the
    /// previous prompt, `none` nothing. A prompt above the window either does
    /// not fit (`end`) or keeps only the most recent `window − new input`
    /// tokens of the history (`truncate`); new input alone above the window
    /// never fits. Every term is at most 10^9, so nothing here can overflow.
    /// Shared prefixes (`shared` tokens) lead every prompt and are
    /// always kept: truncation trims the oldest history after them, and a
    /// turn whose shared prefixes and new input exceed the window never fits.
    @inline(__always)
    func carriedPrefix(turn: Int32, newInput: Int64, shared: Int64, session: SessionState) -> Int64? {
        carriedPrefix(turn: turn, newInput: newInput, shared: shared, session: session, history: history)
    }

    /// The same under history `history` (an agent's chain carries its whole history).
    @inline(__always)
    func carriedPrefix(turn: Int32, newInput: Int64, shared: Int64, session: SessionState, history: HistoryMode) -> Int64? {
        let carried = untrimmedPrefix(turn: turn, shared: shared, session: session, history: history)
        if carried + newInput <= window { return carried }
        guard truncate, shared + newInput <= window else { return nil }
        return window - newInput
    }

    /// The carried part before the window: shared prefixes, then the history
    /// (the previous prompt already starts with the shared prefixes).
    @inline(__always)
    func untrimmedPrefix(turn: Int32, shared: Int64, session: SessionState) -> Int64 {
        untrimmedPrefix(turn: turn, shared: shared, session: session, history: history)
    }

    @inline(__always)
    func untrimmedPrefix(turn: Int32, shared: Int64, session: SessionState, history: HistoryMode) -> Int64 {
        guard turn > 1 else { return shared }
        switch history {
        case .full: return session.lastPrompt + session.lastOutput
        case .prompts: return session.lastPrompt
        case .none: return shared
        }
    }
}
