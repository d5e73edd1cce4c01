import Testing
import WorkloadKafka

/// With no broker reachable nothing may be claimed delivered, and a full
/// queue must slow the caller down instead of dropping records.
@Suite("Producer outage and backpressure (mock cluster)", .mockCluster, .timeLimit(.minutes(10)))
struct ProducerOutageTests {
    @Test("all brokers down: flush times out, records stay outstanding, none claimed delivered")
    func allBrokersDown() throws {
        let cluster = try MockCluster(brokers: 3, logger: testLogger("mock"))
        let records = NumberedRecords(topic: "outage", partitionCount: 2)
        try cluster.createTopic(records.topic, partitions: 2, replicationFactor: 3)
        let producer = try KafkaProducer(configuration: testProducerConfiguration(cluster), logger: testLogger("producer"))
        try records.produce(0..<10, with: producer)
        #expect(producer.flush(timeoutMs: 10_000))
        #expect(producer.deliveryStats.delivered == 10)

        for broker in 1...cluster.brokerCount { try cluster.setBrokerDown(broker) }
        try records.produce(10..<60, with: producer)
        #expect(!producer.flush(timeoutMs: 500))
        #expect(producer.outstanding >= 50)
        var stats = producer.deliveryStats
        #expect(stats.delivered == 10)
        #expect(stats.failed == 0)

        // A bounded shutdown gives up on them: each is reported failed, none delivered.
        producer.purge(timeoutMs: 2_000)
        stats = producer.deliveryStats
        #expect(stats.delivered == 10)
        #expect(stats.failed == 50)
        #expect(stats.failuresByError.values.reduce(0, +) == 50)
        #expect(Set(stats.failuresByError.keys).isSubset(of: ["_PURGE_QUEUE", "_PURGE_INFLIGHT"]))
        #expect(producer.outstanding == 0)
    }

    @Test("a full queue blocks produce (abortable) instead of dropping; all delivered after recovery")
    func backpressure() throws {
        let cluster = try MockCluster(brokers: 3, logger: testLogger("mock"))
        let records = NumberedRecords(topic: "backpressure", partitionCount: 2)
        try cluster.createTopic(records.topic, partitions: 2, replicationFactor: 3)
        let producer = try KafkaProducer(
            configuration: testProducerConfiguration(cluster, ["queue.buffering.max.messages": "100"]),
            logger: testLogger("producer")
        )
        try producer.waitUntilConnected(timeoutMs: 5_000)
        for broker in 1...cluster.brokerCount { try cluster.setBrokerDown(broker) }

        let clock = ContinuousClock()
        let giveUp = clock.now + .milliseconds(800)
        let started = clock.now
        let queued = try records.produce(0..<1_000, with: producer) { clock.now >= giveUp }
        #expect(clock.now - started >= .milliseconds(800), "produce waited until told to stop")
        #expect(queued == 100, "exactly the queue's capacity was accepted")
        var stats = producer.deliveryStats
        #expect(stats.queueFullWaits == 1, "one produce call waited, then gave up")
        #expect(stats.delivered == 0)
        #expect(stats.failed == 0)
        #expect(producer.outstanding >= queued)

        for broker in 1...cluster.brokerCount { try cluster.setBrokerUp(broker) }
        // The rest goes through the 100-slot queue as the cluster drains it.
        let bound = clock.now + .seconds(20)
        let rest = try records.produce(queued..<1_000, with: producer) { clock.now >= bound }
        #expect(rest == 1_000 - queued)
        #expect(producer.flush(timeoutMs: 20_000))
        stats = producer.deliveryStats
        #expect(stats.delivered == 1_000)
        #expect(stats.failed == 0)
        records.verifyExactlyOnceInOrder(
            try readAll(cluster, topic: records.topic, partitionCount: 2, expected: 1_000), count: 1_000
        )
    }
}
