import Foundation
import Logging
import WorkloadKafka

/// Never duplicate by accident: before a `run` publishes, it looks
/// at the tail of every partition of its topics for records of its own run
/// (`run-id` header) from its own producer (the shard whose sessions it
/// publishes; a watermark's `shard` and `shards`). Finding one, it refuses to
/// start: it would publish every event of the run a second time.
///
/// Only the last `tailRecords` records of each partition are read, so that
/// start-up does not grow with the topics; a run whose records were followed
/// by more than that many records of other runs on every partition is not
/// recognised.
enum ExistingRun {
    static let tailRecords: Int64 = 256

    /// Where a record of the run was found.
    struct Found: Equatable, CustomStringConvertible {
        var topic: String
        var partition: Int32
        var offset: Int64
        var description: String { "\(topic)[\(partition)] at offset \(offset)" }
    }

    /// librdkafka settings the consumer shares with the producer (how to reach and authenticate to the cluster).
    static func connectionProperties(_ properties: [String: String]) -> [String: String] {
        properties.filter { key, _ in
            ["security.", "sasl.", "ssl.", "socket.", "broker.", "reconnect.", "client.dns"].contains { key.hasPrefix($0) }
        }
    }

    /// A record of the run in the tails, if any, and each partition's end offset
    /// (the offset its next record gets) when the scan began, by topic name.
    static func find(
        runID: String, shard: Shard?, brokers: String, topics: [String], properties: [String: String], logger: Logger,
        timeoutSeconds: Double = 10
    ) throws(KafkaError) -> (found: Found?, ends: [String: [Int64]]) {
        var found: Found?
        let ends = try scanTails(runID: runID, shard: shard, brokers: brokers, topics: topics, properties: properties, logger: logger,
                                 timeoutSeconds: timeoutSeconds) { record in
            found = Found(topic: record.topic, partition: record.partition, offset: record.offset)
            return false
        }
        return (found, ends)
    }

    /// Reads the last `tailRecords` records of every partition of `topics`, or from
    /// `startOffsets` (topic -> per partition, the first offset that may hold a
    /// record to see; -1: unknown) where that is earlier, and hands each record of `runID` from `shard`'s producer to `visit`,
    /// in offset order per partition, until `visit` returns false or every tail
    /// was read. The time allowed grows with the records to read (10 s, or 20 us
    /// a record). Returns each partition's end offset when the scan began.
    @discardableResult
    static func scanTails(
        runID: String, shard: Shard?, brokers: String, topics: [String], properties: [String: String],
        from startOffsets: [String: [Int64]] = [:], logger: Logger,
        timeoutSeconds: Double = 10, visit: (ConsumedRecord) -> Bool
    ) throws(KafkaError) -> [String: [Int64]] {
        let consumer = try KafkaConsumer(bootstrapServers: brokers, properties: connectionProperties(properties), logger: logger)
        let timeoutMs = Int32(timeoutSeconds * 1000)
        var offsets: [(topic: String, partition: Int32, offset: Int64)] = []
        var ends: [String: Int64] = [:]  // "topic/partition" -> last offset
        var endOffsets: [String: [Int64]] = [:]
        for topic in topics {
            let count = try consumer.partitionCount(topic: topic, timeoutMs: timeoutMs)
            for partition in 0..<count {
                let range = try consumer.offsetRange(topic: topic, partition: partition, timeoutMs: timeoutMs)
                endOffsets[topic, default: []].append(range.upperBound)
                guard !range.isEmpty else { continue }
                var start = range.upperBound - tailRecords
                if let known = startOffsets[topic], Int(partition) < known.count, known[Int(partition)] >= 0 {
                    start = min(start, known[Int(partition)])
                }
                offsets.append((topic, partition, max(range.lowerBound, start)))
                ends["\(topic)/\(partition)"] = range.upperBound - 1
            }
        }
        guard !offsets.isEmpty else { return endOffsets }
        let toRead = offsets.reduce(Int64(0)) { total, start in total + max(0, (ends["\(start.topic)/\(start.partition)"] ?? 0) + 1 - start.offset) }
        let timeoutSeconds = max(timeoutSeconds, Double(toRead) * 20e-6)
        try consumer.assign(offsets: offsets)
        let me = shard ?? Shard(index: 0, count: 1)
        let runHeader = Array(runID.utf8)
        let deadline = SteadyClock.nanoseconds() &+ UInt64(timeoutSeconds * 1e9)
        while !ends.isEmpty {
            guard SteadyClock.nanoseconds() < deadline else {
                throw KafkaError(code: KafkaError.timedOutCode, message: "could not read the tail of \(ends.keys.sorted().joined(separator: ", ")) within \(timeoutSeconds) s to check for records of run \(runID)")
            }
            let record: ConsumedRecord?
            do {
                record = try consumer.poll(timeoutMs: 100)
            } catch {
                if error.isFatal { throw error }
                continue
            }
            guard let record else { continue }
            let name = "\(record.topic)/\(record.partition)"
            if let end = ends[name], record.offset >= end { ends[name] = nil }
            guard record.header("run-id") == runHeader else { continue }
            if isFrom(me, record), !visit(record) { return endOffsets }
        }
        return endOffsets
    }

    /// Whether `shard` published `record` (a record of its run).
    static func isFrom(_ shard: Shard, _ record: ConsumedRecord) -> Bool {
        // Watermarks and `skipped` markers speak for their producer in their fields (their keys are fixed).
        if record.header("event-type") == Array("watermark".utf8) || record.header("event-type") == Array("skipped".utf8) {
            let fields = EventFields(record.value)
            // Watermarks of builds before `shard`/`shards` speak for a single producer.
            return (fields.integer("shard") ?? 0) == Int64(shard.index) && (fields.integer("shards") ?? 1) == Int64(shard.count)
        }
        return record.key.withUnsafeBytes { shard.owns(sessionKey: $0) }
    }

    /// The refusal, naming the run and the ways on.
    static func refusal(runID: String, shard: Shard?, found: Found) -> String {
        let who = shard.map { "run \(runID) (shard \($0))" } ?? "run \(runID)"
        return "\(who) already has records in Kafka (\(found)): starting it again would publish its events a second time. "
            + "To start a new run, change clock.start (e.g. to now), the seed (--seed) or workload.run_id; "
            + "to keep this run's records and publish nothing, do not start it again. "
            + "to continue it after a stop, start it with the state directory of its first start (--state-dir). Exit status 78."
    }
}
