/// How the engine waits for completions that come from outside (`feedback`):
/// a service's own `completion` records instead of the service model.
package struct ExternalCompletions: Sendable, Equatable {
    /// A request with no completion this long after its arrival ends its
    /// session `no_response`.
    package var timeout: VirtualNanoseconds
    /// The least think time of a follow-up (`lookahead_s`; 0 in real time):
    /// a drawn think time below it is raised to it, so that no completion
    /// can make a follow-up due earlier than `completion + lookahead`. The
    /// engine may then run `lookahead` ahead of the completions' watermark.
    package var lookahead: VirtualNanoseconds

    package init(timeout: VirtualNanoseconds, lookahead: VirtualNanoseconds) {
        self.timeout = timeout
        self.lookahead = lookahead
    }
}

extension WorkloadSpec {
    /// The least think time any completion-anchored profile can draw (its
    /// follow-up distribution's infimum; nil without such a profile).
    package var smallestThinkSeconds: Double? {
        profiles.filter { $0.followUpAfter == .completion && $0.weight > 0 }.map { Swift.max(0, $0.followUp.infimum) }.min()
    }
}
