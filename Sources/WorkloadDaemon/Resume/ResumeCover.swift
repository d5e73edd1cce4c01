import Logging
import WorkloadKafka
import WorkloadModel
import WorkloadConfig

/// What Kafka already holds of this run and shard, per partition, after a
/// restart: regenerated events it covers are not published again, and no
/// watermark goes out below one this shard already wrote there.
///
/// The idempotent producer keeps each partition's records in produce order,
/// so what a partition holds of the events after the checkpoint is a prefix
/// of them, unless a delivery failed for good (then librdkafka goes on with
/// the later records and that one is missing). Its last record from this
/// shard says how far: a data record covers every event of the partition up
/// to its `seq`; a watermark covers every event up to its `after_seq` (each
/// was produced before it). An event below that which the read-back did not
/// find was lost (`Holding.lost`).
struct ResumeCover: Sendable {
    /// Index 0: the requests topic, 1: the sessions topic; per partition.
    var covered: [[UInt64?]]
    var floors: [[VirtualNanoseconds?]]
    /// Events whose seq is above this are never covered (the fast path).
    var highest: UInt64?
    /// Records of this run and shard read back.
    var recordsRead = 0
    /// Per partition: the data seqs read back.
    var present: [[Set<UInt64>]]
    /// Per partition: the read began where every record after the checkpoint
    /// lies, so a seq below `covered` that it did not find is not in Kafka.
    var complete: [[Bool]]
    /// Per partition, in offset order: each record read and how far the
    /// partition's records reach up to it (the highest seq or `after_seq` so far).
    var reaches: [[[Reach]]]
    /// Per partition: the end offset when the read began (-1: unknown).
    var ends: [[Int64]]
    /// The intervals `skipped` markers of this run and shard named.
    var skips: [Skip] = []

    struct Reach: Sendable {
        var offset: Int64
        var seq: UInt64
    }

    /// No event after `afterSeq` with a time below `to` was published (`clock.on_resume: skip`).
    struct Skip: Sendable, Equatable {
        var afterSeq: UInt64?
        var to: VirtualNanoseconds
    }

    enum Kind { case data, watermark, skipped }

    /// What Kafka holds of one regenerated event.
    enum Holding: Equatable {
        /// It is there: not published again.
        case held
        /// An earlier start skipped it (`on_resume: skip`) and said so: not published.
        case skipped
        /// Later records of its partition are there but it is not: a delivery failed for good.
        case lost
        /// Not yet published.
        case absent
    }

    init(partitions: [Int32]) {
        covered = partitions.map { [UInt64?](repeating: nil, count: Int($0)) }
        floors = partitions.map { [VirtualNanoseconds?](repeating: nil, count: Int($0)) }
        present = partitions.map { [Set<UInt64>](repeating: [], count: Int($0)) }
        complete = partitions.map { [Bool](repeating: false, count: Int($0)) }
        reaches = partitions.map { [[Reach]](repeating: [], count: Int($0)) }
        ends = partitions.map { [Int64](repeating: -1, count: Int($0)) }
    }

    /// Takes a record of this run and shard at `offset` (offset order per partition).
    mutating func take(topicIndex: Int, partition: Int32, offset: Int64 = -1, value: [UInt8], kind: Kind) {
        guard covered.indices.contains(topicIndex), covered[topicIndex].indices.contains(Int(partition)) else { return }
        recordsRead += 1
        let fields = EventFields(value)
        let p = Int(partition)
        var reach: UInt64?
        switch kind {
        case .watermark:
            reach = fields.integer("after_seq").map { UInt64($0) }
            if let time = fields.nanoseconds("time_s") { floors[topicIndex][p] = max(floors[topicIndex][p] ?? time, time) }
        case .skipped:
            // Like a watermark, the marker follows every event up to its `after_seq`; a later
            // read-back must start at or before it, so that the interval stays known.
            reach = fields.integer("after_seq").map { UInt64($0) }
            if let to = fields.nanoseconds("to_time_s") {
                let skip = Skip(afterSeq: reach, to: to)
                if !skips.contains(skip) { skips.append(skip) }
            }
        case .data:
            if let seq = fields.integer("seq") {
                reach = UInt64(seq)
                present[topicIndex][p].insert(UInt64(seq))
            }
        }
        // A later start's watermark can say less than records before it (it went out while that
        // start was still regenerating what Kafka held): how far a partition goes only grows.
        if let reach { covered[topicIndex][p] = max(covered[topicIndex][p] ?? reach, reach) }
        if let far = covered[topicIndex][p] {
            reaches[topicIndex][p].append(Reach(offset: offset, seq: far))
            highest = max(highest ?? far, far)
        }
    }

    /// True when Kafka already holds the event of `seq` on this partition.
    @inline(__always)
    func covers(topicIndex: Int, partition: Int32, seq: UInt64) -> Bool {
        guard let highest, seq <= highest, let covered = covered[topicIndex][Int(partition)] else { return false }
        return seq <= covered
    }

    /// What Kafka holds of the event of `seq` at `time` on this partition.
    func holding(topicIndex: Int, partition: Int32, seq: UInt64, time: VirtualNanoseconds) -> Holding {
        if !skips.isEmpty, skips.contains(where: { skip in time < skip.to && skip.afterSeq.map { seq > $0 } ?? true }) { return .skipped }
        guard covers(topicIndex: topicIndex, partition: partition, seq: seq) else { return .absent }
        let p = Int(partition)
        if present[topicIndex][p].contains(seq) { return .held }
        // Not found below the partition's last record: lost, if the read surely began before it.
        let found = present[topicIndex][p].contains { $0 < seq }
        return complete[topicIndex][p] || found ? .lost : .held
    }

    /// An offset at or above which every record of the earlier starts with a seq (or
    /// `after_seq`) of at least `seq` lies on this partition (-1: unknown): the
    /// first such record read back, else the partition's end when the read began.
    func resumeOffset(topicIndex: Int, partition: Int32, after seq: UInt64?) -> Int64 {
        let p = Int(partition)
        guard covered.indices.contains(topicIndex), covered[topicIndex].indices.contains(p), complete[topicIndex][p] else { return -1 }
        let reaches = reaches[topicIndex][p]
        guard let seq else { return reaches.first?.offset ?? ends[topicIndex][p] }
        // `seq` only grows along the partition: the first record reaching it.
        var low = 0, high = reaches.count
        while low < high {
            let middle = (low + high) / 2
            if reaches[middle].seq >= seq { high = middle } else { low = middle + 1 }
        }
        return low < reaches.count ? reaches[low].offset : ends[topicIndex][p]
    }

    /// The latest watermark time this shard wrote on the partition, if any.
    func floor(topicIndex: Int, partition: Int32) -> VirtualNanoseconds? {
        floors[topicIndex][Int(partition)]
    }

    /// Reads the tails of both topics: per partition from just above the
    /// checkpoint's offset (`from`: every record after the checkpoint lies
    /// there, however much other runs wrote since), and at least the last
    /// `ExistingRun.tailRecords`.
    static func read(
        runID: String, shard: Shard?, brokers: String, topics: KafkaTopics, partitions: [Int32],
        properties: [String: String], from offsets: [String: [Int64]] = [:], logger: Logger
    ) throws(KafkaError) -> ResumeCover {
        var cover = ResumeCover(partitions: partitions)
        let names = [topics.requests, topics.sessions]
        for (index, name) in names.enumerated() {
            let known = offsets[name] ?? []
            for partition in cover.complete[index].indices where partition < known.count {
                cover.complete[index][partition] = known[partition] >= 0
            }
        }
        let ends = try ExistingRun.scanTails(
            runID: runID, shard: shard, brokers: brokers, topics: names, properties: properties, from: offsets, logger: logger
        ) { record in
            guard let index = names.firstIndex(of: record.topic) else { return true }
            let type = record.header("event-type")
            let kind: Kind = type == Array("watermark".utf8) ? .watermark : type == Array("skipped".utf8) ? .skipped : .data
            cover.take(topicIndex: index, partition: record.partition, offset: record.offset, value: record.value, kind: kind)
            return true
        }
        for (index, name) in names.enumerated() {
            for (partition, end) in (ends[name] ?? []).enumerated() where partition < cover.ends[index].count {
                cover.ends[index][partition] = end
            }
        }
        return cover
    }
}
