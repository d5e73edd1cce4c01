/// Settings for a ``KafkaProducer``: the bootstrap brokers, safe defaults, and
/// passthrough librdkafka properties that override them.
///
/// The defaults follow the product's rule that an outage stalls generation
/// rather than dropping events: idempotence on, `acks=all`, and no message
/// timeout, so a record stays queued (and `produce` blocks once the queue is
/// full) until the cluster takes it.
package struct ProducerConfiguration: Sendable {
    /// Comma-separated `host:port` list (librdkafka's `bootstrap.servers`).
    package var bootstrapServers: String
    /// librdkafka properties applied last, overriding the defaults and
    /// `bootstrapServers` (security settings, tuning).
    package var properties: [String: String]

    /// A configuration with the default properties.
    package init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
    }

    /// The compression codec used unless overridden: `zstd` when this
    /// librdkafka build has it (better ratio on JSON), else `lz4`.
    package static var defaultCompressionCodec: String {
        NativeConfiguration.builtinFeatures.contains("zstd") ? "zstd" : "lz4"
    }

    /// The defaults, before `bootstrapServers` and `properties`.
    package static var defaultProperties: [String: String] {
        [
            "client.id": "llm-workload",
            // Exactly-once, in-order delivery per partition across retries.
            "enable.idempotence": "true",
            "acks": "all",
            "compression.codec": defaultCompressionCodec,
            // 0 = infinite: an outage stalls the producer, it never drops records.
            "message.timeout.ms": "0",
            "linger.ms": "5",
            // Room for bursts, bounded for a daemon: 64 MiB of records (about
            // 150,000 events); past this `produce` blocks (backpressure).
            "queue.buffering.max.messages": "1000000",
            "queue.buffering.max.kbytes": "65536",
            // Partitions are always set explicitly; this only matters for a
            // record without one and matches the Java client for keyed records.
            "partitioner": "murmur2_random",
            // The application needs a topic's partition count before it can
            // place records, so a missing topic is an error, not auto-created.
            "allow.auto.create.topics": "false",
        ]
    }

    /// Everything handed to librdkafka, in the order applied: defaults,
    /// `bootstrap.servers`, then `properties` (each group sorted, for stable
    /// logs). Later entries win, so a user property overrides a default even
    /// when spelled with an alias (`delivery.timeout.ms` for
    /// `message.timeout.ms`, `compression.type` for `compression.codec`).
    package var effectiveProperties: [(name: String, value: String)] {
        let defaults = Self.defaultProperties.sorted { $0.key < $1.key }
        let user = properties.sorted { $0.key < $1.key }
        return defaults.map { (name: $0.key, value: $0.value) }
            + [(name: "bootstrap.servers", value: bootstrapServers)]
            + user.map { (name: $0.key, value: $0.value) }
    }
}
