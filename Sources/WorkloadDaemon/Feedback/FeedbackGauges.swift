import CoreMetrics
import WorkloadModel

/// Watches the loop for `feedback`: the lateness of every paced follow-up
/// (publish time minus `completion.time_s + delay_s`, kept for the end-of-run
/// line and, with metrics, the histogram) and, at housekeeping, the loop's
/// counts as metrics. The counts are cumulative in the feed and the engine;
/// the counters get what is new since the last housekeeping.
final class FeedbackGauges: RunObserver {
    private let loop: FeedbackLoop
    private let taker: any CompletionTaker
    private let metrics: FeedbackMetrics?
    private var synced = Synced()

    /// What the counters already hold.
    private struct Synced {
        var consumed = 0
        var ignored: [FeedbackIgnoreReason: Int] = [:]
        var late = 0
        var noResponse = 0
        var failed = 0
    }

    init(loop: FeedbackLoop, taker: any CompletionTaker, metrics: FeedbackMetrics?) {
        self.loop = loop
        self.taker = taker
        self.metrics = metrics
    }

    var watchesEachEvent: Bool { true }

    func published(_ event: Event, lateness: UInt64?, progress: RunProgress) {
        // Unpaced (`max`) or stopping: nothing was due on the wall clock.
        guard let lateness, case .request(let request) = event, request.dependsOnPreviousTurn else { return }
        // The pacer measured from the request's own time; a late completion moved that past the due time.
        let lag = UInt64(max(0, taker.followUpSendLag(session: request.sessionID, turn: request.turn)))
        loop.followUpLateness.record(nanoseconds: lateness &+ lag)
        metrics?.followUpLateness.record(nanoseconds: lateness &+ lag)
    }

    func housekeeping(progress: RunProgress, source: any RunEventSource, now: UInt64) {
        guard let metrics else { return }
        let counts = taker.feedbackCounts
        metrics.awaiting.set(taker.awaitingCompletions)
        metrics.watermarkLag.set(Self.lagSeconds(generator: source.virtualTime, completions: loop.feed.frontier))
        Self.advance(metrics.consumed, from: &synced.consumed, to: loop.feed.consumed)
        for (index, reason) in FeedbackIgnoreReason.allCases.enumerated() {
            Self.advance(metrics.ignored[index], from: &synced.ignored[reason, default: 0], to: loop.feed.ignored[reason] ?? 0)
        }
        Self.advance(metrics.lateFollowUps, from: &synced.late, to: counts.lateFollowUps)
        Self.advance(metrics.noResponse, from: &synced.noResponse, to: counts.endedNoResponse)
        Self.advance(metrics.failed, from: &synced.failed, to: counts.endedFailed)
    }

    /// Virtual seconds from the completions' watermark up to the generator's
    /// latest event: 0 once the watermark is past it (or final); before any
    /// watermark, the generator's whole virtual time.
    static func lagSeconds(generator: VirtualNanoseconds, completions: VirtualNanoseconds) -> Double {
        Double(max(0, generator - max(0, completions))) / 1e9
    }

    private static func advance(_ counter: CoreMetrics.Counter, from synced: inout Int, to total: Int) {
        if total > synced { counter.increment(by: Int64(total - synced)) }
        synced = max(synced, total)
    }
}
