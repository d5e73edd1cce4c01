import Synchronization
import WorkloadKafka

/// What of the producer's own tallies the delivery metrics already hold, so that
/// `events_published_total{topic}`, `delivery_failures_total{error}` and
/// `watermark_records_total` are live: brought up to date by the delivery service
/// (every 100 ms), by the generating loop's housekeeping, and once more after the
/// final flush, from any of those threads. Counters only move forward, by the
/// difference since the last call, under one lock: nothing is counted twice.
final class DeliveryMetricsSync: Sendable {
    private struct Seen {
        var published: [String: Int] = [:]
        var failed = 0
        var failures: [String: Int] = [:]
        var watermarks = 0
    }

    private let seen = Mutex(Seen())

    func sync(watermarkRecords: Int, into metrics: DaemonMetrics) {
        seen.withLock { seen in
            guard watermarkRecords > seen.watermarks else { return }
            metrics.watermarkRecords.increment(by: watermarkRecords - seen.watermarks)
            seen.watermarks = watermarkRecords
        }
    }

    func sync(_ stats: DeliveryStats, into metrics: DaemonMetrics) {
        seen.withLock { seen in
            for (topic, count) in stats.deliveredByTopic where count > seen.published[topic, default: 0] {
                if let index = metrics.topics.firstIndex(of: topic) {
                    metrics.eventsPublished(topicIndex: index, count: UInt64(count - seen.published[topic, default: 0]))
                }
                seen.published[topic] = count
            }
            guard stats.failed > seen.failed else { return }
            seen.failed = stats.failed
            for (error, count) in stats.failuresByError where count > seen.failures[error, default: 0] {
                metrics.deliveryFailed(error: error, count: UInt64(count - seen.failures[error, default: 0]))
                seen.failures[error] = count
            }
        }
    }
}

extension DaemonMetrics {
    /// Brings the delivery metrics up to `stats` (any thread).
    func syncDeliveries(_ stats: DeliveryStats) {
        deliverySync.sync(stats, into: self)
    }

    /// Brings the delivery and watermark metrics up to what `sink` reports (the generating thread).
    func syncDeliveries(from sink: EventSink) {
        deliverySync.sync(watermarkRecords: sink.watermarkRecords, into: self)
        if let stats = sink.deliveryStats { deliverySync.sync(stats, into: self) }
    }
}
