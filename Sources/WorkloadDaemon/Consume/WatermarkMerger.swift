import WorkloadKafka
import WorkloadModel

/// The reference consumer's rule (see the Reading the stream article), apart from Kafka: records of
/// every partition go in, in the order each partition delivers them; data
/// events come out in non-decreasing `time_s`, ties by `seq`, each once every
/// producer's watermark on every partition has passed it.
///
/// A watermark at T from producer `shard` of `shards` promises that this
/// producer sends no later record on that partition with `time_s` < T. A
/// partition's time is the minimum over its `shards` producers' latest
/// watermarks (lower than any time until every one has spoken); the stream's
/// time is the minimum over all partitions. An event with `time_s` below
/// that is complete: nothing can come before it any more. A `final`
/// watermark ends its producer's stream on the partition; when every
/// producer has ended on every partition, everything is released.
package struct WatermarkMerger {
    /// A partition of one topic.
    package struct PartitionID: Hashable, Sendable {
        package var topic: String
        package var partition: Int32
        package init(topic: String, partition: Int32) {
            self.topic = topic
            self.partition = partition
        }
    }

    /// What the producers of one partition have promised.
    struct PartitionTime {
        /// How many producers write to the partition (the largest `shards` seen).
        var producers = 0
        /// The latest watermark per shard (`.max` once it ended).
        var latest: [Int32: Int64] = [:]

        var time: Int64 {
            guard producers > 0, latest.count >= producers else { return .min }
            return latest.values.min() ?? .min
        }

        var ended: Bool { producers > 0 && latest.count >= producers && latest.values.allSatisfy { $0 == .max } }
    }

    /// A data event waiting for the watermarks.
    struct Pending: Comparable {
        var time: Int64
        var seq: UInt64
        var value: [UInt8]
        /// Its `run_id`: a duplicate is the same (run, seq) twice.
        var run: [UInt8] = []

        static func < (a: Pending, b: Pending) -> Bool { (a.time, a.seq) < (b.time, b.seq) }
        static func == (a: Pending, b: Pending) -> Bool { a.time == b.time && a.seq == b.seq }
    }

    private var partitions: [PartitionID: PartitionTime]
    private var pending = MinHeap<Pending>()
    /// (run, seq) of the pending events. A duplicate sent back to back with
    /// its original is read before the watermark that releases the original
    /// (records of a partition arrive in order), so this set finds it.
    private var pendingKeys = Set<PendingKey>()
    struct PendingKey: Hashable {
        var run: [UInt8]
        var seq: UInt64
    }
    /// Data events read a second time while the first was still pending.
    package private(set) var duplicateEvents = 0
    /// Records that were neither a data event nor a watermark the consumer can read.
    package private(set) var unreadable = 0
    /// `skipped` markers read (`clock.on_resume: skip`).
    package private(set) var markers = 0
    /// Watermarks read.
    package private(set) var watermarks = 0
    /// Data events that arrived behind their own producer's latest watermark
    /// on their partition: a broken promise (0 when the contract holds).
    package private(set) var lateEvents = 0

    /// `partitions`: every partition of every topic read.
    package init(partitions: [PartitionID]) {
        self.partitions = Dictionary(uniqueKeysWithValues: partitions.map { ($0, PartitionTime()) })
    }

    /// Events waiting for the watermarks.
    package var waiting: Int { pending.count }

    /// Every producer's stream has ended on every partition.
    package var ended: Bool { partitions.values.allSatisfy(\.ended) }

    /// The time below which every event is complete (ns; `.max` when all ended).
    package var frontier: Int64 { partitions.values.map(\.time).min() ?? .min }

    /// Takes one record of `partition` (its value, the JSON object).
    package mutating func add(_ value: [UInt8], from partition: PartitionID) {
        let record = EventFields(value)
        guard let time = record.nanoseconds("time_s") else {
            unreadable += 1
            return
        }
        if record.string("type") == Array("skipped".utf8) {
            markers += 1  // `clock.on_resume: skip`: neither data nor a promise
            return
        }
        if record.isWatermark {
            guard let shard = record.integer("shard"), let shards = record.integer("shards"), shards >= 1,
                  shard >= 0, shard < shards, shards <= Int64(Int32.max) else {
                unreadable += 1
                return
            }
            watermarks += 1
            var state = partitions[partition] ?? PartitionTime()
            state.producers = max(state.producers, Int(shards))
            let promise = record.flag("final") ? Int64.max : max(state.latest[Int32(shard)] ?? .min, time)
            state.latest[Int32(shard)] = promise
            partitions[partition] = state
            return
        }
        guard let seq = record.integer("seq"), seq >= 0 else {
            unreadable += 1
            return
        }
        // The promise of the producer that sent it (murmur2 of its session key mod n, as `--shard` splits).
        if let state = partitions[partition], state.producers > 0, let session = record.string("session_id") {
            let shard = session.withUnsafeBytes { Murmur2.partition(forKey: $0, partitionCount: Int32(state.producers)) }
            if let promise = state.latest[shard], time < promise { lateEvents += 1 }
        }
        let run = record.string("run_id").map { Array($0) } ?? []
        if !pendingKeys.insert(PendingKey(run: run, seq: UInt64(seq))).inserted { duplicateEvents += 1 }
        pending.insert(Pending(time: time, seq: UInt64(seq), value: value, run: run))
    }

    /// Hands every complete event to `body` in (time_s, seq) order.
    package mutating func release(_ body: ([UInt8]) throws -> Void) rethrows {
        let limit = frontier
        while let first = pending.first, first.time < limit {
            let event = pending.removeFirst()
            pendingKeys.remove(PendingKey(run: event.run, seq: event.seq))
            try body(event.value)
        }
    }
}
