/// One record read back by ``KafkaConsumer``, copied out of librdkafka's buffers.
package struct ConsumedRecord: Sendable, Hashable {
    /// Topic name.
    package var topic: String
    /// Partition the record was read from.
    package var partition: Int32
    /// Offset within the partition.
    package var offset: Int64
    /// Key bytes; empty for a null key.
    package var key: [UInt8]
    /// Value bytes; empty for a null value.
    package var value: [UInt8]
    /// Headers in record order (names may repeat).
    package var headers: [KafkaHeader]
    /// Record timestamp in milliseconds since the Unix epoch, or -1 if none.
    package var timestampMs: Int64

    /// A record from its parts.
    package init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8], value: [UInt8],
        headers: [KafkaHeader], timestampMs: Int64
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMs = timestampMs
    }

    /// The value of the first header called `name`, if any.
    package func header(_ name: String) -> [UInt8]? {
        headers.first { $0.name == name }?.value
    }
}
