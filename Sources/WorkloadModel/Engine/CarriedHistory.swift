extension ProfileRuntime {
    /// The carried part of turn `turn`'s prompt (its `prefix_tokens`), or nil
    /// when the turn does not fit the window.
    ///
    /// History `full` carries the previous prompt and response, `prompts` the
    /// previous prompt, `none` nothing. A prompt above the window either does
    /// not fit (`end`) or keeps only the most recent `window − new input`
    /// tokens of the history (`truncate`); new input alone above the window
    /// never fits. Every term is at most 10^9, so nothing here can overflow.
    @inline(__always)
    func carriedPrefix(turn: Int32, newInput: Int64, session: SessionState) -> Int64? {
        var carried: Int64 = 0
        if turn > 1 {
            switch history {
            case .full: carried = session.lastPrompt + session.lastOutput
            case .prompts: carried = session.lastPrompt
            case .none: carried = 0
            }
        }
        if carried + newInput <= window { return carried }
        guard truncate, newInput <= window else { return nil }
        return window - newInput
    }
}
