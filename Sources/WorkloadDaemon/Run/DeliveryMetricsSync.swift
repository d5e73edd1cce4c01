import WorkloadKafka

/// Brings the delivery metrics up to the producer's own tallies, so that
/// `events_published_total{topic}` and `delivery_failures_total{error}` are
/// live: called by the generating loop's housekeeping (every 100 ms paced,
/// every 256 events at `max`) and once more after the final flush. Counters
/// only move forward, by the difference since the last call.
final class DeliveryMetricsSync {
    private var published: [String: Int] = [:]
    private var failed = 0
    private var failures: [String: Int] = [:]
    private var watermarks = 0

    func sync(_ sink: EventSink, into metrics: DaemonMetrics) {
        if sink.watermarkRecords != watermarks {
            metrics.watermarkRecords.increment(by: UInt64(sink.watermarkRecords - watermarks))
            watermarks = sink.watermarkRecords
        }
        guard let stats = sink.deliveryStats else { return }
        for (topic, count) in stats.deliveredByTopic where count != published[topic, default: 0] {
            if let index = metrics.topics.firstIndex(of: topic) {
                metrics.eventsPublished(topicIndex: index, count: UInt64(count - published[topic, default: 0]))
            }
            published[topic] = count
        }
        guard stats.failed != failed else { return }
        failed = stats.failed
        for (error, count) in stats.failuresByError where count != failures[error, default: 0] {
            metrics.deliveryFailed(error: error, count: UInt64(count - failures[error, default: 0]))
            failures[error] = count
        }
    }
}
