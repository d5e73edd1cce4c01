import Foundation
import WorkloadKafka

/// Observes the producer every 100 ms on a thread of its own (the generating
/// thread may be blocked in a full queue for as long as an outage lasts, so it
/// cannot be the one to notice) and exports the health as metrics:
/// `llm_workload_healthy` (1 or 0) and `llm_workload_health_problem{problem}`
/// (1 while `brokers_unreachable`, `queue_saturated` or `failed`).
final class HealthMonitor: Sendable {
    let health: ProducerHealth
    private let producer: KafkaProducer
    private let stopped = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let healthy: Gauge?
    private let problems: [Gauge]

    init(producer: KafkaProducer, queueCapacity: Int, configuration: HealthConfiguration, clock: any WallClock,
         metrics: DaemonMetrics?) {
        self.producer = producer
        health = ProducerHealth(configuration: configuration, queueCapacity: queueCapacity, clock: clock)
        healthy = metrics?.registry.gauge("llm_workload_healthy", help: "1 while /healthz answers 200, else 0.")
        let family = metrics?.registry.gaugeFamily(
            "llm_workload_health_problem", help: "1 while this problem makes /healthz answer 503.",
            labelNames: ["problem"], maxLabelSets: HealthState.problems.count)
        problems = family.map { family in HealthState.problems.map { family.labels($0) } } ?? []
        observe()
        let thread = Thread { [self] in
            while stopped.wait(timeout: .now() + .milliseconds(100)) == .timedOut { observe() }
            finished.signal()
        }
        thread.name = "health-monitor"
        thread.start()
    }

    private func observe() {
        let stats = producer.deliveryStats
        let state = health.observe(.init(
            outstanding: producer.outstanding, delivered: stats.delivered,
            failed: stats.firstPermanentError != nil || producer.fatalError != nil))
        healthy?.set(state.isHealthy ? 1 : 0)
        for (gauge, flag) in zip(problems, state.flags) { gauge.set(flag ? 1 : 0) }
    }

    /// Stops observing and joins the thread. Call once.
    func stop() {
        stopped.signal()
        finished.wait()
    }

    /// The producer's queue bound as configured (`queue.buffering.max.messages`).
    static func queueCapacity(_ configuration: ProducerConfiguration) -> Int {
        configuration.effectiveProperties.last { $0.name == "queue.buffering.max.messages" }.flatMap { Int($0.value) } ?? 100_000
    }
}
