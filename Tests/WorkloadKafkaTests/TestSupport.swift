import Foundation
import Logging
import Synchronization
import Testing
import WorkloadKafka

/// Logger for tests: silent unless KAFKA_TEST_LOG is set (then warnings and
/// up from librdkafka and the wrapper go to stderr; with KAFKA_TEST_DEBUG, debug messages too).
func testLogger(_ label: String) -> Logger {
    if ProcessInfo.processInfo.environment["KAFKA_TEST_LOG"] != nil {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["KAFKA_TEST_DEBUG"] != nil ? .debug : .warning
        return logger
    }
    return Logger(label: label) { _ in SwiftLogNoOpLogHandler() }
}

/// Producer settings for tests: reconnect quickly after a broker comes back.
func testProducerConfiguration(_ cluster: MockCluster, _ extra: [String: String] = [:]) -> ProducerConfiguration {
    var properties = ["reconnect.backoff.max.ms": "500"]
    // KAFKA_TEST_DEBUG=broker,metadata (with KAFKA_TEST_LOG) logs what librdkafka's debug contexts say.
    if let debug = ProcessInfo.processInfo.environment["KAFKA_TEST_DEBUG"] { properties["debug"] = debug }
    properties.merge(extra) { $1 }
    return ProducerConfiguration(bootstrapServers: cluster.bootstrapServers, properties: properties)
}

/// The records tests produce: record `i` has key `k-(i % keyCount)`, its
/// murmur2 partition, value `"i"` and a header with `i`.
struct NumberedRecords {
    let topic: String
    let partitionCount: Int32
    var keyCount = 64

    func key(_ i: Int) -> [UInt8] { Array("k-\(i % keyCount)".utf8) }
    func partition(_ i: Int) -> Int32 { Murmur2.partition(forKey: key(i), partitionCount: partitionCount) }

    /// Produces records `range`, polling now and then; returns how many were queued
    /// (fewer than `range.count` only when `shouldAbort` fired).
    @discardableResult
    func produce(
        _ range: Range<Int>, with producer: KafkaProducer, shouldAbort: () -> Bool = { false }
    ) throws(KafkaError) -> Int {
        var queued = 0
        for i in range {
            do {
                try producer.produce(
                    topic: topic, partition: partition(i), key: key(i), value: Array("\(i)".utf8),
                    headers: [KafkaHeader(name: "n", value: "\(i)")], shouldAbort: shouldAbort
                )
            } catch {
                if error.isQueueFull { return queued }
                throw error
            }
            queued += 1
            if i % 256 == 0 { producer.poll(timeoutMs: 0) }
        }
        return queued
    }

    /// Checks that `records` hold each of `0..<count` exactly once, on its
    /// partition, in produce order within each partition.
    func verifyExactlyOnceInOrder(_ records: [ConsumedRecord], count: Int) {
        #expect(records.count == count)
        var seen = Set<Int>()
        var lastByPartition: [Int32: Int] = [:]
        var outOfOrder = 0
        var misplaced = 0
        for record in records {
            guard let i = Int(String(decoding: record.value, as: UTF8.self)) else {
                Issue.record("unparseable value \(record.value)")
                continue
            }
            seen.insert(i)
            if record.partition != partition(i) || record.key != key(i) { misplaced += 1 }
            if let last = lastByPartition[record.partition], last >= i { outOfOrder += 1 }
            lastByPartition[record.partition] = i
        }
        let missing = Set(0..<count).subtracting(seen).sorted()
        #expect(missing.isEmpty, "missing \(missing.count): \(missing.prefix(20))... by partition \(Dictionary(grouping: missing, by: partition).mapValues(\.count))")
        #expect(seen.isSubset(of: Set(0..<count)))
        #expect(misplaced == 0)
        #expect(outOfOrder == 0)
    }
}

/// Reads `topic` from the beginning until `expected` records arrived (or
/// `timeout` passed), then keeps reading for `settle` to catch duplicates.
func readAll(
    _ cluster: MockCluster, topic: String, partitionCount: Int32, expected: Int,
    timeout: Duration = .seconds(20), settle: Duration = .milliseconds(300)
) throws -> [ConsumedRecord] {
    let consumer = try KafkaConsumer(bootstrapServers: cluster.bootstrapServers, logger: testLogger("reader"))
    try consumer.assignAll(topic: topic, partitionCount: partitionCount)
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var records: [ConsumedRecord] = []
    records.reserveCapacity(expected)
    var settleDeadline: ContinuousClock.Instant?
    while clock.now < deadline {
        if records.count >= expected {
            if settleDeadline == nil { settleDeadline = clock.now + settle }
            if clock.now >= settleDeadline! { break }
        }
        do {
            if let record = try consumer.poll(timeoutMs: 50) { records.append(record) }
        } catch {
            if error.isFatal { throw error }
            // Otherwise informational (e.g. a broker went away): keep reading.
        }
    }
    if records.count < expected {
        print("readAll: \(records.count) of \(expected) after \(clock.now - (deadline - timeout)); "
              + readSummary(records, consumer: consumer, topic: topic, partitionCount: partitionCount))
    }
    return records
}

/// Per partition: the records read, their offsets, the partition's offsets now (asked of its leader)
/// and the values read: what a short read-back tells apart (a reader stopped early, or a log that lacks records).
func readSummary(_ records: [ConsumedRecord], consumer: KafkaConsumer, topic: String, partitionCount: Int32) -> String {
    (0..<partitionCount).map { partition in
        let mine = records.filter { $0.partition == partition }
        let offsets = mine.map(\.offset)
        let values = mine.compactMap { Int(String(decoding: $0.value, as: UTF8.self)) }
        let watermarks = (try? consumer.offsetRange(topic: topic, partition: partition, timeoutMs: 5_000)).map { "\($0)" } ?? "unknown"
        return "[\(partition)] read \(mine.count), offsets \(offsets.min() ?? -1)...\(offsets.max() ?? -1), log \(watermarks), "
            + "values \(values.min() ?? -1)...\(values.max() ?? -1), first \(values.prefix(3)), last \(values.suffix(3))"
    }.joined(separator: "; ")
}

/// Polls `producer` for `duration` (serving delivery reports), then returns.
func pollFor(_ duration: Duration, _ producer: KafkaProducer) {
    let clock = ContinuousClock()
    let end = clock.now + duration
    while clock.now < end { producer.poll(timeoutMs: 50) }
}

/// A log handler that keeps every entry, for checking what reaches the Logger.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    // @unchecked Sendable: the only mutable shared state is `entries` (a
    // Mutex); metadata and logLevel are value-copied per Logger as swift-log expects.
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    let entries = Mutex<[Entry]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let flat = (event.metadata ?? [:]).mapValues { "\($0)" }
        entries.withLock { $0.append(Entry(level: event.level, message: "\(event.message)", metadata: flat)) }
    }
}

/// The fast lane (`LLM_WORKLOAD_LANE=fast`, see Tests/TestSupport/TestTags.swift) skips the suites
/// that run a mock cluster; this target does not depend on TestSupport, so the switch is read here.
extension Trait where Self == ConditionTrait {
    static var mockCluster: Self {
        .enabled(if: ProcessInfo.processInfo.environment["LLM_WORKLOAD_LANE"] != "fast",
                 "a mock-cluster suite: skipped in the fast lane (LLM_WORKLOAD_LANE=fast)")
    }
}
