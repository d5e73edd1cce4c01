import CoreMetrics

/// The metrics of `feedback` (a closed loop over the completions topic),
/// exported beside the daemon's own only when the configuration has
/// `feedback`. Every series exists from start-up at 0 (each ignore reason
/// and both session end reasons), so rates are defined from the first scrape.
package final class FeedbackMetrics: Sendable {
    /// `llm_workload_feedback_awaiting_requests`: requests sent whose completion has not taken effect.
    package let awaiting: Meter
    /// `llm_workload_feedback_watermark_lag_seconds`: the generator's virtual time minus the completions' watermark.
    package let watermarkLag: Meter
    /// `llm_workload_feedback_completions_consumed_total`: completions of this run read (ignored ones included).
    package let consumed: CoreMetrics.Counter
    /// `llm_workload_feedback_completions_ignored_total{reason}`, in `FeedbackIgnoreReason.allCases` order.
    package let ignored: [CoreMetrics.Counter]
    /// `llm_workload_feedback_late_follow_ups_total`: follow-ups sent at once because their completion came after they were due.
    package let lateFollowUps: CoreMetrics.Counter
    /// `llm_workload_feedback_sessions_ended_total{reason}`: `no_response`, then `failed`.
    package let noResponse: CoreMetrics.Counter
    package let failed: CoreMetrics.Counter
    /// `llm_workload_feedback_follow_up_lateness_seconds`: publish time minus due time of follow-ups (paced runs).
    package let followUpLateness: LatencyHistogram

    static let latenessName = "llm_workload_feedback_follow_up_lateness_seconds"
    static let latenessHelp = "How late follow-ups leave versus completion time_s + delay_s, on the wall clock (histogram)."

    init(counter: (String, String, [(String, String)]) -> CoreMetrics.Counter, meter: (String, String) -> Meter) {
        awaiting = meter("llm_workload_feedback_awaiting_requests", "Requests sent whose completion has not taken effect yet.")
        watermarkLag = meter("llm_workload_feedback_watermark_lag_seconds",
                             "Virtual seconds the completions topic's watermark is behind the generator's latest event.")
        consumed = counter("llm_workload_feedback_completions_consumed_total",
                           "Completion records of this run read from the completions topic (ignored ones included).", [])
        let ignoredHelp = "Completions topic records not used, by reason."
        ignored = FeedbackIgnoreReason.allCases.map {
            counter("llm_workload_feedback_completions_ignored_total", ignoredHelp, [("reason", $0.rawValue)])
        }
        lateFollowUps = counter("llm_workload_feedback_late_follow_ups_total",
                                "Follow-ups sent at once because their completion arrived after they were due.", [])
        let endedHelp = "Sessions the completions ended: no_response (timeout_s passed), failed (status error or rejected)."
        noResponse = counter("llm_workload_feedback_sessions_ended_total", endedHelp, [("reason", "no_response")])
        failed = counter("llm_workload_feedback_sessions_ended_total", endedHelp, [("reason", "failed")])
        followUpLateness = LatencyHistogram(boundsSeconds: DaemonMetrics.latenessBoundsSeconds)
    }

    func render(into text: inout String) {
        followUpLateness.render(name: Self.latenessName, help: Self.latenessHelp, into: &text)
    }
}
