internal import CRdKafka
import Logging

/// A minimal consumer for tests and tools: assign whole topics from their
/// beginning and poll records one at a time. No group membership, no commits.
package final class KafkaConsumer: @unchecked Sendable {
    // @unchecked Sendable: `client` is an rd_kafka_t (thread-safe per
    // librdkafka) and the only other state is immutable. Concurrent polls are
    // safe but interleave records arbitrarily.
    private let client: OpaquePointer
    private let contextPointer: UnsafeMutableRawPointer

    /// Creates a consumer of `bootstrapServers`.
    ///
    /// librdkafka's consumer API needs a `group.id` even for manual
    /// assignment; with `groupID` nil a throwaway one is generated. The group
    /// is never joined and no offsets are committed.
    /// `properties` are extra librdkafka settings, applied last.
    package init(
        bootstrapServers: String,
        groupID: String? = nil,
        properties: [String: String] = [:],
        logger: Logger
    ) throws(KafkaError) {
        let context = ClientContext(logger: logger)
        let settings: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", "llm-workload-reader"),
            // A throwaway name only has to be unique, never reproducible.
            ("group.id", groupID ?? "llm-workload-reader-\(UInt64.random(in: 0...UInt64.max))"),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("auto.offset.reset", "earliest"),
            ("enable.partition.eof", "false"),
        ] + properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let conf = try NativeConfiguration.make(settings)
        let opaque = context.install(on: conf, deliveryReports: false)
        do {
            client = try NativeConfiguration.newClient(RD_KAFKA_CONSUMER, conf: conf)
        } catch {
            ClientContext.release(opaque)
            throw error
        }
        contextPointer = opaque
    }

    deinit {
        // Consumer teardown: close (leaves the assignment), then destroy, then
        // release the callback context.
        _ = rd_kafka_consumer_close(client)
        rd_kafka_destroy(client)
        ClientContext.release(contextPointer)
    }

    /// The number of partitions of `topic` (metadata request, up to `timeoutMs`).
    package func partitionCount(topic: String, timeoutMs: Int32) throws(KafkaError) -> Int32 {
        guard let handle = rd_kafka_topic_new(client, topic, nil) else {
            throw KafkaError(rd_kafka_last_error(), message: "cannot create topic handle for \(topic)")
        }
        defer { rd_kafka_topic_destroy(handle) }
        return try Metadata.partitionCount(client: client, topic: handle, name: topic, timeoutMs: timeoutMs)
    }

    /// Assigns partitions `0..<partitionCount` of `topic`, each from its
    /// first offset (or, `fromBeginning` false, from its end). Replaces any
    /// previous assignment.
    package func assignAll(topic: String, partitionCount: Int32, fromBeginning: Bool = true) throws(KafkaError) {
        try assign([(topic, partitionCount)], fromBeginning: fromBeginning)
    }

    /// Assigns every partition of each topic at once (one assignment: a
    /// later `assign` replaces an earlier one).
    package func assign(_ topics: [(topic: String, partitionCount: Int32)], fromBeginning: Bool = true) throws(KafkaError) {
        let offset = Int64(fromBeginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END)
        try assign(offsets: topics.flatMap { entry in (0..<entry.partitionCount).map { (entry.topic, $0, offset) } })
    }

    /// The first and one-past-the-last offset of a partition, asked of its leader.
    package func offsetRange(topic: String, partition: Int32, timeoutMs: Int32) throws(KafkaError) -> Range<Int64> {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(client, topic, partition, &low, &high, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err, message: "offsets of \(topic)[\(partition)]: \(String(cString: rd_kafka_err2str(err)))")
        }
        return low..<max(low, high)
    }

    /// Assigns the given partitions, each from the given offset. Replaces any previous assignment.
    package func assign(offsets: [(topic: String, partition: Int32, offset: Int64)]) throws(KafkaError) {
        guard let list = rd_kafka_topic_partition_list_new(Int32(max(offsets.count, 1))) else {
            throw .invalidArgument("rd_kafka_topic_partition_list_new failed")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for entry in offsets {
            rd_kafka_topic_partition_list_add(list, entry.topic, entry.partition)?.pointee.offset = entry.offset
        }
        let err = rd_kafka_assign(client, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err, message: "assign: \(String(cString: rd_kafka_err2str(err)))")
        }
    }

    /// Waits up to `timeoutMs` for the next record; nil if none arrived.
    ///
    /// Throws the consumer errors librdkafka reports in-band (mostly
    /// informational, e.g. a broker went away: the consumer keeps trying, so
    /// polling again is fine unless ``KafkaError/isFatal``).
    package func poll(timeoutMs: Int32) throws(KafkaError) -> ConsumedRecord? {
        guard let message = rd_kafka_consumer_poll(client, timeoutMs) else { return nil }
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
        guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let detail = m.payload.map {
                String(decoding: UnsafeRawBufferPointer(start: $0, count: m.len), as: UTF8.self)
            }
            throw KafkaError(m.err, message: detail ?? String(cString: rd_kafka_err2str(m.err)))
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return ConsumedRecord(
            topic: m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "",
            partition: m.partition,
            offset: m.offset,
            key: Self.bytes(m.key, m.key_len),
            value: Self.bytes(m.payload, m.len),
            headers: Self.headers(of: message),
            timestampMs: timestamp
        )
    }

    private static func bytes(_ pointer: UnsafeMutableRawPointer?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { break }
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
            result.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: bytes))
            index += 1
        }
        return result
    }
}
