import CoreMetrics
import ServiceLifecycle
import WorkloadKafka
import WorkloadConfig

/// Observes the producer every 100 ms, as a service of its own: the generating
/// thread may be blocked in a full queue for as long as an outage lasts, so it
/// cannot be the one to notice. Exports the health as metrics,
/// `llm_workload_healthy` (1 or 0) and `llm_workload_health_problem{problem}`
/// (1 while `brokers_unreachable`, `queue_saturated` or `failed`), and keeps
/// `llm_workload_producer_queue_depth` current during such a stall. Every
/// call it makes is non-blocking, so it runs on the cooperative pool.
final class HealthMonitor: Service, Sendable {
    let health: ProducerHealth
    private let producer: KafkaProducer
    private let queueDepth: Meter?
    private let queueBytes: Meter?
    private let healthy: Meter?
    private let problems: [Meter]

    /// Observations this often.
    static let interval: Duration = .milliseconds(100)

    init(producer: KafkaProducer, producerConfiguration: ProducerConfiguration, configuration: HealthConfiguration,
         clock: any WallClock, metrics: DaemonMetrics?) {
        self.producer = producer
        health = ProducerHealth(
            configuration: configuration, queueCapacity: Self.queueCapacity(producerConfiguration),
            queueByteCapacity: Self.queueByteCapacity(producerConfiguration), clock: clock)
        queueDepth = metrics?.producerQueueDepth
        queueBytes = metrics?.gauge("llm_workload_producer_queue_bytes",
                                    help: "Value bytes of the records queued in the producer, not yet acknowledged.")
        healthy = metrics?.gauge("llm_workload_healthy", help: "1 while /healthz answers 200, else 0.")
        problems = metrics.map { metrics in
            HealthState.problems.map {
                metrics.gauge("llm_workload_health_problem", help: "1 while this problem makes /healthz answer 503.",
                              labels: [("problem", $0)])
            }
        } ?? []
        observe()
    }

    func run() async {
        // Until the group shuts this service down (after the generator has flushed).
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: Self.interval)
            observe()
        }
    }

    func observe() {
        let stats = producer.deliveryStats
        let outstanding = producer.outstanding
        let bytes = max(0, producer.queuedBytes)
        let state = health.observe(.init(
            outstanding: outstanding, delivered: stats.delivered,
            failed: stats.firstPermanentError != nil || producer.fatalError != nil,
            queuedBytes: bytes))
        queueDepth?.set(outstanding)
        queueBytes?.set(bytes)
        healthy?.set(state.isHealthy ? 1 : 0)
        for (gauge, flag) in zip(problems, state.flags) { gauge.set(flag ? 1 : 0) }
    }

    /// The producer's queue bound as configured (`queue.buffering.max.messages`).
    static func queueCapacity(_ configuration: ProducerConfiguration) -> Int {
        configuration.effectiveProperties.last { $0.name == "queue.buffering.max.messages" }.flatMap { Int($0.value) } ?? 100_000
    }

    /// The producer's queue bound in bytes as configured (`queue.buffering.max.kbytes`,
    /// librdkafka's default 1 GiB when unset).
    static func queueByteCapacity(_ configuration: ProducerConfiguration) -> Int {
        let kilobytes = configuration.effectiveProperties.last { $0.name == "queue.buffering.max.kbytes" }.flatMap { Int($0.value) }
        return (kilobytes ?? 1_048_576) * 1024
    }
}
