import Foundation
import Logging
import WorkloadConfig
import WorkloadKafka

/// The start-up step that makes sure every topic the run publishes to exists:
/// with `kafka.create_topics` it creates the missing ones (Admin API
/// CreateTopics) and says which; without it a missing topic is a configuration
/// problem (exit 78 naming the topic and its key), not an outage: systemd
/// would restart an exit 69 forever, and no restart creates a topic.
struct TopicProvisioning {
    var brokers: String
    var topics: [(key: String, name: String)]
    var create: TopicCreationSettings?
    var properties: [String: String]
    var logger: Logger
    /// How long one admin request may wait for its answer.
    var timeoutMs: Int32 = 10_000
    /// How long newly created topics may take to show in metadata with all their partitions.
    var settleMs: Int = 10_000

    init(configuration: Configuration, logger: Logger) {
        brokers = configuration.kafka.brokers
        topics = configuration.kafka.topics.all
        create = configuration.kafka.createTopics
        properties = configuration.kafka.librdkafka
        self.logger = logger
    }

    /// Why provisioning failed, with the exit status it calls for.
    struct Failure: Error, CustomStringConvertible {
        var status: Int32
        var description: String
    }

    /// Nil when every topic exists (created now or before), else the exit status; logs why.
    func run() -> Int32? {
        do {
            let created = try ensure()
            if !created.isEmpty {
                logger.notice("created the missing topics", metadata: [
                    "topics": "\(created.joined(separator: ", "))",
                    "partitions": "\(create?.partitions ?? 0)",
                    "replication_factor": "\(create?.replicationFactor ?? 0)",
                ])
            }
            return nil
        } catch {
            logger.critical("\(error.description)")
            return error.status
        }
    }

    /// The names of the topics it created (empty when all existed).
    func ensure() throws(Failure) -> [String] {
        let admin: KafkaAdmin
        var present: [String: Int32]
        do {
            admin = try KafkaAdmin(bootstrapServers: brokers, properties: properties, logger: logger)
            present = try admin.topicPartitionCounts(timeoutMs: timeoutMs)
        } catch {
            throw Failure(status: Daemon.Status.unavailable, description: "cannot list the topics on \(brokers): \(error)")
        }
        let missing = topics.filter { present[$0.name] == nil }
        guard !missing.isEmpty else { return [] }
        guard let create else {
            let list = missing.map { "\($0.name) (\($0.key))" }.joined(separator: ", ")
            throw Failure(status: Daemon.Status.config, description: """
                \(missing.count == 1 ? "topic" : "topics") \(list) missing on \(brokers): create \
                \(missing.count == 1 ? "it" : "them"), or set kafka.create_topics: {partitions: N, replication_factor: R} \
                to have run create missing topics
                """)
        }
        let outcomes: [TopicCreation]
        do {
            outcomes = try admin.createTopics(
                missing.map { NewTopic(name: $0.name, partitions: create.partitions, replicationFactor: create.replicationFactor) },
                timeoutMs: timeoutMs)
        } catch {
            throw Failure(status: error.isRefusedRequest ? Daemon.Status.config : Daemon.Status.unavailable,
                          description: "cannot create topics on \(brokers) (kafka.create_topics): \(error)")
        }
        var created: [String] = []
        for (topic, outcome) in zip(missing, outcomes) {
            switch outcome {
            case .created: created.append(topic.name)
            case .alreadyExists: break
            case .failed(let error):
                throw Failure(status: error.isRefusedRequest ? Daemon.Status.config : Daemon.Status.unavailable, description: """
                    cannot create topic \(topic.name) (\(topic.key)) with kafka.create_topics: {partitions: \(create.partitions), \
                    replication_factor: \(create.replicationFactor)}: \(error)
                    """)
            }
        }
        try settle(admin, names: missing.map(\.name))
        return created
    }

    /// Waits until metadata shows every topic in `names`: a broker answers CreateTopics
    /// before every broker's metadata knows the new topic.
    private func settle(_ admin: KafkaAdmin, names: [String]) throws(Failure) {
        let deadline = SteadyClock.nanoseconds() &+ UInt64(settleMs) * 1_000_000
        while true {
            let present = (try? admin.topicPartitionCounts(timeoutMs: timeoutMs)) ?? [:]
            if names.allSatisfy({ present[$0] != nil }) { return }
            if SteadyClock.nanoseconds() >= deadline {
                throw Failure(status: Daemon.Status.unavailable,
                              description: "created topics \(names.joined(separator: ", ")) but the brokers' metadata did not show them within \(settleMs) ms")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}
