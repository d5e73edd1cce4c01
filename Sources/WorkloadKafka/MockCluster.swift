internal import CRdKafka
import Logging
import Synchronization

/// librdkafka's built-in mock Kafka cluster, running in this process and
/// listening on loopback TCP: for tests, `--embedded-kafka` and `dev-kafka`.
///
/// Brokers have ids `1...brokers`. Topics must be created with
/// ``createTopic(_:partitions:replicationFactor:)``. The control methods are
/// thread-safe (librdkafka runs each as an operation on the mock cluster's
/// own thread and waits for its reply).
package final class MockCluster: @unchecked Sendable {
    // @unchecked Sendable: both pointers are immutable after init; the mock
    // API serialises every call through the cluster's own thread, and the host
    // client is never used directly after init.
    private let host: OpaquePointer          // rd_kafka_t that hosts the cluster
    private let cluster: OpaquePointer       // rd_kafka_mock_cluster_t
    private let contextPointer: UnsafeMutableRawPointer
    /// Number of brokers, with ids `1...brokerCount`.
    package let brokerCount: Int32
    /// The `bootstrap.servers` string for clients (loopback addresses).
    package let bootstrapServers: String
    /// The ports of brokers that are down, each held by a bound socket that does not listen.
    private let heldPorts = Mutex<[UInt16: Int32]>([:])

    /// Starts a mock cluster of `brokers` brokers; its log lines go to `logger`.
    package init(brokers: Int32 = 3, logger: Logger) throws(KafkaError) {
        precondition(brokers > 0, "a cluster needs at least one broker")
        // The host handle's own notices (it has no bootstrap.servers, which
        // librdkafka remarks on at start-up) are noise: keep warnings and worse.
        var hostLogger = logger
        hostLogger.logLevel = max(logger.logLevel, .warning)
        let context = ClientContext(logger: hostLogger)
        // The host handle only provides logging and bookkeeping: no
        // bootstrap.servers (and not test.mock.num.brokers, which would
        // create a second, implicit cluster).
        let conf = try NativeConfiguration.make([("client.id", "llm-workload-mock-host")])
        let opaque = context.install(on: conf, deliveryReports: false)
        let host: OpaquePointer
        do {
            host = try NativeConfiguration.newClient(RD_KAFKA_PRODUCER, conf: conf)
        } catch {
            ClientContext.release(opaque)
            throw error
        }
        guard let cluster = rd_kafka_mock_cluster_new(host, Int32(brokers)) else {
            rd_kafka_destroy(host)
            ClientContext.release(opaque)
            throw .invalidArgument("rd_kafka_mock_cluster_new failed")
        }
        self.host = host
        self.cluster = cluster
        self.contextPointer = opaque
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        logger.info("kafka mock cluster started", metadata: [
            "bootstrap-servers": "\(bootstrapServers)",
            "brokers": "\(brokers)",
        ])
    }

    deinit {
        heldPorts.withLock { $0.values.forEach(PortHold.release) }
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(host)
        ClientContext.release(contextPointer)
    }

    /// Creates `name` with `partitions` partitions, replicated on
    /// `replicationFactor` brokers (at most ``brokerCount``).
    package func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws(KafkaError) {
        try check(awake { rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor) }, "create topic \(name)")
    }

    /// Takes broker `id` down: its connections are closed and new ones
    /// refused. Partition leadership does not move.
    ///
    /// The broker's listening port is held meanwhile by a bound socket that
    /// does not listen (connections are still refused): librdkafka binds the
    /// same port again when the broker comes back up and aborts the process
    /// if it cannot, which any socket of this machine that took the free port
    /// as its ephemeral one would cause.
    package func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try check(awake { rd_kafka_mock_broker_set_down(cluster, id) }, "set broker \(id) down")
        holdReleasedPorts()
    }

    /// Brings broker `id` back up.
    package func setBrokerUp(_ id: Int32) throws(KafkaError) {
        // librdkafka does not say which port is broker `id`'s: release every held one. The
        // others' brokers are still down and refuse connections as they did.
        heldPorts.withLock { held in
            held.values.forEach(PortHold.release)
            held.removeAll()
        }
        try check(awake { rd_kafka_mock_broker_set_up(cluster, id) }, "set broker \(id) up")
        holdReleasedPorts()
    }

    /// Binds every broker port whose listener is closed (a listening port refuses the bind).
    private func holdReleasedPorts() {
        heldPorts.withLock { held in
            for port in MockClusterWakeup.ports(of: bootstrapServers) where held[port] == nil {
                if let fd = PortHold.bind(port) { held[port] = fd }
            }
        }
    }

    /// Makes the next `errors.count` requests of type `apiKey` (Kafka
    /// protocol ApiKey: Produce is 0, Fetch 1, Metadata 3, InitProducerId
    /// 22), on whichever broker receives them, fail with these raw error codes
    /// in order. `-195` (`_TRANSPORT`) makes the broker drop the connection.
    package func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        codes.withUnsafeBufferPointer {
            rd_kafka_mock_push_request_errors_array(cluster, apiKey, $0.count, $0.baseAddress)
        }
    }

    /// Forgets the queued injected errors for `apiKey`.
    package func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }

    /// Moves leadership of `topic`/`partition` to `broker`; clients find out
    /// through `NOT_LEADER_OR_FOLLOWER` answers and a metadata refresh.
    package func setPartitionLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try check(
            awake { rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker) },
            "set leader of \(topic)[\(partition)] to broker \(broker)"
        )
    }

    /// Adds `ms` of round-trip time to every response of `broker`.
    package func setRTT(broker: Int32, ms: Int32) throws(KafkaError) {
        try check(awake { rd_kafka_mock_broker_set_rtt(cluster, broker, ms) }, "set RTT of broker \(broker)")
    }

    /// A control call, served promptly despite the mock thread's lost wake-ups (`MockClusterWakeup`).
    private func awake(_ operation: () -> rd_kafka_resp_err_t) -> rd_kafka_resp_err_t {
        MockClusterWakeup.perform(pokingPorts: MockClusterWakeup.ports(of: bootstrapServers), operation)
    }

    private func check(_ err: rd_kafka_resp_err_t, _ what: String) throws(KafkaError) {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err, message: "mock cluster: \(what): \(String(cString: rd_kafka_err2str(err)))")
        }
    }
}
