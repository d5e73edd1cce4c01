package import CRdKafka

/// An error reported by librdkafka (or by this wrapper on its behalf).
///
/// `code` is the raw `rd_kafka_resp_err_t` value: negative codes are local to
/// the client (`_QUEUE_FULL` is -184, `_TRANSPORT` -195), positive ones come
/// from the Kafka protocol (`NOT_LEADER_OR_FOLLOWER` is 6).
package struct KafkaError: Error, CustomStringConvertible, Sendable, Hashable {
    /// Raw `rd_kafka_resp_err_t` code.
    package var code: Int32
    /// librdkafka's symbolic name for `code`, e.g. `"_QUEUE_FULL"`.
    package var name: String
    /// Human-readable detail.
    package var message: String
    /// The client instance can no longer be used (for example the idempotent
    /// producer lost its guarantees); it must be recreated.
    package var isFatal: Bool
    /// Trying the same operation again may succeed.
    package var isRetriable: Bool

    /// Creates an error from its parts; `name` defaults to librdkafka's name for `code`.
    package init(code: Int32, name: String? = nil, message: String, isFatal: Bool = false, isRetriable: Bool? = nil) {
        let err = rd_kafka_resp_err_t(rawValue: code)
        self.code = code
        self.name = name ?? String(cString: rd_kafka_err2name(err))
        self.message = message
        self.isFatal = isFatal
        self.isRetriable = isRetriable ?? Self.retriableCodes.contains(code)
    }

    package var description: String {
        var text = "\(name) (\(code)): \(message)"
        if isFatal { text += " [fatal]" }
        return text
    }

    /// `_TIMED_OUT`: an operation did not finish within its time limit.
    package static let timedOutCode: Int32 = RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
    /// `_QUEUE_FULL`: the local producer queue is full (backpressure).
    package static let queueFullCode: Int32 = RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue
    /// `_PURGE_QUEUE`: a record was purged from the local queue before it was sent.
    package static let purgedFromQueueCode: Int32 = RD_KAFKA_RESP_ERR__PURGE_QUEUE.rawValue
    /// `_PURGE_INFLIGHT`: a record was purged while a request carrying it was in flight.
    package static let purgedInFlightCode: Int32 = RD_KAFKA_RESP_ERR__PURGE_INFLIGHT.rawValue

    /// The local queue is full (see ``KafkaProducer/produce(topic:partition:key:value:headers:timestampMs:shouldAbort:)``).
    package var isQueueFull: Bool { code == Self.queueFullCode }

    /// A record given up by ``KafkaProducer/purge(timeoutMs:)`` (this side's decision).
    package var isPurge: Bool { code == Self.purgedFromQueueCode || code == Self.purgedInFlightCode }

    // Codes worth retrying: the Kafka protocol's RetriableException family and
    // librdkafka's transient local conditions. librdkafka exposes this per
    // `rd_kafka_error_t` only; delivery reports carry a bare code.
    static let retriableCodes: Set<Int32> = [
        2,    // CORRUPT_MESSAGE
        3,    // UNKNOWN_TOPIC_OR_PART
        5,    // LEADER_NOT_AVAILABLE
        6,    // NOT_LEADER_OR_FOLLOWER
        7,    // REQUEST_TIMED_OUT
        13,   // NETWORK_EXCEPTION
        14,   // COORDINATOR_LOAD_IN_PROGRESS
        15,   // COORDINATOR_NOT_AVAILABLE
        16,   // NOT_COORDINATOR
        19,   // NOT_ENOUGH_REPLICAS
        20,   // NOT_ENOUGH_REPLICAS_AFTER_APPEND
        56,   // KAFKA_STORAGE_ERROR
        74,   // FENCED_LEADER_EPOCH
        75,   // UNKNOWN_LEADER_EPOCH
        78,   // OFFSET_NOT_AVAILABLE
        80,   // PREFERRED_LEADER_NOT_AVAILABLE
        89,   // THROTTLING_QUOTA_EXCEEDED
        RD_KAFKA_RESP_ERR__TRANSPORT.rawValue,
        RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue,
        RD_KAFKA_RESP_ERR__RESOLVE.rawValue,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN.rawValue,
        RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue,
        RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue,
        RD_KAFKA_RESP_ERR__WAIT_COORD.rawValue,
        RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE.rawValue,
    ]
}

extension KafkaError {
    /// From a bare response code, as found in delivery reports and most older APIs.
    package init(_ err: rd_kafka_resp_err_t, message: String? = nil) {
        self.init(code: err.rawValue, message: message ?? String(cString: rd_kafka_err2str(err)))
    }

    /// From an `rd_kafka_error_t`, which this initializer destroys.
    package init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: rd_kafka_error_code(error).rawValue,
            name: String(cString: rd_kafka_error_name(error)),
            message: String(cString: rd_kafka_error_string(error)),
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0
        )
    }

    /// For invalid configuration and failed handle creation, which report a string only.
    static func invalidArgument(_ message: String) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, message: message)
    }
}
