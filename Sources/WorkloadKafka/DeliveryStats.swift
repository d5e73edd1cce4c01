/// Outcome counts of a producer's delivery reports.
///
/// A record is counted once, when librdkafka reports its final outcome.
/// Records still queued or in flight are in neither count (see
/// ``KafkaProducer/outstanding``): nothing is claimed delivered before the
/// broker acknowledged it.
public struct DeliveryStats: Sendable, Hashable {
    /// Records acknowledged by the cluster (with `acks=all`, by all in-sync replicas).
    public var delivered: Int = 0
    /// Records that permanently failed (including ones purged at shutdown).
    public var failed: Int = 0
    /// Failed records by librdkafka error name, e.g. `["_PURGE_QUEUE": 3]`.
    public var failuresByError: [String: Int] = [:]
    /// The most recent delivery failure.
    public var lastError: KafkaError?
    /// The first failure that retrying could not mend (not retriable, and not
    /// a purge asked for by this side), e.g. TOPIC_AUTHORIZATION_FAILED.
    public var firstPermanentError: KafkaError?
    /// How many `produce` calls found the local queue full and had to wait
    /// for room (backpressure), whether or not they then succeeded.
    public var queueFullWaits: Int = 0
    /// When the first record was acknowledged (`CLOCK_MONOTONIC` nanoseconds,
    /// comparable across processes): time-to-first-event measurements.
    public var firstDeliveredAtMonotonicNanoseconds: UInt64?

    /// An empty tally.
    public init() {}
}
