internal import CRdKafka
import Logging
import Synchronization

/// A Kafka producer with explicit partitions, delivery accounting and
/// backpressure instead of loss.
///
/// All methods may be called from any thread. Those that take a timeout block
/// the calling thread (librdkafka has no async API): call them off Swift's
/// cooperative pool. Delivery reports are served by ``poll(timeoutMs:)`` and
/// ``flush(timeoutMs:)`` (and while ``produce(topic:partition:key:value:headers:timestampMs:shouldAbort:)``
/// waits for queue space), so something must poll regularly; any number of
/// threads may poll at once (each report is served once, by one of them).
///
/// Before dropping the last reference, ``flush(timeoutMs:)`` (and possibly
/// ``purge(timeoutMs:)``): destruction neither waits for nor reports
/// outstanding records.
package final class KafkaProducer: @unchecked Sendable {
    // @unchecked Sendable: `client` is an rd_kafka_t, which librdkafka documents
    // as safe to use from any number of threads; the topic-handle cache is
    // guarded by a Mutex and the callback state lives in a Sendable context.
    private let client: OpaquePointer
    private let context: ClientContext
    private let contextPointer: UnsafeMutableRawPointer
    /// rd_kafka_topic_t handles by name, created on first use, destroyed before the client.
    private let topics = Mutex<[String: TopicHandle]>([:])
    /// The logger librdkafka's own log lines and delivery failures go to.
    package let logger: Logger

    /// Creates the producer. Nothing is sent to the brokers until a record is
    /// produced or metadata is requested.
    package init(configuration: ProducerConfiguration, logger: Logger) throws(KafkaError) {
        self.logger = logger
        let context = ClientContext(logger: logger)
        let conf = try NativeConfiguration.make(configuration.effectiveProperties.map { ($0.name, $0.value) })
        let opaque = context.install(on: conf, deliveryReports: true)
        do {
            client = try NativeConfiguration.newClient(RD_KAFKA_PRODUCER, conf: conf)
        } catch {
            ClientContext.release(opaque)
            throw error
        }
        self.context = context
        self.contextPointer = opaque
        logger.debug("kafka producer created", metadata: [
            "bootstrap-servers": "\(configuration.bootstrapServers)",
            "librdkafka": "\(String(cString: rd_kafka_version_str()))",
        ])
    }

    deinit {
        // Order matters: topic handles, then the client, then the callback
        // context (callbacks may run until rd_kafka_destroy returns).
        topics.withLock { handles in
            for handle in handles.values { rd_kafka_topic_destroy(handle.pointer) }
            handles.removeAll()
        }
        rd_kafka_destroy(client)
        ClientContext.release(contextPointer)
    }

    /// Queues one record for `topic` on an explicit `partition`.
    ///
    /// Key, value and headers are copied, so the buffers may be reused as soon
    /// as this returns. An empty `key` or `value` buffer is sent as null.
    /// Header names must not contain NUL.
    ///
    /// When librdkafka's queue is full (`queue.buffering.max.messages` or
    /// `.kbytes`), this serves delivery reports and retries until there is
    /// room: the caller is slowed down, nothing is dropped. `shouldAbort` is
    /// checked between retries; once it returns true this throws a
    /// `_QUEUE_FULL` error (``KafkaError/isQueueFull``) and the record is not
    /// queued. Without an abort condition the wait is unbounded.
    ///
    /// - Parameter timestampMs: record timestamp in milliseconds since the
    ///   Unix epoch; nil lets librdkafka stamp the current time.
    package func produce(
        topic: String,
        partition: Int32,
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        headers: [KafkaHeader] = [],
        timestampMs: Int64? = nil,
        shouldAbort: () -> Bool = { false }
    ) throws(KafkaError) {
        let topicHandle = try self.topicHandle(topic)
        let fieldCount = 7
        let failure = withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: fieldCount) { fields -> KafkaError? in
            let count = Self.fillRecordFields(
                fields, topic: topicHandle, partition: partition, key: key, value: value, timestampMs: timestampMs)
            return send(fields, count: count, valueBytes: value.count, headerCount: headers.count, shouldAbort: shouldAbort) { list in
                for header in headers {
                    header.value.withUnsafeBytes { bytes in
                        _ = rd_kafka_header_add(list, header.name, -1, bytes.baseAddress, bytes.count)
                    }
                }
            }
        }
        if let failure { throw failure }
    }

    /// Queues one record for a resolved `topic` with headers whose names were
    /// prepared once: the allocation-free form of
    /// ``produce(topic:partition:key:value:headers:timestampMs:shouldAbort:)``
    /// (same copying, backpressure and abort rules), for the publishing loop.
    ///
    /// `headerValues` holds one value per name of `headerNames`, in order; a
    /// value without a base address leaves its header out of this record.
    package func produce(
        to topic: KafkaTopic,
        partition: Int32,
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        headerNames: KafkaHeaderNames,
        headerValues: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        timestampMs: Int64? = nil,
        shouldAbort: () -> Bool = { false }
    ) throws(KafkaError) {
        try produce(to: topic.ref, partition: partition, key: key, value: value, headerNames: headerNames,
                    headerValues: headerValues, timestampMs: timestampMs, shouldAbort: shouldAbort)
    }

    /// ``produce(to:partition:key:value:headerNames:headerValues:timestampMs:shouldAbort:)`` to a
    /// topic held without its name, which a caller can keep and copy per record without a retain.
    package func produce(
        to topic: KafkaTopicRef,
        partition: Int32,
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        headerNames: KafkaHeaderNames,
        headerValues: UnsafeBufferPointer<UnsafeRawBufferPointer>,
        timestampMs: Int64? = nil,
        shouldAbort: () -> Bool = { false }
    ) throws(KafkaError) {
        precondition(headerValues.count == headerNames.count, "one header value per header name")
        let failure = withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { fields -> KafkaError? in
            let count = Self.fillRecordFields(
                fields, topic: topic.handle.pointer, partition: partition, key: key, value: value, timestampMs: timestampMs)
            return send(fields, count: count, valueBytes: value.count, headerCount: headerNames.count, shouldAbort: shouldAbort) { list in
                for (index, header) in headerValues.enumerated() where header.baseAddress != nil {
                    _ = rd_kafka_header_add(list, headerNames.pointer(at: index), -1, header.baseAddress, header.count)
                }
            }
        }
        if let failure { throw failure }
    }

    /// Writes the topic, partition, key, value, copy flag and (if given)
    /// timestamp fields; returns how many it wrote.
    private static func fillRecordFields(
        _ fields: UnsafeMutableBufferPointer<rd_kafka_vu_t>, topic: OpaquePointer, partition: Int32,
        key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64?
    ) -> Int {
        var field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_RKT
        field.u.rkt = topic
        fields[0] = field
        field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_PARTITION
        field.u.i32 = partition
        fields[1] = field
        field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_KEY
        field.u.mem.ptr = key.count == 0 ? nil : UnsafeMutableRawPointer(mutating: key.baseAddress)
        field.u.mem.size = key.count
        fields[2] = field
        field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_VALUE
        field.u.mem.ptr = value.count == 0 ? nil : UnsafeMutableRawPointer(mutating: value.baseAddress)
        field.u.mem.size = value.count
        fields[3] = field
        field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_MSGFLAGS
        field.u.i = RD_KAFKA_MSG_F_COPY
        fields[4] = field
        guard let timestampMs else { return 5 }
        field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_TIMESTAMP
        field.u.i64 = timestampMs
        fields[5] = field
        return 6
    }

    /// `rd_kafka_produceva` with the fields plus a header list this producer
    /// owns (`RD_KAFKA_VTYPE_HEADERS`), waiting for room while the queue is
    /// full (serving delivery reports) unless `shouldAbort` says to give up.
    ///
    /// The list is ours until a produce succeeds, so it is destroyed here on
    /// every failure. Headers passed one by one (`RD_KAFKA_VTYPE_HEADER`)
    /// would be built by librdkafka itself, and 2.0.2 frees that list twice
    /// when a produce is rejected synchronously (confluentinc/librdkafka#4627: a
    /// topic in an error state, e.g. TOPIC_AUTHORIZATION_FAILED, crashed the
    /// daemon with SIGSEGV); the Go and Rust clients avoid it the same way.
    private func send(
        _ fields: UnsafeMutableBufferPointer<rd_kafka_vu_t>, count: Int, valueBytes: Int, headerCount: Int, shouldAbort: () -> Bool,
        addHeaders: (OpaquePointer) -> Void
    ) -> KafkaError? {
        guard let list = rd_kafka_headers_new(headerCount) else {
            return KafkaError.invalidArgument("cannot allocate a header list")
        }
        addHeaders(list)
        var field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_HEADERS
        field.u.headers = list
        fields[count] = field
        var waited = false
        // Counted before the produce: its delivery report, which takes the bytes off again,
        // may be served on another thread before produceva returns.
        context.queuedBytes.add(valueBytes, ordering: .relaxed)
        while true {
            guard let errorPointer = rd_kafka_produceva(client, fields.baseAddress, count + 1) else {
                return nil  // the message owns the list now
            }
            let error = KafkaError(consuming: errorPointer)
            guard error.isQueueFull else {
                rd_kafka_headers_destroy(list)
                context.queuedBytes.subtract(valueBytes, ordering: .relaxed)
                return error
            }
            if !waited {
                waited = true
                context.delivery.withLock { $0.queueFullWaits += 1 }
            }
            if shouldAbort() {
                rd_kafka_headers_destroy(list)
                context.queuedBytes.subtract(valueBytes, ordering: .relaxed)
                return KafkaError(
                    code: KafkaError.queueFullCode,
                    message: "gave up waiting for room in the producer queue (aborted)"
                )
            }
            // Serve delivery reports (freeing room) for up to 10 ms, then retry.
            rd_kafka_poll(client, 10)
        }
    }

    /// Byte-array convenience for ``produce(topic:partition:key:value:headers:timestampMs:shouldAbort:)``.
    package func produce(
        topic: String,
        partition: Int32,
        key: [UInt8],
        value: [UInt8],
        headers: [KafkaHeader] = [],
        timestampMs: Int64? = nil,
        shouldAbort: () -> Bool = { false }
    ) throws(KafkaError) {
        let result = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                Result<Void, KafkaError> { () throws(KafkaError) in
                    try produce(
                        topic: topic, partition: partition, key: keyBytes, value: valueBytes,
                        headers: headers, timestampMs: timestampMs, shouldAbort: shouldAbort
                    )
                }
            }
        }
        try result.get()
    }

    /// Serves queued callbacks (delivery reports, logs), waiting up to
    /// `timeoutMs` for the first one (0 = don't wait, -1 = wait indefinitely).
    /// Returns how many events were served.
    @discardableResult
    package func poll(timeoutMs: Int32) -> Int {
        Int(rd_kafka_poll(client, timeoutMs))
    }

    /// Waits up to `timeoutMs` until every queued record is delivered or has
    /// failed, serving delivery reports meanwhile. Returns true if nothing is
    /// left outstanding.
    package func flush(timeoutMs: Int32) -> Bool {
        rd_kafka_flush(client, timeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Gives up on every record not yet delivered, queued or in flight: each
    /// gets a failed delivery report (`_PURGE_QUEUE` or `_PURGE_INFLIGHT`),
    /// served here for up to `timeoutMs`, so ``deliveryStats`` counts it.
    /// For a bounded shutdown after ``flush(timeoutMs:)`` returned false.
    package func purge(timeoutMs: Int32) {
        let flags = Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        let err = rd_kafka_purge(client, flags)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("kafka purge failed", metadata: ["error": "\(KafkaError(err))"])
        }
        _ = rd_kafka_flush(client, timeoutMs)
    }

    /// The number of partitions of `topic`, from a metadata request that
    /// waits up to `timeoutMs`. Throws `UNKNOWN_TOPIC_OR_PART` for a topic
    /// that does not exist (topics are never auto-created by default).
    package func partitionCount(topic: String, timeoutMs: Int32) throws(KafkaError) -> Int32 {
        try Metadata.partitionCount(client: client, topic: topicHandle(topic), name: topic, timeoutMs: timeoutMs)
    }

    /// Waits up to `timeoutMs` for a broker to answer a metadata request and
    /// returns the number of brokers in the cluster. Use it to decide when the
    /// producer is ready (e.g. for systemd's READY=1).
    @discardableResult
    package func waitUntilConnected(timeoutMs: Int32) throws(KafkaError) -> Int {
        try Metadata.brokerCount(client: client, timeoutMs: timeoutMs)
    }

    /// Messages and requests still queued or in flight (`rd_kafka_outq_len`).
    package var outstanding: Int {
        Int(rd_kafka_outq_len(client))
    }

    /// Value bytes of the records queued or in flight: the measure librdkafka holds
    /// against `queue.buffering.max.kbytes` (it counts record values only).
    package var queuedBytes: Int {
        context.queuedBytes.load(ordering: .relaxed)
    }

    /// Delivery outcomes so far.
    package var deliveryStats: DeliveryStats {
        context.delivery.withLock { $0 }
    }

    /// The fatal error that made this producer unusable, if any (e.g. the
    /// idempotent producer found a sequence gap). Once set, every further
    /// produce fails; recreate the producer.
    package var fatalError: KafkaError? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer -> KafkaError? in
            buffer[0] = 0
            let err = rd_kafka_fatal_error(client, buffer.baseAddress, buffer.count)
            guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            return KafkaError(code: err.rawValue, message: String(cString: buffer.baseAddress!), isFatal: true, isRetriable: false)
        }
    }

    /// Resolves `name` once, for ``produce(to:partition:key:value:headerNames:headerValues:timestampMs:shouldAbort:)``.
    /// The handle lives as long as this producer.
    package func topic(_ name: String) throws(KafkaError) -> KafkaTopic {
        KafkaTopic(name: name, handle: TopicHandle(pointer: try topicHandle(name)))
    }

    private func topicHandle(_ name: String) throws(KafkaError) -> OpaquePointer {
        let client = self.client
        let handle = topics.withLock { handles -> TopicHandle? in
            if let existing = handles[name] { return existing }
            guard let created = rd_kafka_topic_new(client, name, nil) else { return nil }
            handles[name] = TopicHandle(pointer: created)
            return TopicHandle(pointer: created)
        }
        guard let handle else {
            throw KafkaError(rd_kafka_last_error(), message: "cannot create topic handle for \(name)")
        }
        return handle.pointer
    }
}

/// An `rd_kafka_topic_t` pointer kept in a `Mutex`.
struct TopicHandle: @unchecked Sendable {
    // @unchecked Sendable: topic handles are reference-counted and thread-safe
    // in librdkafka; this wrapper only carries the pointer.
    let pointer: OpaquePointer
}

/// A topic resolved by ``KafkaProducer/topic(_:)``: producing to it skips the
/// lookup by name. Valid while its producer lives.
package struct KafkaTopic: Sendable {
    package let name: String
    let handle: TopicHandle

    /// The topic without its name.
    package var ref: KafkaTopicRef { KafkaTopicRef(handle: handle) }
}

/// A ``KafkaTopic`` without its name: a trivial value (copying it retains nothing), for a
/// per-record path. Valid while its producer lives.
package struct KafkaTopicRef: Sendable {
    let handle: TopicHandle
}
