import WorkloadModel
import Yams

/// `feedback`: completion-anchored profiles take each turn's completion from a
/// service's `completion` records on a topic, instead of the service model.
package struct FeedbackConfiguration: Sendable, Equatable {
    /// The topic the service publishes its completions (and watermarks) to.
    package var topic = "llm.completions"
    /// Virtual seconds after a request's arrival with no completion: its session ends `no_response`.
    package var timeoutSeconds = 600.0
    /// Virtual modes: how far the generator may run ahead of the completions'
    /// watermark; nil: the smallest think time any completion-anchored profile can draw.
    package var lookaheadSeconds: Double?

    package init() {}
}

extension ConfigBounds {
    /// `feedback.timeout_s` and `feedback.lookahead_s`: virtual seconds (the clock counts nanoseconds).
    package static let feedbackSeconds: ClosedRange<Double> = 1e-9...1e9
}

extension Configuration {
    static let feedbackKeys = ["topic", "timeout_s", "lookahead_s"]

    static func readFeedback(_ top: ConfigObject, reader: ConfigReader) -> FeedbackConfiguration? {
        guard let object = top.object("feedback", allowed: feedbackKeys) else { return nil }
        var feedback = FeedbackConfiguration()
        feedback.topic = object.string("topic", default: feedback.topic)
        if let complaint = TopicName.problem(feedback.topic) { reader.report(object.path("topic"), complaint) }
        feedback.timeoutSeconds = object.number("timeout_s", default: 600, .within(ConfigBounds.feedbackSeconds)) ?? 600
        if let node = object["lookahead_s"], !ConfigReader.isNull(node) {
            feedback.lookaheadSeconds = object.number("lookahead_s", .between(0, 1e9))
        }
        return feedback
    }

    /// Whether the clock paces in virtual time (accelerated or `max`), where
    /// the generator and the service synchronise by watermarks.
    package var pacesVirtualTime: Bool { !(clock.mode == .realtime && clock.speed != nil) }

    /// `feedback.lookahead_s` as it applies: the given value, else the smallest
    /// think time a completion-anchored profile can draw.
    package var feedbackLookaheadSeconds: Double {
        feedback?.lookaheadSeconds ?? workload.smallestThinkSeconds ?? 0
    }

    /// Sets the engine's view of `feedback` from the clock as it now is (real
    /// time takes completions as they come: no lookahead).
    mutating func resolveFeedback() {
        guard let feedback else {
            workload.externalCompletions = nil
            return
        }
        let lookahead = pacesVirtualTime ? feedbackLookaheadSeconds : 0
        workload.externalCompletions = ExternalCompletions(
            timeout: VirtualNanoseconds((feedback.timeoutSeconds * 1e9).rounded()),
            lookahead: VirtualNanoseconds((Swift.min(lookahead, 1e9) * 1e9).rounded()))
    }

    /// The problems of `feedback` with the clock as it now is (also after the
    /// command line's overrides): each names its key and value.
    package var feedbackProblems: [ConfigProblem] {
        guard let feedback else { return [] }
        var problems: [ConfigProblem] = []
        let lookahead = feedbackLookaheadSeconds
        if pacesVirtualTime && !(lookahead > 0) {
            let why = "in virtual time (clock.mode accelerated or speed max) the generator runs at most lookahead_s ahead of the completions' watermark, and with 0 it could never pass the service, nor the service it"
            if feedback.lookaheadSeconds == nil {
                problems.append(ConfigProblem(path: "feedback.lookahead_s", message: "must be > 0: \(why); its default, the smallest think time a completion-anchored profile can draw, is \(NumberRule.format(lookahead)) s here, so set lookahead_s (got null)"))
            } else {
                problems.append(ConfigProblem(path: "feedback.lookahead_s", message: "must be > 0: \(why) (got \(NumberRule.format(lookahead)))"))
            }
        }
        if workload.warmStart {
            problems.append(ConfigProblem(path: "workload.warm_start", message: "cannot be used with feedback: burn-in requests are never published, so no service could answer them (got true)"))
        }
        if kafka.topics.carriesCompletions && TopicName.collide(kafka.topics.completions, feedback.topic) {
            problems.append(ConfigProblem(path: "feedback.topic", message: "must differ from kafka.topics.completions, where this run's own modeled completions go (got \(feedback.topic) and \(kafka.topics.completions))"))
        }
        if pacesVirtualTime { problems += agentLatencyProblems }
        if replay != nil {
            problems.append(ConfigProblem(path: "feedback", message: "applies to client profiles, not to workload.replay (got both)"))
        }
        return problems
    }

    /// Agent profiles under `feedback` in virtual time: an agent's next call
    /// may be sent at its predecessor's completion (a join, a subagent's first
    /// call), so the link's latency is all the lookahead the generator has for
    /// it; with 0 neither side could pass the other.
    var agentLatencyProblems: [ConfigProblem] {
        var problems: [ConfigProblem] = []
        for (index, profile) in workload.profiles.enumerated() where profile.agent != nil {
            let link = profile.network ?? workload.network
            guard !(link.latencySeconds > 0) else { continue }
            let path = profile.network == nil ? "workload.network.latency_s" : "workload.client_profiles[\(index)].network.latency_s"
            problems.append(ConfigProblem(path: path, message: "must be > 0 for the agent profile \(profile.name) with feedback in virtual time: an agent's next call may be sent at the completion before it, and its request's latency is then the generator's only lookahead (got \(NumberRule.format(link.latencySeconds)))"))
        }
        return problems
    }
}
