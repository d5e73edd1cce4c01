import Logging
import Testing
import WorkloadKafka

@Suite("Client setup")
struct ClientSetupTests {
    @Test("user properties override defaults, aliases included")
    func propertyOrder() {
        let configuration = ProducerConfiguration(
            bootstrapServers: "127.0.0.1:9092",
            properties: ["delivery.timeout.ms": "30000", "linger.ms": "20"]
        )
        let applied = configuration.effectiveProperties
        let index = { (name: String) in applied.lastIndex { $0.name == name } }
        // Applied in order, so the user's alias lands after the default it overrides.
        #expect(index("delivery.timeout.ms")! > index("message.timeout.ms")!)
        #expect(applied.last { $0.name == "linger.ms" }?.value == "20")
        #expect(applied.contains { $0 == (name: "enable.idempotence", value: "true") })
        #expect(applied.contains { $0 == (name: "acks", value: "all") })
        #expect(applied.contains { $0 == (name: "message.timeout.ms", value: "0") })
        // Debian's librdkafka (the one this project builds against, here and in CI) has zstd;
        // lz4 is only the fallback for builds without it.
        #expect(ProducerConfiguration.defaultCompressionCodec == "zstd")
    }

    @Test("an invalid property is a typed error")
    func invalidProperty() {
        let configuration = ProducerConfiguration(bootstrapServers: "127.0.0.1:9092", properties: ["acks": "sometimes"])
        let error = #expect(throws: KafkaError.self) {
            try KafkaProducer(configuration: configuration, logger: testLogger("producer"))
        }
        #expect(error?.name == "_INVALID_ARG")
        #expect(error?.message.contains("acks") == true)
    }

    @Test("librdkafka's own log lines reach the Logger")
    func logRouting() throws {
        let handler = CapturingLogHandler()
        var logger = Logger(label: "capture") { _ in handler }
        logger.logLevel = .debug
        let cluster = try MockCluster(brokers: 1, logger: testLogger("mock"))
        do {
            let producer = try KafkaProducer(
                configuration: ProducerConfiguration(bootstrapServers: cluster.bootstrapServers, properties: ["debug": "generic"]),
                logger: logger
            )
            try producer.waitUntilConnected(timeoutMs: 5_000)
        }
        let entries = handler.entries.withLock { $0 }
        let fromLibrdkafka = entries.filter { $0.metadata["rdkafka.facility"] != nil }
        #expect(!fromLibrdkafka.isEmpty)
        #expect(fromLibrdkafka.allSatisfy { $0.metadata["rdkafka.client"]?.hasPrefix("llm-workload") == true })
    }
}
