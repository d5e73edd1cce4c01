/// Outcome counts of a producer's delivery reports.
///
/// A record is counted once, when librdkafka reports its final outcome.
/// Records still queued or in flight are in neither count (see
/// ``KafkaProducer/outstanding``): nothing is claimed delivered before the
/// broker acknowledged it.
package struct DeliveryStats: Sendable, Hashable {
    /// Records acknowledged by the cluster (with `acks=all`, by all in-sync replicas).
    package var delivered: Int = 0
    /// Records that permanently failed (including ones purged at shutdown).
    package var failed: Int = 0
    /// Failed records by librdkafka error name, e.g. `["_PURGE_QUEUE": 3]`.
    package var failuresByError: [String: Int] = [:]
    /// The most recent delivery failure.
    package var lastError: KafkaError?
    /// The first failure that retrying could not mend (not retriable, and not
    /// a purge asked for by this side), e.g. TOPIC_AUTHORIZATION_FAILED.
    package var firstPermanentError: KafkaError?
    /// How many `produce` calls found the local queue full and had to wait
    /// for room (backpressure), whether or not they then succeeded.
    package var queueFullWaits: Int = 0
    /// When the first record was acknowledged (`CLOCK_MONOTONIC` nanoseconds,
    /// comparable across processes): time-to-first-event measurements.
    package var firstDeliveredAtMonotonicNanoseconds: UInt64?

    /// Records acknowledged, by topic name (topics this producer resolved).
    package var deliveredByTopic: [String: Int] {
        Dictionary(zip(topicNames, topicDelivered), uniquingKeysWith: +)
    }

    // Per-topic tallies by the topic handle's address: a delivery report finds
    // its slot by pointer comparison, without building a String.
    var topicHandles: [UInt] = []
    var topicNames: [String] = []
    var topicDelivered: [Int] = []
    /// Per topic slot, per partition: the highest offset acknowledged (-1: none yet).
    var topicOffsets: [[Int64]] = []
    /// Per topic slot, per partition: records acknowledged.
    var topicPartitionDelivered: [[Int]] = []

    /// The highest offset acknowledged per partition, by topic name (-1: none
    /// yet on that partition). A producer's records keep their produce order
    /// within a partition, so every record it produces later lands above it.
    package var highestOffsets: [String: [Int64]] {
        Dictionary(uniqueKeysWithValues: zip(topicNames, topicOffsets))  // a topic has one slot (`topicSlot`)
    }

    /// Records acknowledged per partition, by topic name. Delivery reports of a
    /// partition come in produce order (the idempotent producer keeps a
    /// partition's records in order, and a record is acknowledged only after
    /// every earlier one of its partition), so a count of N says the first N
    /// records produced to that partition are in Kafka.
    package var deliveredByPartition: [String: [Int]] {
        Dictionary(uniqueKeysWithValues: zip(topicNames, topicPartitionDelivered))
    }

    /// Notes an acknowledged record at `offset` of `partition` of the topic in `slot`.
    mutating func acknowledged(slot: Int, partition: Int32, offset: Int64) {
        guard partition >= 0 else { return }
        let index = Int(partition)
        if topicOffsets[slot].count <= index {
            topicOffsets[slot] += [Int64](repeating: -1, count: index + 1 - topicOffsets[slot].count)
            topicPartitionDelivered[slot] += [Int](repeating: 0, count: index + 1 - topicPartitionDelivered[slot].count)
        }
        topicPartitionDelivered[slot][index] += 1
        if offset > topicOffsets[slot][index] { topicOffsets[slot][index] = offset }
    }

    /// An empty tally.
    package init() {}

    /// The slot of the topic with handle `handle` (named `name()` if new).
    mutating func topicSlot(handle: UInt, name: () -> String) -> Int {
        if let index = topicHandles.firstIndex(of: handle) { return index }
        let topic = name()
        if let index = topicNames.firstIndex(of: topic) {
            topicHandles[index] = handle
            return index
        }
        topicHandles.append(handle)
        topicNames.append(topic)
        topicDelivered.append(0)
        topicOffsets.append([])
        topicPartitionDelivered.append([])
        return topicHandles.count - 1
    }
}
