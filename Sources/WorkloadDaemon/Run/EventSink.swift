import ServiceLifecycle
import WorkloadKafka
import WorkloadModel

/// Where the daemon's events go. Implementations are driven from the one
/// generating thread.
package protocol EventSink: AnyObject {
    /// Publishes one event whose encoded JSON object (no newline) is `value`.
    /// Waits while the sink is full (backpressure); throws only when the sink
    /// can take nothing more.
    func publish(_ event: Event, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(SinkError)

    /// Promises that no later event has `time_s` below `time`.
    func watermark(time: VirtualNanoseconds, afterSeq: UInt64?)

    /// `feedback`: promises on the requests topic alone (at least as far as on
    /// every topic), so that the service can answer while the generator waits
    /// for its completions; `final`: no request follows at all.
    func requestsWatermark(time: VirtualNanoseconds, afterSeq: UInt64?, final: Bool)

    /// The last watermark: the stream has ended, nothing follows (`final: true`).
    func endOfStream(time: VirtualNanoseconds, afterSeq: UInt64?)

    /// `clock.on_resume: skip`: marks the virtual interval that fell due while stopped and is not published.
    func skippedInterval(from: VirtualNanoseconds, to: VirtualNanoseconds, afterSeq: UInt64?)

    /// Serves callbacks (delivery reports); called often from the loop.
    func poll()

    /// Records accepted but not yet confirmed.
    var outstanding: Int { get }

    /// A failure found after `publish` returned (a fatal producer error, a
    /// record Kafka rejected for good): the run stops generating when set.
    var failure: SinkError? { get }

    /// Kafka's delivery reports so far (nil for sinks without them).
    var deliveryStats: DeliveryStats? { get }

    /// Watermark records handed to the producer so far.
    var watermarkRecords: Int { get }

    /// Flushes within `timeoutSeconds` and reports what became of every event.
    func finish(timeoutSeconds: Double) -> SinkOutcome

    /// Records handed to Kafka so far, per partition of both topics (the
    /// requests topic's partitions, then the sessions topic's); empty for
    /// sinks without acknowledgements. Read on the generating thread, no lock.
    var producedRecords: [Int] { get }

    /// One consistent reading of the delivery reports: records acknowledged per
    /// partition (laid out as `producedRecords`) and records failed in all.
    var acknowledgedRecords: (records: [Int], failed: Int) { get }

    /// Per topic, per partition: an offset at or above which every record of
    /// this run after event `seq` lies (-1: unknown), for a checkpoint at `seq`.
    func resumeOffsets(after seq: UInt64?) -> [String: [Int64]]

    /// After a restart: the highest seq of this run and shard Kafka already holds (read back), if any.
    var highestHeldSeq: UInt64? { get }

    /// After a restart: the latest watermark time this shard wrote before it (read back), if any.
    var latestHeldWatermark: VirtualNanoseconds? { get }

    /// After a restart: events not published again because Kafka already held them; nil when
    /// nothing was read back.
    var skippedOnResume: Int? { get }

    /// The service that serves this sink's delivery reports from now on, on a thread of its
    /// own (nil for sinks without them). The sink's own `poll()` then leaves the reports to it.
    func deliveryReportsService(metrics: DaemonMetrics?) -> (any Service)?

    /// While stopping: a wait for room in a full queue gives up once `shouldAbort` says so.
    func giveUpWaiting(when shouldAbort: @escaping () -> Bool)

    /// `clock.start: now`: virtual time 0 is `unixNanoseconds` (where pacing began), for the
    /// records the sink encodes or stamps itself (watermarks, event-time stamps).
    func anchor(atUnixNanoseconds unixNanoseconds: Int64)
}

extension EventSink {
    package func endOfStream(time: VirtualNanoseconds, afterSeq: UInt64?) { watermark(time: time, afterSeq: afterSeq) }
    package func skippedInterval(from: VirtualNanoseconds, to: VirtualNanoseconds, afterSeq: UInt64?) {}
    package func requestsWatermark(time: VirtualNanoseconds, afterSeq: UInt64?, final: Bool) {}
    package var failure: SinkError? { nil }
    package var deliveryStats: DeliveryStats? { nil }
    package var watermarkRecords: Int { 0 }
    package var producedRecords: [Int] { [] }
    package var acknowledgedRecords: (records: [Int], failed: Int) { ([], 0) }
    package func resumeOffsets(after seq: UInt64?) -> [String: [Int64]] { [:] }
    package var highestHeldSeq: UInt64? { nil }
    package var latestHeldWatermark: VirtualNanoseconds? { nil }
    package var skippedOnResume: Int? { nil }
    package func deliveryReportsService(metrics: DaemonMetrics?) -> (any Service)? { nil }
    package func giveUpWaiting(when shouldAbort: @escaping () -> Bool) {}
    package func anchor(atUnixNanoseconds unixNanoseconds: Int64) {}
}

/// What a sink did with the events it was given.
package struct SinkOutcome: Sendable, Equatable {
    package var delivered = 0
    package var failed = 0
    /// Still queued when the flush bound ran out (then purged, so also in `failed`).
    package var undelivered = 0
    package var failuresByError: [String: Int] = [:]
    /// What made the sink unusable, if anything did.
    package var failure: SinkError?
    /// When the first record was acknowledged (`CLOCK_MONOTONIC` ns), if ever.
    package var firstDeliveredAtMonotonicNanoseconds: UInt64?
    /// Records `faults` changed (Kafka sink with a `faults` section only).
    package var faults: FaultCounts?

    package var isClean: Bool { failed == 0 && undelivered == 0 && failure == nil }
}

/// Why a sink could take nothing more.
package struct SinkError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// A write to standard output or a file failed (closed pipe, full disk): exit 74.
        case output
        /// The producer hit a fatal error and cannot be used any more: exit 70.
        case kafkaFatal
        /// Kafka rejected a record for good (not retriable, e.g.
        /// TOPIC_AUTHORIZATION_FAILED): exit 69.
        case kafkaRejected
    }

    package var message: String
    package var kind: Kind
    package var isFatal: Bool { kind == .kafkaFatal }
    package var description: String { message }

    package init(message: String, kind: Kind) {
        self.message = message
        self.kind = kind
    }
}
