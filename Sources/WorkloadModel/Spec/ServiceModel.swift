/// The generator's own model of how long the service takes to answer a
/// request (`service_model`): seconds to the first token, seconds per output
/// token and, optionally, a prefill rate for the uncached part of the prompt.
///
/// It gives each request modeled first-token and completion times, which a
/// completion-anchored profile times its next turn from, and which
/// `emit_completions` publishes as `completion` events.
package struct ServiceModel: Sendable, Equatable {
    /// Seconds from arrival at the service to the first token.
    package var timeToFirstToken: Distribution
    /// Seconds per output token after the first.
    package var timePerOutputToken: Distribution
    /// Uncached prompt tokens (prompt minus prefix) prefilled per second,
    /// added to the time to first token; nil: none.
    package var prefillTokensPerSecond: Double?
    /// Write a `completion` event per request at its modeled completion.
    package var emitCompletions: Bool

    package init(timeToFirstToken: Distribution, timePerOutputToken: Distribution,
                prefillTokensPerSecond: Double? = nil, emitCompletions: Bool = false) {
        self.timeToFirstToken = timeToFirstToken
        self.timePerOutputToken = timePerOutputToken
        self.prefillTokensPerSecond = prefillTokensPerSecond
        self.emitCompletions = emitCompletions
    }
}

/// What a profile times its next turn from (`follow_up_after`).
package enum FollowUpAnchor: String, Sendable, Equatable, CaseIterable {
    /// Turn k+1 is sent the follow-up gap after turn k was sent (open loop).
    case send
    /// Turn k+1 is sent a think time (the follow-up distribution) after turn
    /// k's response completed; needs a service model.
    case completion
}

extension ServiceModel {
    /// The mean response time (arrival to completion) of a request with these mean
    /// output and uncached prompt tokens: TTFT and TPOT are drawn apart from the lengths.
    package func meanResponseSeconds(outputTokens: Double, uncachedTokens: Double) -> Double {
        timeToFirstToken.mean + uncachedTokens / (prefillTokensPerSecond ?? .infinity) + outputTokens * timePerOutputToken.mean
    }
}

extension WorkloadSpec {
    /// The service model that times profile `index`'s requests: its own, else the workload's.
    package func serviceModel(ofProfile index: Int) -> ServiceModel? {
        profiles[index].serviceModel ?? serviceModel
    }
}
