import Foundation
import Logging
import Testing
import WorkloadConfig
import WorkloadDaemon
import WorkloadKafka

/// A topic the run publishes to that does not exist is a configuration problem: exit 78
/// naming the topic and its key, nothing published, nothing created. (Creating them with
/// `kafka.create_topics` needs a broker with a controller: librdkafka 2.0.2's mock cluster
/// times out CreateTopics, so that half is in the real-broker suite, `RealBrokerTests`.)
extension DaemonIntegrationTests {
    @Suite("run with a topic missing", .timeLimit(.minutes(10)))
    struct TopicMissing {
        @Test("sessions topic missing: exit 78 naming llm.sessions and kafka.topics.sessions; nothing created")
        func missingTopicIsAConfigurationError() async throws {
            let cluster = try MockCluster(brokers: 1, logger: daemonTestLogger("mock"))
            try cluster.createTopic("llm.requests", partitions: 2, replicationFactor: 1)
            var configuration = try exampleConfiguration(duration: 5)
            configuration.kafka.brokers = cluster.bootstrapServers
            configuration.metrics.listen = ""
            configuration.clock.mode = .accelerated
            configuration.clock.speed = nil
            let log = ProduceErrorLog()
            let runConfiguration = configuration
            // Waited for on a thread of its own: the run needs Swift's cooperative pool, which a blocked test would hold.
            let status = try await onThread {
                DaemonRun(configuration: runConfiguration, options: RunOptions(), logger: Logger(label: "daemon") { _ in log })
                    .waitForStatus(timeout: 60)
            }
            let lines = log.entries.withLock { $0 }.joined(separator: "\n")
            #expect(status == 78, "\(lines)")
            #expect(lines.contains("topic llm.sessions (kafka.topics.sessions) missing"), "\(lines)")
            #expect(!lines.contains("llm.requests (kafka.topics.requests)"), "only the missing topic is named: \(lines)")
            #expect(lines.contains("kafka.create_topics: {partitions: N, replication_factor: R}"), "\(lines)")
            let admin = try KafkaAdmin(bootstrapServers: cluster.bootstrapServers, logger: daemonTestLogger("admin"))
            #expect(try admin.topicPartitionCounts(timeoutMs: 10_000)["llm.sessions"] == nil, "a refused start creates nothing")
        }
    }
}

@Suite("kafka.create_topics")
struct CreateTopicsConfigTests {
    @Test("absent: nil (a missing topic refuses); {}: 6 partitions, 1 replica; given values kept; every topic listed with its key")
    func readsWithDefaults() throws {
        #expect(try Configuration.parse(yaml: configYAML()).kafka.createTopics == nil)
        let defaults = try #require(try Configuration.parse(yaml: configYAML(top: "kafka: {create_topics: {}}")).kafka.createTopics)
        #expect(defaults.partitions == 6 && defaults.replicationFactor == 1)
        let given = try #require(try Configuration.parse(
            yaml: configYAML(top: "kafka: {create_topics: {partitions: 12, replication_factor: 3}}")).kafka.createTopics)
        #expect(given.partitions == 12 && given.replicationFactor == 3)
        let topics = KafkaTopics().all
        #expect(topics.map(\.key) == ["kafka.topics.requests", "kafka.topics.sessions"])
        #expect(topics.map(\.name) == ["llm.requests", "llm.sessions"])
    }

    @Test("bad values: every problem named with its key and value")
    func badValuesAreNamed() {
        let found = problems(configYAML(top: "kafka: {create_topics: {partitions: 0, replication_factor: 40000, replicas: 2}}"))
        #expect(found.contains { $0.contains("kafka.create_topics.partitions") && $0.contains("got 0") }, "\(found)")
        #expect(found.contains { $0.contains("kafka.create_topics.replication_factor") && $0.contains("got 40000") }, "\(found)")
        #expect(found.contains { $0.contains("kafka.create_topics.replicas") }, "\(found)")
    }
}
