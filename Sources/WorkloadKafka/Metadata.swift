internal import CRdKafka

/// Metadata requests shared by producer and consumer. Both block for up to
/// `timeoutMs` waiting for a usable broker and its answer.
package enum Metadata {
    /// Number of partitions of `topic` (an `rd_kafka_topic_t` handle named `name`).
    package static func partitionCount(
        client: OpaquePointer, topic: OpaquePointer, name: String, timeoutMs: Int32
    ) throws(KafkaError) -> Int32 {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(client, 0, topic, &metadata, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(err, message: "metadata for topic \(name): \(String(cString: rd_kafka_err2str(err)))")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let entry = topics.first(where: { String(cString: $0.topic) == name }) else {
            throw KafkaError(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, message: "topic \(name) missing from metadata")
        }
        guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(entry.err, message: "topic \(name): \(String(cString: rd_kafka_err2str(entry.err)))")
        }
        guard entry.partition_cnt > 0 else {
            throw KafkaError(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, message: "topic \(name) has no partitions")
        }
        return entry.partition_cnt
    }

    /// Number of brokers the cluster reports; succeeds only once a broker answered.
    package static func brokerCount(client: OpaquePointer, timeoutMs: Int32) throws(KafkaError) -> Int {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        // all_topics = 0 and no topic: a request for the locally known topics
        // only, which is cheap and still proves a broker answers.
        let err = rd_kafka_metadata(client, 0, nil, &metadata, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(err, message: "no broker answered a metadata request within \(timeoutMs) ms")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        return Int(metadata.pointee.broker_cnt)
    }
}
