import Foundation
import Testing
import WorkloadKafka

/// A produce that librdkafka rejects synchronously, with headers: the path on
/// which 2.0.2's `rd_kafka_produceva` frees its own header list twice
/// (confluentinc/librdkafka#4627). The producer passes a list it owns, so this must
/// throw, not crash the test process.
@Suite("Producer rejections (mock cluster)", .mockCluster, .timeLimit(.minutes(10)))
struct ProducerRejectionTests {
    @Test("Produce answered TOPIC_AUTHORIZATION_FAILED: later produces throw it synchronously, nothing crashes, every record accounted")
    func topicAuthorizationFailed() throws {
        let topic = "reject.auth"
        let cluster = try MockCluster(brokers: 1, logger: testLogger("mock"))
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(
            configuration: testProducerConfiguration(cluster, ["topic.metadata.refresh.interval.ms": "100"]),
            logger: testLogger("producer"))
        try producer.waitUntilConnected(timeoutMs: 5_000)
        let records = NumberedRecords(topic: topic, partitionCount: 2)
        try records.produce(0..<100, with: producer)
        #expect(producer.flush(timeoutMs: 10_000))

        let topicAuthorizationFailed: Int32 = 29
        let produceAPI: Int16 = 0
        cluster.pushRequestErrors(apiKey: produceAPI, errors: Array(repeating: topicAuthorizationFailed, count: 5))
        // Produce until the producer has learnt the topic's state from a metadata refresh.
        var rejection: KafkaError?
        var queued = 0
        let deadline = Date().addingTimeInterval(10)
        while rejection == nil && Date() < deadline {
            do {
                try records.produce(queued..<(queued + 1), with: producer)
                queued += 1
            } catch {
                rejection = error
            }
            producer.poll(timeoutMs: 1)
        }
        print("rejection after \(queued) records: \(String(describing: rejection)); stats \(producer.deliveryStats); fatal \(String(describing: producer.fatalError))")
        #expect(rejection?.code == topicAuthorizationFailed, "\(String(describing: rejection))")
        #expect(rejection?.isRetriable == false)
        // Rejected again, as often as asked: each rejection destroys our header list once.
        for i in 0..<50 {
            #expect(throws: KafkaError.self) { try records.produce(i..<(i + 1), with: producer) }
        }
        _ = producer.flush(timeoutMs: 5_000)
        let stats = producer.deliveryStats
        #expect(stats.delivered + stats.failed == 100 + queued, "every record has a final outcome: \(stats)")
        if stats.failed > 0 {
            #expect(stats.firstPermanentError?.code == topicAuthorizationFailed)
        }
    }
}
