internal import CRdKafka
import Logging

/// A topic to create: its name, partition count and replication factor.
package struct NewTopic: Sendable, Equatable {
    package var name: String
    package var partitions: Int32
    package var replicationFactor: Int32

    package init(name: String, partitions: Int32, replicationFactor: Int32) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }
}

/// What the brokers answered for one topic of ``KafkaAdmin/createTopics(_:timeoutMs:)``.
package enum TopicCreation: Sendable, Equatable {
    case created
    /// Someone else (another shard, an operator) created it first.
    case alreadyExists
    case failed(KafkaError)
}

/// The Admin API side of the client: which topics exist, and creating them
/// (librdkafka's `rd_kafka_CreateTopics`).
///
/// A client handle of its own, with the bootstrap brokers and the user's
/// properties (security settings apply to admin requests too) but none of the
/// producer defaults: it never produces. Blocking, like the producer's
/// metadata calls: call it off the cooperative pool.
package final class KafkaAdmin: @unchecked Sendable {
    // @unchecked Sendable: `client` is an rd_kafka_t, safe to use from any
    // thread per librdkafka; nothing else is mutable.
    private let client: OpaquePointer
    private let contextPointer: UnsafeMutableRawPointer

    /// `properties` are librdkafka settings applied after `bootstrap.servers`.
    package init(bootstrapServers: String, properties: [String: String] = [:], logger: Logger) throws(KafkaError) {
        let context = ClientContext(logger: logger)
        let settings = [("client.id", "llm-workload-admin"), ("bootstrap.servers", bootstrapServers)]
            + properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let conf = try NativeConfiguration.make(settings)
        let opaque = context.install(on: conf, deliveryReports: false)
        do {
            client = try NativeConfiguration.newClient(RD_KAFKA_PRODUCER, conf: conf)
        } catch {
            ClientContext.release(opaque)
            throw error
        }
        contextPointer = opaque
    }

    deinit {
        rd_kafka_destroy(client)
        ClientContext.release(contextPointer)
    }

    /// Every topic the cluster has, with its partition count, from one metadata
    /// request for all topics (asking for a topic by name could create it on a
    /// broker with auto-creation on, with the broker's default partition count).
    package func topicPartitionCounts(timeoutMs: Int32) throws(KafkaError) -> [String: Int32] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(client, 1, nil, &metadata, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(err, message: "metadata for all topics: \(String(cString: rd_kafka_err2str(err)))")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        var counts: [String: Int32] = [:]
        for entry in UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        where entry.err == RD_KAFKA_RESP_ERR_NO_ERROR && entry.partition_cnt > 0 {
            counts[String(cString: entry.topic)] = entry.partition_cnt
        }
        return counts
    }

    /// Creates `topics` in one CreateTopics request and returns each topic's
    /// outcome, in the order given. Throws when the request as a whole failed
    /// (no broker answered within `timeoutMs`, an invalid argument).
    package func createTopics(_ topics: [NewTopic], timeoutMs: Int32) throws(KafkaError) -> [TopicCreation] {
        guard !topics.isEmpty else { return [] }
        var handles: [OpaquePointer?] = []
        defer { for handle in handles { rd_kafka_NewTopic_destroy(handle) } }
        for topic in topics {
            let made = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer -> Result<OpaquePointer, KafkaError> in
                buffer[0] = 0
                guard let handle = rd_kafka_NewTopic_new(topic.name, topic.partitions, topic.replicationFactor,
                                                         buffer.baseAddress, buffer.count) else {
                    return .failure(.invalidArgument("topic \(topic.name): \(String(cString: buffer.baseAddress!))"))
                }
                return .success(handle)
            }
            handles.append(try made.get())
        }
        guard let queue = rd_kafka_queue_new(client) else { throw .invalidArgument("rd_kafka_queue_new failed") }
        defer { rd_kafka_queue_destroy(queue) }
        guard let options = rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_CREATETOPICS) else {
            throw .invalidArgument("rd_kafka_AdminOptions_new failed")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            // The request's own timeout, and how long the controller may take to create them.
            _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, buffer.baseAddress, buffer.count)
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, buffer.baseAddress, buffer.count)
        }
        handles.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(client, buffer.baseAddress, buffer.count, options, queue)
        }
        // librdkafka ends the request itself at the request timeout; the margin only covers its bookkeeping.
        guard let event = rd_kafka_queue_poll(queue, timeoutMs + 5_000) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, message: "no answer to CreateTopics within \(timeoutMs) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let requestError = rd_kafka_event_error(event)
        guard requestError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(requestError, message: "CreateTopics: \(String(cString: rd_kafka_event_error_string(event)))")
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw .invalidArgument("CreateTopics answered with an event of another type")
        }
        var count = 0
        guard let entries = rd_kafka_CreateTopics_result_topics(result, &count) else { return [] }
        var outcomes: [String: TopicCreation] = [:]
        for entry in UnsafeBufferPointer(start: entries, count: count) {
            guard let entry else { continue }
            let name = String(cString: rd_kafka_topic_result_name(entry))
            let code = rd_kafka_topic_result_error(entry)
            switch code {
            case RD_KAFKA_RESP_ERR_NO_ERROR: outcomes[name] = .created
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: outcomes[name] = .alreadyExists
            default:
                let detail = rd_kafka_topic_result_error_string(entry).map { String(cString: $0) } ?? ""
                outcomes[name] = .failed(KafkaError(code, message: detail.isEmpty ? String(cString: rd_kafka_err2str(code)) : detail))
            }
        }
        return topics.map { topic in
            outcomes[topic.name] ?? .failed(KafkaError(RD_KAFKA_RESP_ERR__FAIL, message: "no result for topic \(topic.name)"))
        }
    }
}

extension KafkaError {
    /// The brokers refused the request as asked (a bad partition count or
    /// replication factor, a policy, missing rights), as opposed to not
    /// answering: retrying the same request cannot help.
    package var isRefusedRequest: Bool {
        Self.refusedRequestCodes.contains(code)
    }

    static let refusedRequestCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR_INVALID_PARTITIONS.rawValue,
        RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR.rawValue,
        RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT.rawValue,
        RD_KAFKA_RESP_ERR_INVALID_CONFIG.rawValue,
        RD_KAFKA_RESP_ERR_INVALID_REQUEST.rawValue,
        RD_KAFKA_RESP_ERR_POLICY_VIOLATION.rawValue,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED.rawValue,
        RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED.rawValue,
        RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION.rawValue,
        RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION.rawValue,
        RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue,
    ]
}
