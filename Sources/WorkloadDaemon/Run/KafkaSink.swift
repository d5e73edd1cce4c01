import Logging
import ServiceLifecycle
import WorkloadKafka
import WorkloadModel
import WorkloadConfig

/// Publishes events to Kafka as the Event schema article says: key = session ID, partition =
/// murmur2(key) mod partitions set explicitly, record timestamp = wall clock,
/// headers `event-type`, `schema-version`, `run-id`, `virtual-time`; requests
/// to one topic, session events to another, completion events (when the
/// stream has them) to a third; watermarks to every partition of each.
///
/// Per event nothing is allocated: topics are resolved and header names and
/// the constant header values laid out once; the virtual-time header is
/// formatted on the stack.
package final class KafkaSink: EventSink {
    /// What a record carries, in the order of `eventTypes`.
    package enum RecordKind: Int {
        case request, sessionStarted, sessionEnded, watermark, skipped, completion

        package init(_ event: Event) {
            switch event {
            case .request: self = .request
            case .sessionStarted: self = .sessionStarted
            case .sessionEnded: self = .sessionEnded
            case .completion: self = .completion
            }
        }

        /// The topic of a data record, by its index in `KafkaTopics.inUse`:
        /// requests, session events, completions.
        package var topicIndex: Int {
            switch self {
            case .request: 0
            case .completion: 2
            default: 1
            }
        }
    }

    /// The headers of every record, in this order.
    package static let headerNames = ["event-type", "schema-version", "run-id", "virtual-time"]
    /// `event-type` values by `RecordKind`.
    package static let eventTypes = ["request", "session_started", "session_ended", "watermark", "skipped", "completion"]

    let producer: KafkaProducer
    /// The topics in use (`KafkaTopics.inUse`), and their partition counts.
    private let topics: [KafkaTopic]
    /// `topics` without their names, for the per-record path (copying one retains nothing).
    private let topicRefs: [KafkaTopicRef]
    private let partitions: [Int32]
    /// Where each topic's partitions begin in `produced`.
    private let firstPartition: [Int]
    private var encoder: EventEncoder
    /// The producer its watermarks speak for (`--shard k/n`; 0 of 1 without).
    private let shard: Shard
    let logger: Logger
    /// Gives up waiting for room in a full queue (shutdown past its bound).
    private var shouldAbort: () -> Bool
    /// False once `DeliveryService` serves the delivery reports: then the loop's
    /// `poll()` does nothing (the wait for room in a full queue still polls).
    private var pollsDeliveryReports = true
    private let names = KafkaHeaderNames(KafkaSink.headerNames)
    private let routedNames = KafkaHeaderNames(KafkaSink.headerNames + RoutingHeaders.names)
    /// Wall-clock or event-time record timestamps (`kafka.record_timestamp`).
    package var stamp: RecordStamp {
        get { recordStamp }
        set { recordStamp = newValue }
    }
    /// `stamp`, private so that reading it per record needs no dynamic exclusivity check.
    private var recordStamp = RecordStamp.wall
    /// `kafka.routing_headers`: request records also carry their routing tags.
    package var routing: RoutingHeaders? { didSet { notePlain() } }
    /// `faults`: late, duplicate and dropped records (see `FaultInjector`).
    package var faults: FaultInjector? { didSet { notePlain() } }
    /// No resume cover, faults or routing headers: a data record takes `producePlain`, which
    /// loads none of those optional references per record.
    private var plain = true
    /// The constant header values, back to back, owned by the sink.
    private let constantValues: UnsafeMutableRawBufferPointer
    /// Views into `constantValues`: `event-type` by kind, then schema version, run ID.
    private let eventTypeValues: [UnsafeRawBufferPointer]
    private let schemaVersionValue: UnsafeRawBufferPointer
    private let runIDValue: UnsafeRawBufferPointer
    private var watermarkBuffer = ByteWriter(capacity: 1024)
    private var notProduced = 0
    /// Records queued per partition: the topics' in `topics` order. Counted in memory the sink
    /// owns, so that a count per record is a plain increment (no uniqueness check of an array).
    private let produced: UnsafeMutableBufferPointer<Int>
    private var abandoned = false
    package private(set) var watermarkRecords = 0
    /// A watermark Kafka refused synchronously (data records throw instead).
    private var rejectedWatermark: SinkError?
    /// After a restart with a state directory: what Kafka already holds of this run (not sent twice).
    var cover: ResumeCover? { didSet { notePlain() } }
    private var skippedAsHeld = 0
    /// Partitions of each topic in use.
    var partitionCounts: [Int32] { partitions }

    package init(producer: KafkaProducer, topics: KafkaTopics, encoder: EventEncoder, shard: Shard? = nil, logger: Logger,
         shouldAbort: @escaping () -> Bool = { false }) throws(KafkaError) {
        self.shard = shard ?? Shard(index: 0, count: 1)
        self.producer = producer
        var handles: [KafkaTopic] = [], counts: [Int32] = [], firsts: [Int] = []
        for name in topics.inUse {
            handles.append(try producer.topic(name))
            firsts.append(Int(counts.reduce(0, +)))
            counts.append(try producer.partitionCount(topic: name, timeoutMs: 10_000))
        }
        self.topics = handles
        topicRefs = handles.map(\.ref)
        partitions = counts
        firstPartition = firsts
        self.encoder = encoder
        self.logger = logger
        self.shouldAbort = shouldAbort
        produced = .allocate(capacity: Int(counts.reduce(0, +)))
        produced.initialize(repeating: 0)

        let texts = KafkaSink.eventTypes + [String(EventEncoder.schemaVersion), encoder.runID]
        let total = texts.reduce(0) { $0 + $1.utf8.count }
        constantValues = .allocate(byteCount: max(total, 1), alignment: 1)
        var views: [UnsafeRawBufferPointer] = []
        var offset = 0
        for text in texts {
            let bytes = Array(text.utf8)
            let slice = UnsafeMutableRawBufferPointer(rebasing: constantValues[offset..<offset + bytes.count])
            slice.copyBytes(from: bytes)
            views.append(UnsafeRawBufferPointer(slice))
            offset += bytes.count
        }
        eventTypeValues = Array(views[0..<6])
        schemaVersionValue = views[6]
        runIDValue = views[7]

        var described: Logger.Metadata = [:]
        for (role, (topic, count)) in zip(["requests", "sessions", "completions"], zip(handles, counts)) {
            described[role] = "\(topic.name) (\(count) partitions)"
        }
        logger.info("kafka topics", metadata: described)
    }

    deinit {
        constantValues.deallocate()
        produced.deallocate()
    }

    private func notePlain() { plain = cover == nil && faults == nil && routing == nil }

    package func publish(_ event: Event, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(SinkError) {
        let kind = RecordKind(event)
        if plain && !abandoned {
            try producePlain(topicIndex: kind.topicIndex, key: key, value: value, kind: kind, time: event.time)
            return
        }
        if abandoned {
            notProduced += 1
            return
        }
        let topicIndex = kind.topicIndex
        let partition = Murmur2.partition(forKey: key, partitionCount: partitions[topicIndex])
        if let cover, cover.holding(topicIndex: topicIndex, partition: partition, seq: event.seq, time: event.time) != .absent {
            // Already in Kafka from before the restart (or skipped then, and marked so). A lost one
            // (`.lost`) cannot be put back in its place: the start refuses to continue (`ResumeGap`).
            skippedAsHeld += 1
            return
        }
        let copies = faults?.copies(of: event, key: key, value: value) ?? 1
        do {
            for _ in 0..<copies {
                try produce(topic: topics[topicIndex], topicIndex: topicIndex, partition: partition,
                            key: key, value: value, kind: kind, time: event.time, event: event)
            }
        } catch {
            notProduced += 1
            throw error
        }
    }

    private func produce(topic: KafkaTopic, topicIndex: Int, partition: Int32, key: UnsafeRawBufferPointer,
                         value: UnsafeRawBufferPointer, kind: RecordKind, time: VirtualNanoseconds, event: Event? = nil) throws(SinkError) {
        let routed = routing?.values(for: event) ?? UnsafeBufferPointer(start: nil, count: 0)
        let failure = withVirtualTimeText(time) { virtualTime in
            withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: 4 + routed.count) { values -> KafkaError? in
                values.initializeElement(at: 0, to: eventTypeValues[kind.rawValue])
                values.initializeElement(at: 1, to: schemaVersionValue)
                values.initializeElement(at: 2, to: runIDValue)
                values.initializeElement(at: 3, to: virtualTime)
                for (index, value) in routed.enumerated() { values.initializeElement(at: 4 + index, to: value) }
                do throws(KafkaError) {
                    try producer.produce(
                        to: topic, partition: partition, key: key, value: value, headerNames: routed.isEmpty ? names : routedNames,
                        headerValues: UnsafeBufferPointer(values), timestampMs: recordStamp.timestampMs(at: time),
                        shouldAbort: shouldAbort)
                    return nil
                } catch {
                    return error
                }
            }
        }
        try settle(failure, topicIndex: topicIndex, partition: partition)
    }

    /// A data record of an ordinary run (see `plain`): the four headers, no optional step.
    @inline(__always)
    private func producePlain(topicIndex: Int, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                              kind: RecordKind, time: VirtualNanoseconds) throws(SinkError) {
        let partition = Murmur2.partition(forKey: key, partitionCount: partitions[topicIndex])
        let failure = withVirtualTimeText(time) { virtualTime in
            withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: 4) { values -> KafkaError? in
                values.initializeElement(at: 0, to: eventTypeValues[kind.rawValue])
                values.initializeElement(at: 1, to: schemaVersionValue)
                values.initializeElement(at: 2, to: runIDValue)
                values.initializeElement(at: 3, to: virtualTime)
                do throws(KafkaError) {
                    try producer.produce(
                        to: topicRefs[topicIndex], partition: partition, key: key, value: value, headerNames: names,
                        headerValues: UnsafeBufferPointer(values), timestampMs: recordStamp.timestampMs(at: time),
                        shouldAbort: { self.shouldAbort() })
                    return nil
                } catch {
                    return error
                }
            }
        }
        try settle(failure, topicIndex: topicIndex, partition: partition)
    }

    /// Counts a record queued, or handles the producer's refusal: a full queue at the shutdown
    /// bound abandons the rest; any other refusal throws.
    @inline(__always)
    private func settle(_ failure: KafkaError?, topicIndex: Int, partition: Int32) throws(SinkError) {
        guard let error = failure else {
            produced[firstPartition[topicIndex] + Int(partition)] += 1
            return
        }
        if error.isQueueFull {
            // Shutdown gave up on an outage: keep counting what is left, send nothing more.
            abandoned = true
            notProduced += 1
            logger.error("producer queue still full at the shutdown bound; remaining events are not published",
                         metadata: ["error": "\(error)"])
            return
        }
        // Any other synchronous rejection (a fatal producer, a topic in an error
        // state such as TOPIC_AUTHORIZATION_FAILED) will not mend by retrying.
        throw SinkError(message: "Kafka rejected a record for \(topics[topicIndex].name)[\(partition)]: \(error)",
                        kind: error.isFatal ? .kafkaFatal : .kafkaRejected)
    }

    package func watermark(time: VirtualNanoseconds, afterSeq: UInt64?) {
        watermarkRound(time: time, afterSeq: afterSeq, final: false)
        releaseLate(after: time)
    }

    package func endOfStream(time: VirtualNanoseconds, afterSeq: UInt64?) {
        releaseAllLate(endingAt: time, afterSeq: afterSeq)
        watermarkRound(time: time, afterSeq: afterSeq, final: true)
    }

    package func skippedInterval(from: VirtualNanoseconds, to: VirtualNanoseconds, afterSeq: UInt64?) {
        let key = Array("skipped".utf8)
        for (index, (topic, partitions)) in zip(topics, partitions).enumerated() {
            for partition in 0..<partitions {
                watermarkBuffer.removeAll()
                encoder.encodeSkipped(from: from, to: to, afterSeq: afterSeq, topic: topic.name, partition: partition,
                                      shard: shard.index, shards: shard.count, into: &watermarkBuffer)
                watermarkBuffer.removeLast()  // the newline
                let bytes = watermarkBuffer.bytes
                key.withUnsafeBytes { key in
                    bytes.withUnsafeBytes { value in
                        do throws(SinkError) {
                            try produce(topic: topic, topicIndex: index, partition: partition, key: key, value: value, kind: .skipped, time: to)
                        } catch {
                            logger.error("cannot publish the skipped-interval marker", metadata: ["error": "\(error)"])
                        }
                    }
                }
            }
        }
    }

    package func requestsWatermark(time: VirtualNanoseconds, afterSeq: UInt64?, final: Bool) {
        watermarkRound(time: time, afterSeq: afterSeq, final: final, topicsCount: 1)
    }

    private func watermarkRound(time: VirtualNanoseconds, afterSeq: UInt64?, final: Bool, topicsCount: Int = .max) {
        guard !abandoned else { return }
        let key = Array("watermark".utf8)
        for (index, (topic, partitions)) in zip(topics, partitions).enumerated() where index < topicsCount {
            for partition in 0..<partitions {
                // Never below a promise this shard already made there before a restart.
                if let floor = cover?.floor(topicIndex: index, partition: partition), time < floor { continue }
                watermarkBuffer.removeAll()
                encoder.encodeWatermark(time: time, afterSeq: afterSeq, topic: topic.name, partition: partition,
                                        shard: shard.index, shards: shard.count, final: final, into: &watermarkBuffer)
                watermarkBuffer.removeLast()  // the newline
                let bytes = watermarkBuffer.bytes
                key.withUnsafeBytes { key in
                    bytes.withUnsafeBytes { value in
                        do throws(SinkError) {
                            try produce(topic: topic, topicIndex: index, partition: partition, key: key, value: value, kind: .watermark,
                                        time: time)
                            watermarkRecords += 1
                        } catch {
                            if rejectedWatermark == nil { rejectedWatermark = error }
                        }
                    }
                }
            }
        }
    }

    package func poll() {
        if pollsDeliveryReports { producer.poll(timeoutMs: 0) }
    }

    package var producedRecords: [Int] { Array(produced) }

    package var acknowledgedRecords: (records: [Int], failed: Int) {
        let stats = producer.deliveryStats
        let delivered = stats.deliveredByPartition
        func counts(_ topic: KafkaTopic, _ partitions: Int32) -> [Int] {
            let known = delivered[topic.name] ?? []
            return (0..<Int(partitions)).map { $0 < known.count ? known[$0] : 0 }
        }
        return (zip(topics, partitions).flatMap { counts($0, $1) }, stats.failed)
    }

    package func resumeOffsets(after seq: UInt64?) -> [String: [Int64]] {
        // The offset after each partition's highest record acknowledged to this process: its later records lie above.
        var offsets = producer.deliveryStats.highestOffsets.mapValues { $0.map { $0 >= 0 ? $0 + 1 : -1 } }
        guard let cover else { return offsets }
        // Continuing a run: the earlier starts' records after `seq` lie where the read-back found them,
        // so even the first checkpoint, before any acknowledgement, bounds the next read-back.
        for (index, topic) in topics.enumerated() {
            let known = offsets[topic.name] ?? []
            offsets[topic.name] = (0..<cover.covered[index].count).map { partition in
                max(partition < known.count ? known[partition] : -1,
                    cover.resumeOffset(topicIndex: index, partition: Int32(partition), after: seq))
            }
        }
        return offsets
    }

    package var highestHeldSeq: UInt64? { cover?.highest }

    package var latestHeldWatermark: VirtualNanoseconds? { cover?.floors.joined().compactMap { $0 }.max() }

    package var skippedOnResume: Int? { cover == nil ? nil : skippedAsHeld }

    package func deliveryReportsService(metrics: DaemonMetrics?) -> (any Service)? {
        pollsDeliveryReports = false
        return DeliveryService(producer: producer, metrics: metrics)
    }

    package func giveUpWaiting(when shouldAbort: @escaping () -> Bool) {
        self.shouldAbort = shouldAbort
    }

    package func anchor(atUnixNanoseconds unixNanoseconds: Int64) {
        encoder.anchor(atUnixNanoseconds: unixNanoseconds)
        if recordStamp.eventTime { recordStamp = RecordStamp(eventTime: true, anchorNanoseconds: unixNanoseconds) }
    }

    package var deliveryStats: DeliveryStats? { producer.deliveryStats }

    package var failure: SinkError? {
        if let fatal = producer.fatalError {
            return SinkError(message: "fatal Kafka error: \(fatal)", kind: .kafkaFatal)
        }
        if let rejectedWatermark { return rejectedWatermark }
        if let permanent = producer.deliveryStats.firstPermanentError {
            return SinkError(message: "Kafka failed a record for good: \(permanent)", kind: .kafkaRejected)
        }
        return nil
    }

    package var outstanding: Int { producer.outstanding }

    package func finish(timeoutSeconds: Double) -> SinkOutcome {
        let flushed = producer.flush(timeoutMs: Int32(clamping: Int(timeoutSeconds * 1000)))
        var outcome = SinkOutcome()
        if !flushed {
            outcome.undelivered = producer.outstanding
            logger.error("flush bound reached with records undelivered", metadata: ["outstanding": "\(outcome.undelivered)"])
            // Purged records come back as failed delivery reports, so they are counted.
            producer.purge(timeoutMs: 1000)
            producer.poll(timeoutMs: 100)
        }
        let stats = producer.deliveryStats
        outcome.delivered = stats.delivered
        outcome.failed = stats.failed
        outcome.undelivered += notProduced
        outcome.failuresByError = stats.failuresByError
        outcome.failure = failure
        outcome.faults = faults?.counts
        outcome.firstDeliveredAtMonotonicNanoseconds = stats.firstDeliveredAtMonotonicNanoseconds
        return outcome
    }
}

/// The `virtual-time` header value (seconds, nine decimals) in stack memory.
package func withVirtualTimeText<R>(_ time: VirtualNanoseconds, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { scratch in
        var cursor = ByteCursor(start: scratch.baseAddress!, end: scratch.baseAddress! + scratch.count)
        cursor.append(seconds: time)
        return body(UnsafeRawBufferPointer(start: scratch.baseAddress!, count: cursor.position - scratch.baseAddress!))
    }
}
