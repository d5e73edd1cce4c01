internal import CRdKafka
import Logging
import WorkloadKafka

/// The benchmark baseline: librdkafka alone, producing pre-serialised records
/// as fast as it takes them. No model, no encoding, no wrapper: one
/// `rd_kafka_produceva` per record with the fields ``KafkaProducer`` sets
/// (topic, explicit partition, key, value, copy flag, wall-clock timestamp,
/// headers as a list of its own), retrying on a full queue after serving delivery reports, and a
/// final flush. Its producer has the settings the daemon's has.
package enum PlainProduceLoop {
    /// What one loop achieved.
    package struct Result: Sendable {
        /// From the first produce until every record was acknowledged.
        package var seconds: Double
        package var delivered: Int
        package var failed: Int
    }

    /// Produces every record of `batch` once and flushes (waiting up to
    /// `flushTimeoutMs`). `serveEvery` records, delivery reports are served
    /// without waiting, as the daemon's loop does.
    package static func run(
        _ batch: RecordBatch, configuration: ProducerConfiguration, logger: Logger,
        serveEvery: Int = 256, flushTimeoutMs: Int32 = 120_000
    ) throws(KafkaError) -> Result {
        let context = ClientContext(logger: logger)
        let conf = try NativeConfiguration.make(configuration.effectiveProperties.map { ($0.name, $0.value) })
        let opaque = context.install(on: conf, deliveryReports: true)
        let client: OpaquePointer
        do {
            client = try NativeConfiguration.newClient(RD_KAFKA_PRODUCER, conf: conf)
        } catch {
            ClientContext.release(opaque)
            throw error
        }
        var handles: [OpaquePointer] = []
        defer {
            for handle in handles { rd_kafka_topic_destroy(handle) }
            rd_kafka_destroy(client)
            ClientContext.release(opaque)
        }
        for topic in batch.topics {
            guard let handle = rd_kafka_topic_new(client, topic, nil) else {
                throw KafkaError(rd_kafka_last_error(), message: "cannot create topic handle for \(topic)")
            }
            handles.append(handle)
        }
        // Connect and learn the partition leaders before the clock starts, as
        // the daemon does before its loop.
        _ = try Metadata.brokerCount(client: client, timeoutMs: 30_000)
        for (index, topic) in batch.topics.enumerated() {
            _ = try Metadata.partitionCount(client: client, topic: handles[index], name: topic, timeoutMs: 10_000)
        }

        let start = SteadyClock.nanoseconds()
        let failure = produceAll(batch, client: client, topics: handles, serveEvery: serveEvery)
        if let failure { throw failure }
        let flushed = rd_kafka_flush(client, flushTimeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR
        let seconds = Double(SteadyClock.nanoseconds() - start) / 1e9
        let stats = context.delivery.withLock { $0 }
        if !flushed {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, message: "baseline flush timed out with records outstanding")
        }
        return Result(seconds: seconds, delivered: stats.delivered, failed: stats.failed)
    }

    /// Produces every record of `batch`, retrying on a full queue after serving delivery
    /// reports; the first other error, or nil.
    private static func produceAll(_ batch: RecordBatch, client: OpaquePointer, topics: [OpaquePointer], serveEvery: Int) -> KafkaError? {
        // Header names as NUL-terminated C strings, alive for the whole loop.
        let names = batch.headerNames.map { Array($0.utf8CString) }
        let headerCount = names.count
        return names.withUnsafeCStrings { namePointers in
            batch.bytes.withUnsafeBytes { bytes -> KafkaError? in
                withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { fields -> KafkaError? in
                    var headerIndex = 0
                    for (index, entry) in batch.entries.enumerated() {
                        fill(fields, entry: entry, topic: topics[Int(entry.topic)], bytes: bytes)
                        // A header list of our own, as KafkaProducer passes (see its `send`).
                        let list = rd_kafka_headers_new(headerCount)!
                        var offset = entry.headers
                        for header in 0..<headerCount {
                            let length = Int(batch.headerLengths[headerIndex])
                            headerIndex += 1
                            _ = rd_kafka_header_add(list, namePointers[header], -1, bytes.baseAddress! + offset, length)
                            offset += length
                        }
                        var field = rd_kafka_vu_t()
                        field.vtype = RD_KAFKA_VTYPE_HEADERS
                        field.u.headers = list
                        fields[6] = field
                        while let errorPointer = rd_kafka_produceva(client, fields.baseAddress, 7) {
                            let error = KafkaError(consuming: errorPointer)
                            guard error.isQueueFull else {
                                rd_kafka_headers_destroy(list)
                                return error
                            }
                            rd_kafka_poll(client, 10)
                        }
                        if index % serveEvery == serveEvery - 1 { rd_kafka_poll(client, 0) }
                    }
                    return nil
                }
            }
        }
    }

    /// The first six produceva fields of one record, as ``KafkaProducer`` sets them: topic,
    /// explicit partition, key, value, copy flag, wall-clock timestamp (the headers are the seventh).
    @inline(__always)
    private static func fill(_ fields: UnsafeMutableBufferPointer<rd_kafka_vu_t>, entry: RecordBatch.Entry, topic: OpaquePointer,
                             bytes: UnsafeRawBufferPointer) {
        var field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_RKT
        field.u.rkt = topic
        fields[0] = field
        field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_PARTITION
        field.u.i32 = entry.partition
        fields[1] = field
        field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_KEY
        field.u.mem.ptr = UnsafeMutableRawPointer(mutating: bytes.baseAddress! + entry.key.lowerBound)
        field.u.mem.size = entry.key.count
        fields[2] = field
        field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_VALUE
        field.u.mem.ptr = UnsafeMutableRawPointer(mutating: bytes.baseAddress! + entry.value.lowerBound)
        field.u.mem.size = entry.value.count
        fields[3] = field
        field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_MSGFLAGS
        field.u.i = RD_KAFKA_MSG_F_COPY
        fields[4] = field
        field = rd_kafka_vu_t()
        field.vtype = RD_KAFKA_VTYPE_TIMESTAMP
        field.u.i64 = SteadyClock.unixMilliseconds()
        fields[5] = field
    }
}

extension Array where Element == [CChar] {
    /// Calls `body` with a pointer to each element's first character.
    func withUnsafeCStrings<R>(_ body: ([UnsafePointer<CChar>]) -> R) -> R {
        var pointers: [UnsafePointer<CChar>] = []
        func nest(_ index: Int) -> R {
            guard index < count else { return body(pointers) }
            return self[index].withUnsafeBufferPointer { buffer in
                pointers.append(buffer.baseAddress!)
                return nest(index + 1)
            }
        }
        return nest(0)
    }
}
