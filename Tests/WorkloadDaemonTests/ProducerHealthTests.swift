import Testing
@testable import WorkloadDaemon
import WorkloadKafka
@testable import WorkloadConfig

/// The health rules on an injected clock: no sleeping, every transition exact.
@Suite("ProducerHealth")
struct ProducerHealthTests {
    func make(timeout: Double = 5, saturation: Double = 0.5, capacity: Int = 1_000, byteCapacity: Int = 1 << 20) -> (ProducerHealth, ManualClock) {
        var configuration = HealthConfiguration()
        configuration.brokerTimeoutSeconds = timeout
        configuration.queueSaturation = saturation
        let clock = ManualClock(now: 1_000_000_000)
        return (ProducerHealth(configuration: configuration, queueCapacity: capacity, queueByteCapacity: byteCapacity, clock: clock), clock)
    }

    @Test("records waiting with no acknowledgement: unhealthy only after the timeout, healthy at the next acknowledgement")
    func brokersUnreachable() {
        let (health, clock) = make(timeout: 5)
        #expect(health.observe(.init(outstanding: 10, delivered: 100, failed: false)).isHealthy)
        clock.advance(by: 5_000_000_000)  // exactly the timeout: not yet
        #expect(health.observe(.init(outstanding: 50, delivered: 100, failed: false)).isHealthy)
        clock.advance(by: 1)
        let down = health.observe(.init(outstanding: 50, delivered: 100, failed: false))
        #expect(down.brokersUnreachable && !down.isHealthy)
        clock.advance(by: 60_000_000_000)
        #expect(!health.observe(.init(outstanding: 50, delivered: 100, failed: false)).isHealthy)
        #expect(health.observe(.init(outstanding: 40, delivered: 110, failed: false)).isHealthy, "an acknowledgement")
    }

    @Test("nothing waiting is progress: an idle producer stays healthy however long no record is acknowledged")
    func idleIsHealthy() {
        let (health, clock) = make(timeout: 1)
        for _ in 0..<10 {
            clock.advance(by: 900_000_000)
            #expect(health.observe(.init(outstanding: 0, delivered: 7, failed: false)).isHealthy)
        }
        clock.advance(by: 1_000_000_001)
        #expect(!health.observe(.init(outstanding: 1, delivered: 7, failed: false)).isHealthy)
    }

    @Test("queue above the configured share: unhealthy while it lasts")
    func saturation() {
        let (health, _) = make(saturation: 0.5, capacity: 1_000)
        #expect(health.observe(.init(outstanding: 500, delivered: 1, failed: false)).isHealthy)
        let full = health.observe(.init(outstanding: 501, delivered: 2, failed: false))
        #expect(full.queueSaturated && !full.isHealthy)
        #expect(health.observe(.init(outstanding: 20, delivered: 3, failed: false)).isHealthy)
    }

    @Test("queue above the configured share of its byte bound: saturated, however few the records")
    func byteSaturation() {
        let (health, _) = make(saturation: 0.9, capacity: 1_000_000, byteCapacity: 64 << 20)
        let mostlyFull = Int(0.9 * Double(64 << 20))
        #expect(health.observe(.init(outstanding: 100, delivered: 1, failed: false, queuedBytes: mostlyFull)).isHealthy)
        let full = health.observe(.init(outstanding: 100, delivered: 2, failed: false, queuedBytes: mostlyFull + 1))
        #expect(full.queueSaturated && !full.isHealthy, "0.9 of 64 MiB in 100 records of a 1,000,000-record bound")
        #expect(health.observe(.init(outstanding: 100, delivered: 3, failed: false, queuedBytes: 1_000)).isHealthy)
    }

    @Test("a fatal or permanent failure stays unhealthy")
    func failedIsSticky() {
        let (health, _) = make()
        #expect(!health.observe(.init(outstanding: 0, delivered: 1, failed: true)).isHealthy)
        #expect(!health.observe(.init(outstanding: 0, delivered: 2, failed: false)).isHealthy)
        #expect(health.state.failed)
    }
}

/// The queue rule on a real producer whose broker is down: what fills first is the byte bound.
@Suite("HealthMonitor: queue bytes", .timeLimit(.minutes(10)))
struct HealthMonitorQueueBytesTests {
    @Test("records held by a broker that is down fill 90% of queue.buffering.max.kbytes long before the message bound: queue_saturated")
    func bytesSaturate() throws {
        let logger = daemonTestLogger("health")
        let cluster = try MockCluster(brokers: 1, logger: logger)
        try cluster.createTopic("bytes", partitions: 1, replicationFactor: 1)
        let configuration = ProducerConfiguration(
            bootstrapServers: cluster.bootstrapServers,
            properties: ["queue.buffering.max.kbytes": "64", "reconnect.backoff.max.ms": "500"])
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        try producer.waitUntilConnected(timeoutMs: 5_000)
        try cluster.setBrokerDown(1)
        let monitor = HealthMonitor(producer: producer, producerConfiguration: configuration,
                                    configuration: HealthConfiguration(), clock: SystemWallClock(), metrics: nil)

        let value = [UInt8](repeating: 0x61, count: 1024)
        for _ in 0..<30 { try producer.produce(topic: "bytes", partition: 0, key: Array("k".utf8), value: value) }
        monitor.observe()
        #expect(!monitor.health.state.queueSaturated, "30 KiB of a 64 KiB bound")
        for _ in 30..<60 { try producer.produce(topic: "bytes", partition: 0, key: Array("k".utf8), value: value) }
        monitor.observe()
        print("queue with 60 records of 1 KiB: \(producer.queuedBytes) bytes, \(producer.outstanding) records")
        #expect(producer.queuedBytes == 60 * 1024)
        #expect(monitor.health.state.queueSaturated, "60 KiB of 64 KiB, 60 records of 1,000,000")

        try cluster.setBrokerUp(1)
        #expect(producer.flush(timeoutMs: 20_000))
        #expect(producer.queuedBytes == 0, "every delivery report takes its bytes off")
        monitor.observe()
        #expect(monitor.health.state.isHealthy)
    }
}
