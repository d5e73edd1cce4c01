import ServiceLifecycle
import Synchronization
import WorkloadKafka

/// Serves the producer's delivery reports and keeps the delivery metrics live, as a
/// service of its own on a dedicated thread: the generating thread may sleep in the
/// pacer or wait in a full queue for as long as an outage lasts, and reports (and with
/// them `events_published_total`, `delivery_failures_total` and the per-partition
/// acknowledgement counts a checkpoint waits for) must not wait for it.
///
/// librdkafka serves each report once, to whichever thread polls, so the generator's
/// own polls (it stops polling in its loop while this runs, but still polls while it
/// waits for room in a full queue, and its final flush serves the rest) can neither
/// lose nor double a report. It stops after the generator: the group shuts services
/// down in reverse order, and the generator's flush comes first.
final class DeliveryService: Service, Sendable {
    private let producer: KafkaProducer
    private let metrics: DaemonMetrics?
    private let running = Atomic(true)

    /// Each poll waits at most this long for a report, so a stop is noticed within it.
    static let pollTimeoutMs: Int32 = 10
    /// The delivery metrics are brought up to the producer's tallies this often.
    static let syncIntervalNanoseconds: UInt64 = 100_000_000

    init(producer: KafkaProducer, metrics: DaemonMetrics?) {
        self.producer = producer
        self.metrics = metrics
    }

    func run() async {
        _ = await withTaskCancellationOrGracefulShutdownHandler {
            await onDedicatedThread(name: "llm-workload.delivery") { self.serve() }
        } onCancelOrGracefulShutdown: {
            self.running.store(false, ordering: .releasing)
        }
    }

    /// Polls until stopped; returns the events it served (one can carry many reports).
    @discardableResult
    func serve() -> Int {
        var served = 0
        var lastSync: UInt64 = 0
        while running.load(ordering: .acquiring) {
            served += producer.poll(timeoutMs: Self.pollTimeoutMs)
            let now = SystemWallClock().now()
            if now &- lastSync >= Self.syncIntervalNanoseconds {
                lastSync = now
                metrics?.syncDeliveries(producer.deliveryStats)
            }
        }
        metrics?.syncDeliveries(producer.deliveryStats)
        return served
    }

    /// Ends `serve` (for callers that run it themselves, such as tests).
    func stop() { running.store(false, ordering: .releasing) }
}
