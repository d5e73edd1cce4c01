import WorkloadModel

/// A context window read off a trace: prompts that pile at their maximum.
/// A continuous length law thins out towards its largest value; a client
/// that cuts prompts to a window sends many at exactly the window. So the
/// largest prompt is read as a window when at least `minimumPile` requests
/// sit exactly on it and at least as many as in the 2% of lengths below it.
///
/// Those requests are later turns whose history was cut (the oldest
/// history after the shared prefixes dropped: their blocks past the shared
/// prefixes are new, so the chain rule cannot follow them) or first turns
/// whose pasted input was cut; `fit` writes the window with `truncate` and
/// `cut_input_to_window`, and `ChainSessions` links such a request to the
/// session it continues.
package enum ContextWindow {
    static let minimumPile = 10

    /// The window, or nil when the prompts do not pile at their maximum.
    package static func detect(_ prompts: [Int64]) -> Int64? {
        guard let largest = prompts.max() else { return nil }
        let pile = prompts.lazy.filter { $0 == largest }.count
        let below = prompts.lazy.filter { $0 < largest && Double($0) >= 0.98 * Double(largest) }.count
        return pile >= minimumPile && pile >= below ? largest : nil
    }

    /// `fit`'s comment on a window it found (or on none).
    static func note(_ window: Int64?, prompts: [Double]) -> String {
        guard let window else {
            return "No context window: the prompts do not pile at their largest value (a window shows as at least \(minimumPile) requests at exactly the largest prompt, and no fewer than in the 2% below it)."
        }
        let pile = prompts.filter { $0 == Double(window) }.count
        let below = prompts.filter { $0 < Double(window) && $0 >= 0.98 * Double(window) }.count
        return "Context window: \(pile) requests sit at exactly \(window) tokens, the largest prompt, against \(below) in the 2% below it: prompts were cut to a window there. Later turns over it keep their most recent history (truncate), and a first input is cut to what fits beside its shared prefixes (cut_input_to_window), so a session whose prefixes the written lengths overstate is still sent."
    }
}

extension FittedModel {
    /// The context window and its note; with one, later turns' new input is refitted without the
    /// turns cut to it (and those after them).
    mutating func setWindow(_ window: Int64?, uncut: [(index: Int, previous: Int)], inputs: [Double], prompts: [Double]) {
        (contextWindow, windowNote) = (window, ContextWindow.note(window, prompts: prompts))
        guard window != nil, followUpInput != nil, !uncut.isEmpty else { return }
        followUpInput = FamilyFit.fit(uncut.map { inputs[$0.index] }, integer: true, closedFormQuantile: true)
    }
}
