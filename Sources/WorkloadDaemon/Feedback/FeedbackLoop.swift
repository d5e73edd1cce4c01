import Logging
import WorkloadConfig
import WorkloadKafka
import WorkloadModel

/// The generating loop's side of `feedback`: hands the completions topic's
/// records to the engine and, while the engine waits for them, promises on
/// the generator's own topics what it can, so that the service can go on.
///
/// Virtual time: the engine goes only as far as the completions' watermark
/// allows (`WorkloadEngine+Feedback`); when it stalls, a watermark at
/// `eventsPromise` goes to every topic and one at `requestsPromise` (no
/// earlier than it) to the requests topic, then the loop waits a little for
/// completions. Real time: the engine generates what is due by the wall
/// clock, and completions take effect when they come.
final class FeedbackLoop {
    let feed: CompletionFeed
    let realTime: Bool
    private var promisedEvents: VirtualNanoseconds = .min
    private var promisedRequests: VirtualNanoseconds = .min
    /// Paced runs: publish time minus due time of each follow-up (`FeedbackGauges` records it).
    var followUpLateness = LatenessQuantiles()
    /// After a restart: until when completions of requests not generated again yet are kept.
    var holdEarlyUntil: VirtualNanoseconds?

    init(feed: CompletionFeed, realTime: Bool) {
        self.feed = feed
        self.realTime = realTime
    }

    /// Opens the completions topic for `configuration` (nil without `feedback`), where a restart reads on (`resuming`).
    static func open(for configuration: Configuration, pacing: PacingMode, resuming: CompletionFeedState?, logger: Logger) throws -> FeedbackLoop? {
        guard let feedback = configuration.feedback else { return nil }
        let feed = try CompletionFeed(brokers: configuration.kafka.brokers, topic: feedback.topic, runID: configuration.runID,
                                      properties: configuration.kafka.librdkafka, resuming: resuming, logger: logger)
        return FeedbackLoop(feed: feed, realTime: pacing == .realtime)
    }

    /// Before the first event, with the source's engine.
    func begin(_ taker: any CompletionTaker) {
        if let holdEarlyUntil { taker.holdEarlyCompletions(until: holdEarlyUntil) }
    }

    /// Before the next event, in real time: what came, and how far the wall clock allows.
    func prepare(_ taker: any CompletionTaker, virtualNow: VirtualNanoseconds) {
        guard realTime else { return }
        feed.pump(timeoutMs: 0, into: taker)
        taker.generateOnly(before: virtualNow == .max ? .max : virtualNow + 1)
    }

    /// The engine stalled: promise, then wait up to a few milliseconds for completions.
    func wait(_ taker: any CompletionTaker, sink: EventSink, afterSeq: UInt64?) {
        if !realTime {
            let events = taker.eventsPromise()
            let requests = max(taker.requestsPromise, events)
            if events > promisedEvents {
                promisedEvents = events
                sink.watermark(time: events, afterSeq: afterSeq)
            }
            if requests > promisedRequests {
                promisedRequests = requests
                sink.requestsWatermark(time: requests == .max ? events : requests, afterSeq: afterSeq, final: requests == .max)
            }
        }
        sink.poll()
        feed.pump(timeoutMs: realTime ? 1 : 2, into: taker)
        if !realTime { taker.advanceCompletionsFrontier(to: feed.frontier) }
    }

    /// The feedback's counts, logged at the run's end.
    func report(_ taker: any CompletionTaker, logger: Logger) {
        let counts = taker.feedbackCounts
        var ignored = feed.ignored.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: ",")
        if ignored.isEmpty { ignored = "none" }
        logger.notice("feedback", metadata: [
            "completions_read": "\(feed.consumed)", "accepted": "\(counts.accepted)", "ignored": "\(ignored)",
            "for_other_shards": "\(feed.forOtherShards)",
            "late_follow_ups": "\(counts.lateFollowUps)", "raised_think_times": "\(counts.raisedThinkTimes)",
            "ended_no_response": "\(counts.endedNoResponse)", "ended_failed": "\(counts.endedFailed)",
            "awaiting": "\(taker.awaitingCompletions)", "follow_ups_paced": "\(followUpLateness.count)",
            "follow_up_lateness_ms": "\(Self.milliseconds(followUpLateness))",
        ])
    }

    /// "p50=0.412,p99=1.873,max=4.201" (milliseconds), or "none" when nothing was paced.
    static func milliseconds(_ lateness: LatenessQuantiles) -> String {
        guard let p50 = lateness.quantile(0.5), let p99 = lateness.quantile(0.99) else { return "none" }
        let ms = { (value: UInt64) -> String in
            let micro = (value + 500) / 1000
            let fraction = String(micro % 1000)
            return "\(micro / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
        }
        return "p50=\(ms(p50)),p99=\(ms(p99)),max=\(ms(lateness.maximum))"
    }
}
